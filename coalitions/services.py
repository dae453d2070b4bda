"""Writes of the coalitions app: coalition and membership transitions, lead handover."""

from typing import Any
from uuid import UUID

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalitions import guards
from coalitions.models import Coalition, Membership, MembershipRole, MembershipStatus
from compliance.conditions import guards as condition_guards
from compliance.conditions.services import conditions_record_transition
from core.actors import Actor
from core.transitions import operation, perform_operation, perform_transition


def coalition_activate(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Coalition:
    return perform_transition(
        model=Coalition,
        uuid=uuid,
        name="activate",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.coalition_has_exactly_one_active_lead],
    )


def coalition_dissolve(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Coalition:
    return perform_transition(
        model=Coalition, uuid=uuid, name="dissolve", actor=actor, if_match=if_match, reason=reason
    )


def coalition_complete_dissolution(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Coalition:
    return perform_transition(
        model=Coalition,
        uuid=uuid,
        name="complete_dissolution",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.coalition_all_memberships_ended],
    )


def membership_admit(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Membership:
    return perform_transition(
        model=Membership,
        locker=lock_with_coalition,
        uuid=uuid,
        name="admit",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.membership_coalition_not_dissolved],
    )


def membership_activate(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Membership:
    return perform_transition(
        model=Membership,
        locker=lock_with_coalition,
        uuid=uuid,
        name="activate",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[
            guards.membership_coalition_not_dissolved,
            guards.membership_lead_slot_free,
            condition_guards.conditions_hold,
        ],
        record=[conditions_record_transition],
    )


def membership_suspend(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Membership:
    return perform_transition(
        model=Membership,
        locker=lock_with_coalition,
        uuid=uuid,
        name="suspend",
        actor=actor,
        if_match=if_match,
        reason=reason,
        kwargs={"reason": (reason or "").strip()},
    )


def membership_reinstate(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Membership:
    return perform_transition(
        model=Membership,
        locker=lock_with_coalition,
        uuid=uuid,
        name="reinstate",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[
            guards.membership_coalition_not_dissolved,
            guards.membership_lead_slot_free,
            condition_guards.conditions_hold,
        ],
        record=[conditions_record_transition],
    )


def membership_exit(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Membership:
    return perform_transition(
        model=Membership,
        locker=lock_with_coalition,
        uuid=uuid,
        name="exit",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[guards.membership_not_the_indispensable_lead],
    )


def membership_end(*, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None) -> Membership:
    return perform_transition(
        model=Membership,
        locker=lock_with_coalition,
        uuid=uuid,
        name="end",
        actor=actor,
        if_match=if_match,
        reason=reason,
    )


def lock_with_coalition(model: type[Membership], uuid: UUID) -> Membership:
    """Lock the membership's coalition first, then all its memberships in pk order: every membership
    step locks this way, so a lead handover and a transition never deadlock."""
    membership = Membership.objects.only("pk", "coalition_id").get(uuid=uuid)
    Coalition.objects.select_for_update().get(pk=membership.coalition_id)
    locked = Membership.objects.select_for_update().filter(coalition=membership.coalition_id).order_by("pk")
    return next(m for m in locked if m.pk == membership.pk)


def membership_make_lead(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> Membership:
    """Hand the lead to this (active) membership; the current lead becomes an ordinary member."""

    def appoint(membership: Membership) -> dict[str, Any]:
        previous = list(
            Membership.objects.filter(coalition=membership.coalition_id, role=MembershipRole.LEAD)
            .exclude(status=MembershipStatus.ENDED)
            .exclude(pk=membership.pk)
        )
        for old in previous:
            old.role = MembershipRole.MEMBER
            old.save(update_fields=["role", "updated_at"])
        membership.role = MembershipRole.LEAD
        return {"previousLead": [str(m.uuid) for m in previous]}

    return perform_operation(
        model=Membership,
        uuid=uuid,
        event="membership.lead_appointed",
        actor=actor,
        permission="coalitions.transition_membership",
        forbidden=_("You are not allowed to appoint the lead contractor."),
        states=[MembershipStatus.ACTIVE],
        wrong_state=_("Only an active member can become the lead contractor."),
        label=_("Appoint as lead contractor"),
        reason=reason,
        guards=[guards.membership_coalition_not_dissolved, guards.membership_not_yet_lead],
        if_match=if_match,
        locker=lock_with_coalition,
        change=appoint,
    )


operation(
    label=gettext_lazy("Appoint as lead contractor"),
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
