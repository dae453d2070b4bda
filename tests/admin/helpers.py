"""Admin test helpers: URLs by model, messages, and one object of every registered model."""

from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.urls import reverse

from contracting.models import IndexRate, ProductCategory, Unit, WntNorm
from tests import factories
from tests.compliance import factories as compliance_factories


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[quote(obj.pk)])


def transition_url(obj, name: str) -> str:
    return reverse(
        f"admin:{obj._meta.app_label}_{obj._meta.model_name}_transition", args=[quote(obj.pk), name]
    )


def messages_of(response) -> list:
    return list(get_messages(response.wsgi_request))


# One valid object per registered model; reference data comes with the migrations.
OBJECT_MAKERS = {
    "productcategory": lambda: ProductCategory.objects.first(),
    "unit": lambda: Unit.objects.first(),
    "wntnorm": lambda: WntNorm.objects.first(),
    "indexrate": lambda: IndexRate.objects.first(),
    "contractingauthority": factories.MunicipalityFactory,
    "provider": lambda: factories.BoardMemberFactory().provider,
    "product": factories.ProductFactory,
    "costmodel": factories.CostModelFactory,
    "tariff": factories.TariffFactory,
    "indexationrun": factories.indexation_run,
    "procedure": lambda: (
        factories.ConsultationRoundFactory(procedure=factories.ready_to_open_procedure()).procedure
    ),
    "application": lambda: factories.ApplicationFactory(under_review=True),
    "question": lambda: factories.QuestionFactory(answered=True),
    "agreement": factories.agreement_with_details,
    "coalition": lambda: factories.MembershipFactory(lead=True, active=True).coalition,
    "membership": factories.MembershipFactory,
    "auditevent": factories.audit_event,
    # compliance: the library comes with the migrations; the rest through factories or services
    "documenttype": lambda: _compliance_models().DocumentType.objects.first(),
    "condition": lambda: _compliance_models().Condition.objects.first(),
    "conditionevaluation": lambda: evaluated_agreement().evaluations[0],
    "waiver": lambda: requested_waiver(),
    "providerdeclaration": compliance_factories.DeclarationFactory,
    "officerjudgement": compliance_factories.JudgementFactory,
    "providerannualfigures": compliance_factories.AnnualFiguresFactory,
    "accountabilitydocument": lambda: compliance_factories.DocumentFactory(accepted=True),
    "fraudsignal": compliance_factories.FraudSignalFactory,
}


def _compliance_models():
    from compliance import models

    return models


def evaluated_agreement(*codes: str, **kwargs):
    """An offered agreement whose condition set holds ``codes`` (default: policy and fair pay), evaluated
    once; ``agreement.evaluations`` holds the stored evaluations."""
    from compliance.conditions.services import conditions_evaluate
    from compliance.models import ConditionEvaluation
    from tests.compliance.factories import agreement_with

    agreement = agreement_with(*(codes or ("anti_discrimination_policy", "fair_pay_tariff")), **kwargs)
    conditions_evaluate(subject=agreement)
    agreement.evaluations = list(ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid))
    return agreement


def requested_waiver(subject=None, code: str = "anti_discrimination_policy", by=None):
    """A waiver awaiting approval, requested the only way one can be: through waiver_request."""
    import datetime

    from compliance.conditions.services import waiver_request

    subject = subject or evaluated_agreement(code)
    return waiver_request(
        subject=subject,
        provider=subject.provider,
        condition=_compliance_models().Condition.objects.get(code=code),
        actor=by or factories.officer(),
        reason="Beleid wordt herschreven na fusie",
        valid_until=factories.today() + datetime.timedelta(days=90),
    )


def admin_login_form(username: str, password: str) -> dict:
    """The admin login's first step (maykin-2fa's wizard): POST it to /admin/login/."""
    return {"admin_login_view-current_step": "auth", "auth-username": username, "auth-password": password}


def admin_token_form(token: str) -> dict:
    """The admin login's second step: the code of the user's authenticator app."""
    return {"admin_login_view-current_step": "token", "token-otp_token": token}
