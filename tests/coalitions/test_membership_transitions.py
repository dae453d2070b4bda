import pytest

from audit.models import AuditEvent
from coalitions.models import MembershipRole, MembershipStatus
from coalitions.services import (
    membership_activate,
    membership_admit,
    membership_end,
    membership_exit,
    membership_make_lead,
    membership_reinstate,
    membership_suspend,
)
from core.exceptions import GuardFailed, InvalidTransition, ReasonRequired, TransitionForbidden
from tests import factories

pytestmark = pytest.mark.django_db


def unmet_codes(exc) -> list[str]:
    return [u["code"] for u in exc.value.extra["unmet"]]


def active_coalition_with_lead():
    coalition = factories.CoalitionFactory(active=True)
    lead = factories.MembershipFactory(coalition=coalition, lead=True, active=True)
    member = factories.MembershipFactory(coalition=coalition, active=True)
    return coalition, lead, member


def test_admit_then_activate(officer):
    membership = factories.MembershipFactory()
    membership_admit(uuid=membership.uuid, actor=officer)
    membership_activate(uuid=membership.uuid, actor=officer)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE


def test_admission_is_refused_in_a_dissolving_coalition(officer):
    membership = factories.MembershipFactory(coalition=factories.CoalitionFactory(dissolving=True))
    with pytest.raises(GuardFailed) as exc:
        membership_admit(uuid=membership.uuid, actor=officer)
    assert unmet_codes(exc) == ["coalition_dissolving"]


def test_a_second_lead_cannot_be_activated(officer):
    coalition, _lead, _member = active_coalition_with_lead()
    newcomer = factories.MembershipFactory(coalition=coalition, lead=True, admitted=True)
    with pytest.raises(GuardFailed) as exc:
        membership_activate(uuid=newcomer.uuid, actor=officer)
    assert unmet_codes(exc) == ["second_lead"]


def test_member_suspension_needs_a_reason(officer):
    _coalition, _lead, member = active_coalition_with_lead()
    with pytest.raises(ReasonRequired):
        membership_suspend(uuid=member.uuid, actor=officer)
    membership_suspend(uuid=member.uuid, actor=officer, reason="Fraudesignaal bevestigd")
    member.refresh_from_db()
    assert (member.status, member.suspension_reason) == (
        MembershipStatus.SUSPENDED,
        "Fraudesignaal bevestigd",
    )
    membership_reinstate(uuid=member.uuid, actor=officer)
    member.refresh_from_db()
    assert member.status == MembershipStatus.ACTIVE


def test_the_lead_cannot_leave_an_active_coalition_without_a_successor(officer):
    _coalition, lead, _member = active_coalition_with_lead()
    with pytest.raises(GuardFailed) as exc:
        membership_exit(uuid=lead.uuid, actor=officer, reason="Stopt")
    assert unmet_codes(exc) == ["lead_without_successor"]
    lead.refresh_from_db()
    assert lead.status == MembershipStatus.ACTIVE


def test_the_lead_can_be_suspended_and_stays_the_lead(officer):
    """A confirmed fraud signal must be able to suspend any member, the lead included (DESIGN.md);
    the lead keeps its role, so the coalition still has exactly one lead to reinstate or replace."""
    _coalition, lead, _member = active_coalition_with_lead()
    membership_suspend(uuid=lead.uuid, actor=officer, reason="Fraudesignaal bevestigd")
    lead.refresh_from_db()
    assert (lead.status, lead.role) == (MembershipStatus.SUSPENDED, MembershipRole.LEAD)


def test_lead_cannot_be_handed_over_in_a_dissolving_coalition(officer):
    coalition, _lead, member = active_coalition_with_lead()
    type(coalition).objects.filter(pk=coalition.pk).update(status="dissolving")
    with pytest.raises(GuardFailed) as exc:
        membership_make_lead(uuid=member.uuid, actor=officer)
    assert unmet_codes(exc) == ["coalition_dissolving"]


def test_lead_handover_then_exit(officer):
    # given
    _coalition, lead, member = active_coalition_with_lead()
    # when the lead is handed over
    membership_make_lead(uuid=member.uuid, actor=officer, reason="Overdracht penvoerderschap")
    # then exactly one lead remains and the old lead may leave
    lead.refresh_from_db()
    member.refresh_from_db()
    assert (lead.role, member.role) == (MembershipRole.MEMBER, MembershipRole.LEAD)
    membership_exit(uuid=lead.uuid, actor=officer)
    membership_end(uuid=lead.uuid, actor=officer)
    lead.refresh_from_db()
    assert lead.status == MembershipStatus.ENDED
    assert AuditEvent.objects.filter(event="membership.lead_appointed", subject_uuid=member.uuid).exists()


def test_make_lead_needs_an_active_member(officer):
    coalition, _lead, _member = active_coalition_with_lead()
    admitted = factories.MembershipFactory(coalition=coalition, admitted=True)
    with pytest.raises(InvalidTransition):
        membership_make_lead(uuid=admitted.uuid, actor=officer)


def test_make_lead_is_refused_for_the_lead_itself(officer):
    _coalition, lead, _member = active_coalition_with_lead()
    with pytest.raises(GuardFailed):
        membership_make_lead(uuid=lead.uuid, actor=officer)


def test_the_lead_of_a_forming_coalition_may_exit(officer):
    lead = factories.MembershipFactory(lead=True, active=True)
    membership_exit(uuid=lead.uuid, actor=officer)
    lead.refresh_from_db()
    assert lead.status == MembershipStatus.EXITING


def test_end_from_exiting_only(officer):
    membership = factories.MembershipFactory(active=True)
    with pytest.raises(InvalidTransition):
        membership_end(uuid=membership.uuid, actor=officer)


@pytest.mark.parametrize("service", [membership_admit, membership_make_lead])
def test_provider_user_cannot_change_memberships(provider, provider_user, service):
    membership = factories.MembershipFactory(provider=provider, active=service is membership_make_lead)
    with pytest.raises(TransitionForbidden):
        service(uuid=membership.uuid, actor=provider_user)
