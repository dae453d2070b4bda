import datetime

import factory

from compliance.models import (
    AccountabilityDocument,
    Condition,
    DocumentStatus,
    DocumentType,
    FraudSignal,
    OfficerJudgement,
    ProviderAnnualFigures,
    ProviderDeclaration,
    SignalSeverity,
    SignalStatus,
)
from contracting.models import SubAgreement
from core import clock
from tests import factories
from tests.factories import ProviderFactory, UserFactory, today


def condition(code: str) -> Condition:
    return Condition.objects.get(code=code)


class DocumentFactory(factory.django.DjangoModelFactory):
    provider = factory.SubFactory(ProviderFactory)
    document_type = factory.LazyFunction(lambda: DocumentType.objects.get(code="anti_discrimination_policy"))
    period_key = factory.Sequence(lambda n: f"test-{n}")  # one document per provider, type and period
    status = DocumentStatus.SUBMITTED

    class Meta:
        model = AccountabilityDocument

    class Params:
        accepted = factory.Trait(
            status=DocumentStatus.ACCEPTED,
            valid_from=factory.LazyFunction(lambda: today() - datetime.timedelta(days=30)),
            valid_until=factory.LazyFunction(lambda: today() + datetime.timedelta(days=335)),
            sha256="ab" * 32,
            reviewed_at=factory.LazyFunction(clock.now),
        )
        rejected = factory.Trait(status=DocumentStatus.REJECTED, verdict_reason="Onleesbaar")
        lapsed = factory.Trait(
            status=DocumentStatus.ACCEPTED,
            valid_from=factory.LazyFunction(lambda: today() - datetime.timedelta(days=400)),
            valid_until=factory.LazyFunction(lambda: today() - datetime.timedelta(days=1)),
        )


class DeclarationFactory(factory.django.DjangoModelFactory):
    provider = factory.SubFactory(ProviderFactory)
    condition = factory.LazyFunction(lambda: condition("confidential_advisor"))
    statement = "Wij hebben een externe vertrouwenspersoon."
    signed_by_name = "J. de Vries"
    signed_by_role = "bestuurder"
    signed_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=10))
    recorded_by = factory.SubFactory(UserFactory)

    class Meta:
        model = ProviderDeclaration


class JudgementFactory(factory.django.DjangoModelFactory):
    provider = factory.SubFactory(ProviderFactory)
    condition = factory.LazyFunction(lambda: condition("local_presence"))
    verdict = OfficerJudgement.Verdict.SATISFIED
    reasoning = "Locatie in de wijk, werkt samen met het wijkteam."
    judged_on = factory.LazyFunction(today)
    judged_by = factory.SubFactory(UserFactory)

    class Meta:
        model = OfficerJudgement


class AnnualFiguresFactory(factory.django.DjangoModelFactory):
    provider = factory.SubFactory(ProviderFactory)
    year = factory.LazyFunction(lambda: today().year - 1)
    wnt_class = "III"
    highest_executive_pay = 150000
    flex_contract_share_pct = 12
    revenue = 4_000_000
    personnel_costs = 2_900_000
    profit = 120_000

    class Meta:
        model = ProviderAnnualFigures


class FraudSignalFactory(factory.django.DjangoModelFactory):
    provider = factory.SubFactory(ProviderFactory)
    rule = factory.Sequence(lambda n: f"declared_above_allocated_{n}")
    period_start = factory.LazyFunction(lambda: today().replace(day=1) - datetime.timedelta(days=90))
    period_end = factory.LazyFunction(lambda: today().replace(day=1) - datetime.timedelta(days=1))
    severity = SignalSeverity.MEDIUM

    class Meta:
        model = FraudSignal

    class Params:
        investigating = factory.Trait(status=SignalStatus.INVESTIGATING)
        confirmed = factory.Trait(
            status=SignalStatus.CONFIRMED,
            confirmation_requested_by=factory.SubFactory(UserFactory),
            confirmation_requested_at=factory.LazyFunction(clock.now),
            confirmation_reason="Onderzoek bevestigt de declaraties zonder toewijzing.",
            decided_by=factory.SubFactory(UserFactory),
            decided_at=factory.LazyFunction(clock.now),
        )
        dismissed = factory.Trait(status=SignalStatus.DISMISSED, dismissal_reason="Verklaard door correctie.")


def agreement_with(*codes, **kwargs):
    """An offered agreement from a procedure whose condition set holds ``codes``, with one fairly priced lot."""
    procedure = factories.ready_to_open_procedure()
    procedure.condition_requirements.all().delete()
    factories.require(procedure, *codes)
    agreement = factories.AgreementFactory(
        offered=True, procedure=procedure, authority=procedure.authority, **kwargs
    )
    SubAgreement.objects.create(agreement=agreement, lot=procedure.lots.get())
    return agreement
