"""The compliance admin: who may open and change what, and constant-query changelists."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from compliance.models import (
    AccountabilityDocument,
    Condition,
    ConditionEvaluation,
    DocumentType,
    FraudSignal,
    OfficerJudgement,
    ProviderAnnualFigures,
    ProviderDeclaration,
    Waiver,
)
from contracting.roles import ADMINISTRATOR
from tests import factories
from tests.admin.helpers import change_url, changelist_url, evaluated_agreement, requested_waiver
from tests.compliance import factories as compliance_factories

pytestmark = pytest.mark.django_db

COMPLIANCE_MODELS = [
    DocumentType,
    Condition,
    ConditionEvaluation,
    Waiver,
    ProviderDeclaration,
    OfficerJudgement,
    ProviderAnnualFigures,
    AccountabilityDocument,
    FraudSignal,
]
ROLES = ["officer", "auditor"]


def administrator():
    user = factories.UserFactory(role=ADMINISTRATOR)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", COMPLIANCE_MODELS, ids=lambda m: m._meta.model_name)
def test_changelist_and_change_page_render(client_for, request, make_object, role, model):
    # given
    obj = make_object(model._meta.model_name)
    client = client_for(request.getfixturevalue(role))
    # when
    listed = client.get(changelist_url(model))
    shown = client.get(change_url(obj))
    searched = client.get(changelist_url(model), {"q": "zorg 01"})
    # then
    assert (listed.status_code, shown.status_code, searched.status_code) == (200, 200, 200)


@pytest.mark.parametrize("model", COMPLIANCE_MODELS, ids=lambda m: m._meta.model_name)
def test_auditor_can_neither_add_nor_change(client_for, auditor, make_object, model):
    # given
    obj = make_object(model._meta.model_name)
    opts = model._meta
    client = client_for(auditor)
    # when
    add = client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/")
    change = client.get(change_url(obj))
    post = client.post(change_url(obj), {})
    # then
    assert add.status_code == 403
    assert not change.context["has_change_permission"]
    assert b'name="_save"' not in change.content
    assert post.status_code == 403


@pytest.mark.parametrize(
    "model", [ConditionEvaluation, Waiver, FraudSignal], ids=lambda m: m._meta.model_name
)
def test_records_of_services_and_later_flows_are_read_only_for_officers(
    client_for, officer, make_object, model
):
    # given
    obj = make_object(model._meta.model_name)
    opts = model._meta
    client = client_for(officer)
    # when
    add = client.get(f"/admin/{opts.app_label}/{opts.model_name}/add/")
    change = client.get(change_url(obj))
    delete = client.post(f"/admin/{opts.app_label}/{opts.model_name}/{obj.pk}/delete/", {"post": "yes"})
    # then
    assert add.status_code == 403
    assert not change.context["has_change_permission"]
    assert delete.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", [Condition, DocumentType], ids=lambda m: m._meta.model_name)
def test_officers_only_read_the_library(client_for, officer, make_object, model):
    # given
    obj = make_object(model._meta.model_name)
    opts = model._meta
    # when
    add = client_for(officer).get(f"/admin/{opts.app_label}/{opts.model_name}/add/")
    change = client_for(officer).get(change_url(obj))
    # then
    assert add.status_code == 403
    assert not change.context["has_change_permission"]


def test_administrator_adds_a_condition_to_the_library(client_for):
    # given
    data = {
        "code": "vog_staff",
        "title": "VOG voor al het personeel",
        "explanation": "Elke medewerker heeft een verklaring omtrent het gedrag.",
        "category": "integrity",
        "mandatory": "on",
        "is_active": "on",
        "method": "documents",
        "document_types": [DocumentType.objects.get(code="vog_policy").pk],
    }
    # when
    response = client_for(administrator()).post("/admin/compliance/condition/add/", data)
    # then
    assert response.status_code == 302
    condition = Condition.objects.get(code="vog_staff")
    assert [t.code for t in condition.document_types.all()] == ["vog_policy"]


def test_a_metric_condition_needs_a_threshold(client_for):
    # given
    data = {
        "code": "profit_cap",
        "title": "Winst begrensd",
        "explanation": "-",
        "category": "governance",
        "method": "metric",
        "metric": "flex_contract_share_pct",
        "comparison": "lte",
    }
    # when
    response = client_for(administrator()).post("/admin/compliance/condition/add/", data)
    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Condition.objects.filter(code="profit_cap").exists()


def test_condition_changelist_filters(client_for, auditor):
    # when
    response = client_for(auditor).get(
        changelist_url(Condition), {"category": "anti_discrimination", "mandatory__exact": "1"}
    )
    # then
    codes = {c.code for c in response.context["cl"].result_list}
    assert codes == {
        "anti_discrimination_policy",
        "complaints_cover_discrimination",
        "confidential_advisor",
        "discrimination_training",
    }


def test_evaluation_changelist_filters_on_outcome_condition_and_trigger(client_for, auditor):
    # given
    agreement = evaluated_agreement()
    # when
    response = client_for(auditor).get(
        changelist_url(ConditionEvaluation),
        {
            "outcome__exact": "pending",
            "condition__id__exact": Condition.objects.get(code="anti_discrimination_policy").pk,
            "trigger__exact": "manual",
        },
    )
    # then
    rows = list(response.context["cl"].result_list)
    assert [(r.subject_uuid, r.condition.code, r.outcome) for r in rows] == [
        (agreement.uuid, "anti_discrimination_policy", "pending")
    ]


def test_evaluation_change_page_shows_evidence_with_the_document_checksum(client_for, auditor):
    # given
    from compliance.conditions.services import conditions_evaluate
    from tests.compliance.factories import agreement_with

    agreement = agreement_with("anti_discrimination_policy")
    document = compliance_factories.DocumentFactory(provider=agreement.provider, accepted=True)
    conditions_evaluate(subject=agreement)
    evaluation = ConditionEvaluation.objects.get(subject_uuid=agreement.uuid)
    # when
    response = client_for(auditor).get(change_url(evaluation))
    # then
    assert document.sha256.encode() in response.content
    assert change_url(document).encode() in response.content
    assert change_url(agreement).encode() in response.content


# --------------------------------------------------------------------------- constant queries


def make_evaluation():
    evaluated_agreement("anti_discrimination_policy")


def make_waiver():
    from compliance.conditions.services import waiver_approve

    waiver_approve(uuid=requested_waiver().uuid, actor=factories.officer())  # requester and decider shown


def make_declaration():
    compliance_factories.DeclarationFactory()


def make_judgement():
    compliance_factories.JudgementFactory()


def make_figures():
    compliance_factories.AnnualFiguresFactory()


def make_signal():
    compliance_factories.FraudSignalFactory()


def make_nothing():
    """The library comes with the migrations."""


CASES = [
    (Condition, make_nothing),
    (DocumentType, make_nothing),
    (ConditionEvaluation, make_evaluation),
    (Waiver, make_waiver),
    (ProviderDeclaration, make_declaration),
    (OfficerJudgement, make_judgement),
    (ProviderAnnualFigures, make_figures),
    (FraudSignal, make_signal),
    (AuditEvent, lambda: factories.audit_event(actor=factories.UserFactory())),
]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(("model", "make"), CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_changelist_query_count_does_not_grow_with_rows(client_for, officer, model, make):
    # given
    client = client_for(officer)
    url = changelist_url(model)
    for _ in range(3):
        make()
    few = count_queries(client, url)
    # when
    for _ in range(12):
        make()
    many = count_queries(client, url)
    # then
    assert many == few
