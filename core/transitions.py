"""The one mechanism every state change goes through.

A service function per transition (``agreement_suspend``, ``procedure_open`` ...) calls
``perform_transition``. It locks the row, checks that the transition exists from the current state,
that the actor may take it, that a reason is given where one is required and that every guard holds;
then it runs the in-memory FSM transition, saves, writes the audit event in the same transaction and
runs follow-ups. A refusal leaves the row exactly as it was.
"""

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from audit.services import audit_record
from core.exceptions import GuardFailed, InvalidTransition, ReasonRequired, TransitionForbidden
from core.guards import Unmet

M = TypeVar("M", bound=models.Model)
Guard = Callable[[Any, Any], Iterable[Unmet]]


def require_permission(actor: Any, perm: str, message: str) -> None:
    """Refuse (403 ``transition_forbidden``) unless ``actor`` is a logged-in user holding ``perm``: the
    one check every service that is not an FSM transition makes before it decides anything."""
    if not (actor is not None and actor.is_authenticated and actor.has_perm(perm)):
        raise TransitionForbidden(message)


def lock(model: type[M], uuid: Any) -> M:
    return model.objects.select_for_update().get(uuid=uuid)


def check_guards(obj: Any, actor: Any, guards: Sequence[Guard]) -> list[Unmet]:
    return [unmet for guard in guards for unmet in guard(obj, actor)]


def perform_transition(
    *,
    model: type[M],
    uuid: Any,
    name: str,
    actor: Any,
    reason: str = "",
    reason_required: bool = False,
    guards: Sequence[Guard] = (),
    kwargs: dict[str, Any] | None = None,
    after: Callable[[M, str], dict[str, Any] | None] | None = None,
) -> M:

    reason = (reason or "").strip()
    with transaction.atomic():
        obj = lock(model, uuid)
        method = getattr(obj, name)
        from_state = obj.status
        # Who may act is decided before the state: an auditor is refused the same way in every state.
        if not may_take(obj, name, actor):
            raise TransitionForbidden(
                _("You are not allowed to take the step '%(transition)s' for %(object)s.")
                % {"transition": transition_label(model, name), "object": obj}
            )
        if not can_proceed(method, check_conditions=False):
            raise InvalidTransition(
                _("%(object)s cannot take the step '%(transition)s' while its state is '%(status)s'.")
                % {
                    "object": obj,
                    "transition": transition_label(model, name),
                    "status": obj.get_status_display(),
                },
                current_status=from_state,
            )
        if (reason_required or _custom(model, name).get("reason_required")) and not reason:
            raise ReasonRequired()
        unmet = check_guards(obj, actor, guards)
        if unmet:
            raise GuardFailed(
                _("%(object)s cannot take the step '%(transition)s': %(unmet)s")
                % {
                    "object": obj,
                    "transition": transition_label(model, name),
                    "unmet": "; ".join(u.message for u in unmet),
                },
                unmet=[u.as_dict() for u in unmet],
                current_status=from_state,
            )
        try:
            method(**(kwargs or {}))
        except TransitionNotAllowed as exc:  # a model-level condition refused
            raise InvalidTransition(str(exc), current_status=from_state) from exc
        obj.save()
        data = (after(obj, from_state) if after else None) or {}
        audit_record(
            actor=actor,
            event=f"{model._meta.model_name}.{past_tense(name)}",
            subject=obj,
            from_state=from_state,
            to_state=obj.status,
            reason=reason,
            data=data,
        )
    return obj


def may_take(obj: Any, name: str, actor: Any) -> bool:
    """Whether ``actor`` holds the permission of transition ``name``, whatever the current state."""
    field = obj._meta.get_field("status")
    return any(t.has_perm(obj, actor) for t in field.get_all_transitions(type(obj)) if t.name == name)


def available_transitions(obj: Any, user: Any, registry: dict[str, Callable]) -> list[str]:
    """Names from ``registry`` the user may take now: FSM transitions from the current state that the
    user holds the permission for, plus operations (services with an ``available`` predicate).
    Guards that need the database are not evaluated here; a refused guard answers with its reasons."""
    fsm_names = {t.name for t in obj.get_available_user_status_transitions(user)}
    names = []
    for name, service in registry.items():
        predicate = getattr(service, "available", None)
        if predicate(obj, user) if predicate else name in fsm_names:
            names.append(name)
    return names


def operation(*, label: Any, available: Callable[[Any, Any], bool], reason_required: bool = False):
    """Marks a service that is a registered step but not an FSM transition (an event such as an
    extension, or the first half of a four-eyes decision): its label, when it is available, and
    whether it needs a reason. FSM transitions carry the same facts in their ``custom`` dict."""

    def mark(service: Callable) -> Callable:
        service.label = label
        service.available = available
        service.reason_required = reason_required
        return service

    return mark


def step_label(model: type[models.Model], name: str, service: Callable | None = None) -> str:
    label = getattr(service, "label", None)
    return str(label) if label else transition_label(model, name)


def step_reason_required(model: type[models.Model], name: str, service: Callable | None = None) -> bool:
    if getattr(service, "reason_required", False):
        return True
    return bool(_custom(model, name).get("reason_required"))


def _custom(model: type[models.Model], name: str) -> dict[str, Any]:
    meta = getattr(getattr(model, name, None), "_django_fsm", None)
    if meta is None:
        return {}
    for t in meta.transitions.values():
        if t.custom:
            return dict(t.custom)
    return {}


def transition_label(model: type[models.Model], name: str) -> str:
    method = getattr(model, name, None)
    custom = getattr(method, "_django_fsm", None)
    if custom is not None:
        for t in custom.transitions.values():
            label = (t.custom or {}).get("label")
            if label:
                return str(label)
    return name


_IRREGULAR = {
    "start_consultation": "consultation_started",
    "open": "opened",
    "close_applications": "applications_closed",
    "start_review": "review_started",
    "submit": "submitted",
    "admit": "admitted",
    "accept": "accepted",
    "reject": "rejected",
    "withdraw": "withdrawn",
    "offer": "offered",
    "activate": "activated",
    "suspend": "suspended",
    "reinstate": "reinstated",
    "terminate": "terminated",
    "end": "ended",
    "expire": "expired",
    "cancel": "cancelled",
    "conclude": "concluded",
    "dissolve": "dissolution_started",
    "complete_dissolution": "dissolved",
    "exit": "exit_started",
    "start_investigation": "investigation_started",
    "confirm": "confirmed",
    "dismiss": "dismissed",
}


def past_tense(name: str) -> str:
    return _IRREGULAR.get(name, f"{name}_done")
