"""condition_set_change: the condition set of a procedure or coalition changes through one audited service;
annual_figures_save: figures entered by an officer are audited and re-evaluate the provider."""

import pytest

from audit.models import AuditEvent
from compliance.conditions.services import annual_figures_save, condition_set_change
from compliance.models import ConditionEvaluation, ConditionRequirement, ProviderAnnualFigures
from core.exceptions import GuardFailed, InvalidInput, TransitionForbidden
from tests import factories
from tests.compliance.factories import AnnualFiguresFactory, agreement_with, condition
from tests.factories import today

pytestmark = pytest.mark.django_db


def set_of(owner) -> set[str]:
    return set(owner.condition_requirements.values_list("condition__code", flat=True))


def test_adds_and_removes_conditions_and_records_both(officer):
    # given
    procedure = factories.ready_to_open_procedure()
    # when
    result = condition_set_change(
        owner=procedure,
        add=[condition("meldcode")],
        remove=[condition("anti_discrimination_policy")],
        actor=officer,
        reason="Bestuurlijk overleg 12 maart",
    )
    # then
    assert set_of(procedure) == {"fair_pay_tariff", "meldcode"} == {c.code for c in result}
    event = AuditEvent.objects.get()
    assert (event.event, event.subject_uuid, event.actor, event.reason) == (
        "procedure.condition_set_changed",
        procedure.uuid,
        officer,
        "Bestuurlijk overleg 12 maart",
    )
    assert event.data == {"added": ["meldcode"], "removed": ["anti_discrimination_policy"]}


def test_conditions_already_in_or_out_of_the_set_change_nothing(officer):
    # given
    procedure = factories.ready_to_open_procedure()
    # when
    condition_set_change(
        owner=procedure, add=[condition("fair_pay_tariff")], remove=[condition("meldcode")], actor=officer
    )
    # then
    assert set_of(procedure) == {"fair_pay_tariff", "anti_discrimination_policy"}
    assert not AuditEvent.objects.exists()


def test_coalition_condition_set(officer):
    # given
    coalition = factories.CoalitionFactory()
    # when
    condition_set_change(owner=coalition, add=[condition("meldcode")], actor=officer)
    # then
    assert set_of(coalition) == {"meldcode"}
    assert AuditEvent.objects.get().event == "coalition.condition_set_changed"


@pytest.mark.parametrize("code", ["fair_pay_tariff", "anti_discrimination_policy"])
def test_an_open_procedure_keeps_a_complete_condition_set(officer, code):
    # given
    procedure = factories.ready_to_open_procedure(status="open")
    # when
    with pytest.raises(GuardFailed) as exc:
        condition_set_change(owner=procedure, remove=[condition(code)], actor=officer)
    # then
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["condition_set_incomplete"]
    assert code in set_of(procedure)
    assert not AuditEvent.objects.exists()


def test_a_draft_procedure_may_lack_fair_pay_for_now(officer):
    # given
    procedure = factories.ready_to_open_procedure()
    # when
    condition_set_change(owner=procedure, remove=[condition("fair_pay_tariff")], actor=officer)
    # then
    assert set_of(procedure) == {"anti_discrimination_policy"}


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"add": ["meldcode"], "remove": ["meldcode"]},
    ],
    ids=["nothing", "both"],
)
def test_invalid_requests_are_refused(officer, kwargs):
    # given
    procedure = factories.ready_to_open_procedure()
    kwargs = {k: [condition(c) for c in v] for k, v in kwargs.items()}
    # when / then
    with pytest.raises(InvalidInput):
        condition_set_change(owner=procedure, actor=officer, **kwargs)
    assert ConditionRequirement.objects.filter(procedure=procedure).count() == 2


def test_an_inactive_condition_cannot_be_added(officer):
    # given
    procedure = factories.ready_to_open_procedure()
    retired = condition("meldcode")
    retired.is_active = False
    retired.save(update_fields=["is_active"])
    # when / then
    with pytest.raises(InvalidInput):
        condition_set_change(owner=procedure, add=[retired], actor=officer)


@pytest.mark.parametrize("role", ["auditor", "provider_user"])
def test_only_officers_change_condition_sets(request, role):
    # given
    procedure = factories.ready_to_open_procedure()
    actor = request.getfixturevalue(role)
    # when / then
    with pytest.raises(TransitionForbidden):
        condition_set_change(owner=procedure, add=[condition("meldcode")], actor=actor)
    with pytest.raises(TransitionForbidden):
        condition_set_change(owner=procedure, remove=[condition("fair_pay_tariff")], actor=actor)
    assert not AuditEvent.objects.exists()


def test_subjects_of_the_procedure_are_re_evaluated_after_commit(officer, django_capture_on_commit_callbacks):
    # given an agreement from the procedure, evaluated before the change
    agreement = agreement_with("anti_discrimination_policy")
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        condition_set_change(owner=agreement.procedure, add=[condition("meldcode")], actor=officer)
    # then
    assert len(callbacks) == 1
    evaluated = set(
        ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid).values_list(
            "condition__code", flat=True
        )
    )
    assert evaluated == {"anti_discrimination_policy", "meldcode"}


# --------------------------------------------------------------------------- annual figures


def test_annual_figures_are_audited_and_re_evaluate_the_provider(officer, django_capture_on_commit_callbacks):
    # given
    agreement = agreement_with("flex_contracts_limited")
    figures = ProviderAnnualFigures(
        provider=agreement.provider, year=today().year - 1, wnt_class="III", flex_contract_share_pct=12
    )
    # when
    with django_capture_on_commit_callbacks(execute=True):
        annual_figures_save(figures=figures, actor=officer)
    # then
    event = AuditEvent.objects.get()
    assert (event.event, event.subject_uuid, event.data["created"]) == (
        "annual_figures.changed",
        figures.uuid,
        True,
    )
    assert event.data["values"]["flex_contract_share_pct"] == "12.00"
    assert ConditionEvaluation.objects.get(subject_uuid=agreement.uuid).outcome == "satisfied"


def test_changed_annual_figures_record_only_what_changed(officer):
    # given
    figures = AnnualFiguresFactory()
    figures.profit = 90_000
    # when
    annual_figures_save(figures=figures, actor=officer, changed=["profit"])
    # then
    assert AuditEvent.objects.get().data["values"] == {"profit": "90000.00"}


def test_auditor_cannot_record_annual_figures(auditor):
    # given
    figures = ProviderAnnualFigures(provider=factories.ProviderFactory(), year=2024, wnt_class="III")
    # when / then
    with pytest.raises(TransitionForbidden):
        annual_figures_save(figures=figures, actor=auditor)
    assert not ProviderAnnualFigures.objects.exists()


def test_permission_is_checked_before_the_request(auditor):
    # given
    procedure = factories.ready_to_open_procedure()
    # when / then: an auditor is refused as such, even for an empty request
    with pytest.raises(TransitionForbidden):
        condition_set_change(owner=procedure, actor=auditor)
