import pytest

from django.db import IntegrityError, transaction

from coalitions.models import CoalitionStatus, MembershipStatus
from coalitions.services import (
    coalition_activate,
    coalition_complete_dissolution,
    coalition_dissolve,
)
from core.exceptions import GuardFailed, InvalidTransition, ReasonRequired, TransitionForbidden
from tests import factories

pytestmark = pytest.mark.django_db


def test_activate_with_exactly_one_active_lead(officer):
    coalition = factories.CoalitionFactory()
    factories.MembershipFactory(coalition=coalition, lead=True, active=True)
    factories.MembershipFactory(coalition=coalition, active=True)
    coalition_activate(uuid=coalition.uuid, actor=officer)
    coalition.refresh_from_db()
    assert coalition.status == CoalitionStatus.ACTIVE


@pytest.mark.parametrize("lead_status", [None, "admitted", "suspended"])
def test_activate_is_refused_without_an_active_lead(officer, lead_status):
    coalition = factories.CoalitionFactory()
    factories.MembershipFactory(coalition=coalition, active=True)
    if lead_status:
        factories.MembershipFactory(
            coalition=coalition,
            lead=True,
            status=lead_status,
            suspension_reason="x" if lead_status == "suspended" else "",
        )
    with pytest.raises(GuardFailed) as exc:
        coalition_activate(uuid=coalition.uuid, actor=officer)
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["lead_count"]
    coalition.refresh_from_db()
    assert coalition.status == CoalitionStatus.FORMING


def test_database_refuses_a_second_active_lead():
    coalition = factories.CoalitionFactory()
    factories.MembershipFactory(coalition=coalition, lead=True, active=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.MembershipFactory(coalition=coalition, lead=True, active=True)


def test_dissolve_needs_a_reason(officer):
    coalition = factories.CoalitionFactory(active=True)
    with pytest.raises(ReasonRequired):
        coalition_dissolve(uuid=coalition.uuid, actor=officer)
    coalition_dissolve(uuid=coalition.uuid, actor=officer, reason="Opgegaan in regionale coalitie")
    coalition.refresh_from_db()
    assert coalition.status == CoalitionStatus.DISSOLVING


def test_dissolution_completes_only_when_every_membership_ended(officer):
    coalition = factories.CoalitionFactory(dissolving=True)
    membership = factories.MembershipFactory(coalition=coalition, exiting=True)
    with pytest.raises(GuardFailed) as exc:
        coalition_complete_dissolution(uuid=coalition.uuid, actor=officer)
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["memberships_open"]
    type(membership).objects.filter(pk=membership.pk).update(status=MembershipStatus.ENDED)
    coalition_complete_dissolution(uuid=coalition.uuid, actor=officer)
    coalition.refresh_from_db()
    assert coalition.status == CoalitionStatus.DISSOLVED


def test_activate_is_refused_when_already_active(officer):
    coalition = factories.CoalitionFactory(active=True)
    with pytest.raises(InvalidTransition):
        coalition_activate(uuid=coalition.uuid, actor=officer)


def test_auditor_cannot_dissolve(auditor):
    coalition = factories.CoalitionFactory(active=True)
    with pytest.raises(TransitionForbidden):
        coalition_dissolve(uuid=coalition.uuid, actor=auditor, reason="x")
