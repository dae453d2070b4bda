"""Guards of the coalition and membership state machines (each yields unmet requirements)."""

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from coalitions.models import Coalition, CoalitionStatus, Membership, MembershipRole, MembershipStatus
from core.guards import Unmet


def coalition_has_exactly_one_active_lead(coalition: Coalition, actor: Any = None) -> Iterable[Unmet]:
    leads = coalition.memberships.filter(role=MembershipRole.LEAD, status=MembershipStatus.ACTIVE).count()
    if leads != 1:
        yield Unmet(
            "lead_count",
            _("An active coalition needs exactly one active lead contractor (penvoerder); it has %(count)s.")
            % {"count": leads},
        )


def coalition_all_memberships_ended(coalition: Coalition, actor: Any = None) -> Iterable[Unmet]:
    open_count = coalition.memberships.exclude(status=MembershipStatus.ENDED).count()
    if open_count:
        yield Unmet(
            "memberships_open",
            _("%(count)s membership(s) have not ended yet.") % {"count": open_count},
        )


def membership_coalition_not_dissolved(membership: Membership, actor: Any = None) -> Iterable[Unmet]:
    if membership.coalition.status in (CoalitionStatus.DISSOLVING, CoalitionStatus.DISSOLVED):
        yield Unmet("coalition_dissolving", _("The coalition is being dissolved."))


def membership_lead_slot_free(membership: Membership, actor: Any = None) -> Iterable[Unmet]:
    if membership.is_lead and (
        Membership.objects.filter(
            coalition=membership.coalition_id, role=MembershipRole.LEAD, status=MembershipStatus.ACTIVE
        )
        .exclude(pk=membership.pk)
        .exists()
    ):
        yield Unmet("second_lead", _("The coalition already has an active lead contractor."))


def membership_not_the_indispensable_lead(membership: Membership, actor: Any = None) -> Iterable[Unmet]:
    """The lead of an active coalition cannot leave (or be suspended) without a successor."""
    if membership.is_lead and membership.coalition.status == CoalitionStatus.ACTIVE:
        yield Unmet(
            "lead_without_successor",
            _("This is the lead contractor of an active coalition: first appoint a successor."),
        )


def membership_not_yet_lead(membership: Membership, actor: Any = None) -> Iterable[Unmet]:
    """Appointing a lead: this member is not the lead contractor already."""
    if membership.is_lead:
        yield Unmet("already_lead", _("This member is already the lead contractor."))
