"""Writes of the coalitions app: coalition and membership transitions, lead handover."""

from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from audit.services import audit_record
from compliance import guards as condition_guards
from core.exceptions import GuardFailed, InvalidTransition
from core.guards import Unmet
from core.transitions import check_guards, operation, perform_transition, require_permission

from . import guards
from .models import Coalition, Membership, MembershipRole, MembershipStatus


def coalition_activate(*, uuid: UUID, actor: Any, reason: str = "") -> Coalition:
    return perform_transition(
        model=Coalition,
        uuid=uuid,
        name="activate",
        actor=actor,
        reason=reason,
        guards=[guards.coalition_has_exactly_one_active_lead],
    )


def coalition_dissolve(*, uuid: UUID, actor: Any, reason: str = "") -> Coalition:
    return perform_transition(model=Coalition, uuid=uuid, name="dissolve", actor=actor, reason=reason)


def coalition_complete_dissolution(*, uuid: UUID, actor: Any, reason: str = "") -> Coalition:
    return perform_transition(
        model=Coalition,
        uuid=uuid,
        name="complete_dissolution",
        actor=actor,
        reason=reason,
        guards=[guards.coalition_all_memberships_ended],
    )


def membership_admit(*, uuid: UUID, actor: Any, reason: str = "") -> Membership:
    return perform_transition(
        model=Membership,
        uuid=uuid,
        name="admit",
        actor=actor,
        reason=reason,
        guards=[guards.membership_coalition_not_dissolved],
    )


def membership_activate(*, uuid: UUID, actor: Any, reason: str = "") -> Membership:
    return perform_transition(
        model=Membership,
        uuid=uuid,
        name="activate",
        actor=actor,
        reason=reason,
        guards=[
            guards.membership_coalition_not_dissolved,
            guards.membership_lead_slot_free,
            condition_guards.conditions_hold,
        ],
    )


def membership_suspend(*, uuid: UUID, actor: Any, reason: str = "") -> Membership:
    return perform_transition(
        model=Membership,
        uuid=uuid,
        name="suspend",
        actor=actor,
        reason=reason,
        kwargs={"reason": (reason or "").strip()},
    )


def membership_reinstate(*, uuid: UUID, actor: Any, reason: str = "") -> Membership:
    return perform_transition(
        model=Membership,
        uuid=uuid,
        name="reinstate",
        actor=actor,
        reason=reason,
        guards=[
            guards.membership_coalition_not_dissolved,
            guards.membership_lead_slot_free,
            condition_guards.conditions_hold,
        ],
    )


def membership_exit(*, uuid: UUID, actor: Any, reason: str = "") -> Membership:
    return perform_transition(
        model=Membership,
        uuid=uuid,
        name="exit",
        actor=actor,
        reason=reason,
        guards=[guards.membership_not_the_indispensable_lead],
    )


def membership_end(*, uuid: UUID, actor: Any, reason: str = "") -> Membership:
    return perform_transition(model=Membership, uuid=uuid, name="end", actor=actor, reason=reason)


def membership_make_lead(*, uuid: UUID, actor: Any, reason: str = "") -> Membership:
    """Hand the lead to this (active) membership; the current lead becomes an ordinary member.
    Locks the coalition first, then its memberships in pk order, so handovers never deadlock."""
    with transaction.atomic():
        membership = Membership.objects.select_related("coalition").get(uuid=uuid)
        Coalition.objects.select_for_update().get(pk=membership.coalition_id)
        locked = list(
            Membership.objects.select_for_update().filter(coalition=membership.coalition_id).order_by("pk")
        )
        membership = next(m for m in locked if m.pk == membership.pk)
        require_permission(
            actor,
            "coalitions.transition_membership",
            _("You are not allowed to appoint the lead contractor."),
        )
        if membership.status != MembershipStatus.ACTIVE:
            raise InvalidTransition(
                _("Only an active member can become the lead contractor."), current_status=membership.status
            )
        unmet = check_guards(membership, actor, [guards.membership_coalition_not_dissolved])
        if membership.is_lead:
            unmet.append(Unmet("already_lead", _("This member is already the lead contractor.")))
        if unmet:
            raise GuardFailed(
                "; ".join(u.message for u in unmet),
                unmet=[u.as_dict() for u in unmet],
                current_status=membership.status,
            )
        previous = [m for m in locked if m.role == MembershipRole.LEAD and m.status != MembershipStatus.ENDED]
        for old in previous:
            old.role = MembershipRole.MEMBER
            old.save(update_fields=["role", "updated_at"])
        membership.role = MembershipRole.LEAD
        membership.save(update_fields=["role", "updated_at"])
        audit_record(
            actor=actor,
            event="membership.lead_appointed",
            subject=membership,
            reason=(reason or "").strip(),
            from_state=membership.status,
            to_state=membership.status,
            data={"previousLead": [str(m.uuid) for m in previous]},
        )
    return membership


operation(
    label=_lazy("Appoint as lead contractor"),
    available=lambda m, user: (
        m.status == MembershipStatus.ACTIVE
        and not m.is_lead
        and user.has_perm("coalitions.transition_membership")
    ),
)(membership_make_lead)

COALITION_TRANSITIONS = {
    "activate": coalition_activate,
    "dissolve": coalition_dissolve,
    "complete_dissolution": coalition_complete_dissolution,
}
MEMBERSHIP_TRANSITIONS = {
    "admit": membership_admit,
    "activate": membership_activate,
    "suspend": membership_suspend,
    "reinstate": membership_reinstate,
    "exit": membership_exit,
    "end": membership_end,
    "make_lead": membership_make_lead,
}
