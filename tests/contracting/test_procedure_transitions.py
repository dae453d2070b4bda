from decimal import Decimal

import pytest

from django.utils import translation

from audit.models import AuditEvent
from contracting.models import ApplicationStatus, ProcedureStatus, Tariff
from contracting.services import (
    procedure_cancel,
    procedure_close_applications,
    procedure_conclude,
    procedure_open,
    procedure_start_consultation,
)
from core.exceptions import GuardFailed, InvalidTransition, ReasonRequired, TransitionForbidden
from tests import factories

pytestmark = pytest.mark.django_db


def test_start_consultation_moves_draft_to_consultation(officer):
    procedure = factories.ProcedureFactory()
    procedure_start_consultation(uuid=procedure.uuid, actor=officer)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION
    assert AuditEvent.objects.get(subject_uuid=procedure.uuid).event == "procedure.consultation_started"


def test_open_succeeds_when_every_guard_holds(officer):
    procedure = factories.ready_to_open_procedure()
    procedure_open(uuid=procedure.uuid, actor=officer, reason="Overleg afgerond")
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.OPEN
    event = AuditEvent.objects.get(subject_uuid=procedure.uuid)
    assert (event.event, event.from_state, event.to_state, event.reason) == (
        "procedure.opened",
        "consultation",
        "open",
        "Overleg afgerond",
    )


def _no_lots(procedure):
    procedure.lots.all().delete()


def _lot_without_products(procedure):
    factories.LotFactory(procedure=procedure)


def _tariff_missing(procedure):
    Tariff.objects.filter(authority=procedure.authority).delete()


def _real_price_missing(procedure):
    procedure.authority.costmodel_set.all().delete()


def _tariff_below_real_price(procedure):
    Tariff.objects.filter(authority=procedure.authority).update(amount=Decimal("51.12"))


def _no_minutes(procedure):
    procedure.consultation_rounds.update(minutes="")


@pytest.mark.parametrize(
    ("breaker", "code"),
    [
        (_no_lots, "no_lots"),
        (_lot_without_products, "lot_without_products"),
        (_tariff_missing, "tariff_missing"),
        (_real_price_missing, "real_price_missing"),
        (_tariff_below_real_price, "tariff_below_real_price"),
        (_no_minutes, "no_consultation_minutes"),
    ],
)
def test_open_is_refused_naming_the_unmet_guard(officer, breaker, code):
    # given
    procedure = factories.ready_to_open_procedure()
    breaker(procedure)
    # when
    with pytest.raises(GuardFailed) as exc:
        procedure_open(uuid=procedure.uuid, actor=officer)
    # then
    assert code in [u["code"] for u in exc.value.extra["unmet"]]
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION
    assert not AuditEvent.objects.filter(subject_uuid=procedure.uuid).exists()


def test_tariff_exactly_at_real_price_is_fair(officer):
    procedure = factories.ready_to_open_procedure()
    Tariff.objects.filter(authority=procedure.authority).update(amount=Decimal("51.13"))
    procedure_open(uuid=procedure.uuid, actor=officer)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.OPEN


def test_open_is_refused_from_draft(officer):
    procedure = factories.ProcedureFactory()
    with pytest.raises(InvalidTransition):
        procedure_open(uuid=procedure.uuid, actor=officer)


def test_close_applications_moves_open_to_assessing(officer):
    procedure = factories.ProcedureFactory(open=True)
    procedure_close_applications(uuid=procedure.uuid, actor=officer)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.ASSESSING


@pytest.mark.parametrize("pending", [ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW])
def test_conclude_is_refused_while_applications_are_pending(officer, pending):
    procedure = factories.ProcedureFactory(assessing=True)
    factories.ApplicationFactory(procedure=procedure, status=pending)
    with pytest.raises(GuardFailed) as exc:
        procedure_conclude(uuid=procedure.uuid, actor=officer)
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["applications_pending"]


def test_conclude_when_all_applications_are_decided(officer):
    procedure = factories.ProcedureFactory(assessing=True)
    factories.ApplicationFactory(procedure=procedure, admitted=True)
    procedure_conclude(uuid=procedure.uuid, actor=officer)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONCLUDED


def test_cancel_needs_a_reason(officer):
    procedure = factories.ProcedureFactory(open=True)
    with pytest.raises(ReasonRequired):
        procedure_cancel(uuid=procedure.uuid, actor=officer, reason="  ")
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.OPEN


@pytest.mark.parametrize("state", ["draft", "consultation", "open", "assessing"])
def test_cancel_from_every_unfinished_state(officer, state):
    procedure = factories.ProcedureFactory(status=state)
    procedure_cancel(uuid=procedure.uuid, actor=officer, reason="Budget ingetrokken")
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CANCELLED


def test_cancel_is_refused_once_concluded(officer):
    procedure = factories.ProcedureFactory(concluded=True)
    with pytest.raises(InvalidTransition):
        procedure_cancel(uuid=procedure.uuid, actor=officer, reason="Te laat")


def test_provider_user_cannot_move_a_procedure(provider_user):
    procedure = factories.ProcedureFactory()
    with pytest.raises(TransitionForbidden):
        procedure_start_consultation(uuid=procedure.uuid, actor=provider_user)


def test_the_refusal_for_a_tariff_below_the_real_price_names_both_amounts_in_dutch(officer):
    # given a tariff one cent below the reële prijs of € 51,13
    procedure = factories.ready_to_open_procedure()
    _tariff_below_real_price(procedure)
    # when
    with translation.override("nl"), pytest.raises(GuardFailed) as exc:
        procedure_open(uuid=procedure.uuid, actor=officer)
    # then
    (message,) = [u["message"] for u in exc.value.extra["unmet"] if u["code"] == "tariff_below_real_price"]
    assert "(€\u00a051,12) ligt onder de reële prijs (€\u00a051,13)" in message
