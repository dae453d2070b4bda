"""The one mechanism every state change goes through.

A service function per transition (``agreement_suspend``, ``procedure_open`` ...) calls
``perform_transition``. It locks the row, checks that the transition exists from the current state,
that the actor may take it, that a reason is given where one is required and that every guard holds;
then it runs the in-memory FSM transition, saves, writes the audit event in the same transaction and
runs follow-ups. A refusal leaves the row exactly as it was.
"""

import datetime
import hashlib
import uuid as uuid_lib
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.translation import gettext as _
from django_fsm import TransitionNotAllowed, can_proceed

from audit.services import audit_record
from core.actors import Actor, Viewer
from core.exceptions import (
    GuardFailed,
    InvalidTransition,
    PreconditionRequired,
    ReasonRequired,
    StaleObject,
    TransitionForbidden,
)
from core.guards import Unmet

if TYPE_CHECKING:
    from django.db.models.options import Options
    from django.utils.functional import _StrPromise

    from core.models import BaseModel


class StatefulModel(Protocol):
    """What a model needs for ``perform_transition``/``perform_operation``: a ``BaseModel`` with an
    FSM ``status`` field (django-fsm ships no types, so the checker cannot see that field itself)."""

    objects: ClassVar[Any]  # its manager: a Manager[Self], or a subclass made from a QuerySet
    _meta: ClassVar["Options[Any]"]
    pk: Any
    status: Any

    @property
    def uuid(self) -> uuid_lib.UUID: ...

    @property
    def updated_at(self) -> datetime.datetime: ...

    def get_status_display(self) -> str: ...

    def save(self) -> None: ...


M = TypeVar("M", bound=StatefulModel)
Guard = Callable[[Any, Actor], Iterable[Unmet]]


def require_permission(actor: Actor, perm: str, message: str) -> None:
    """Refuse (403 ``transition_forbidden``) unless ``actor`` is a logged-in user holding ``perm``: the
    one check every service that is not an FSM transition makes before it decides anything."""
    if not (actor is not None and actor.is_authenticated and actor.has_perm(perm)):
        raise TransitionForbidden(message)


def lock(model: type[M], uuid: Any) -> M:
    return model.objects.select_for_update().get(uuid=uuid)


def version_tag(obj: "BaseModel | StatefulModel") -> str:
    """A strong ETag for the stored version of ``obj``: changes whenever the row is saved."""
    raw = f"{obj.uuid}|{obj.updated_at.isoformat()}|{getattr(obj, 'status', '')}"
    return f'"{hashlib.sha256(raw.encode()).hexdigest()[:32]}"'


def check_precondition(obj: "BaseModel | StatefulModel", if_match: str | None) -> None:
    """Refuse (412 ``precondition_failed``) when the caller saw another version than the locked row.
    Called under the service's own lock, after the permission check (a caller without the permission
    learns nothing about versions).

    ``None``: the caller is no HTTP client (a page's form, a command, a task): no precondition. An API
    request always passes the header (``api.transitions.if_match``), so a missing or empty ``If-Match``
    arrives as ``""`` and is refused (428 ``precondition_required``)."""
    if if_match is None:
        return
    if not if_match.strip():
        raise PreconditionRequired()
    tags = [tag.strip() for tag in if_match.split(",")]
    if "*" not in tags and version_tag(obj) not in tags:
        raise StaleObject()


def refuse_unmet(obj: Any, unmet: list[Unmet], step: str) -> None:
    if unmet:
        raise GuardFailed(
            _("%(object)s cannot take the step '%(transition)s': %(unmet)s")
            % {"object": obj, "transition": step, "unmet": "; ".join(u.message for u in unmet)},
            unmet=[u.as_dict() for u in unmet],
            current_status=getattr(obj, "status", ""),
        )


def check_guards(obj: Any, actor: Actor, guards: Sequence[Guard]) -> list[Unmet]:
    return [unmet for guard in guards for unmet in guard(obj, actor)]


def perform_transition(
    *,
    model: type[M],
    uuid: Any,
    name: str,
    actor: Actor,
    reason: str = "",
    reason_required: bool = False,
    guards: Sequence[Guard] = (),
    kwargs: dict[str, Any] | None = None,
    after: Callable[[M, str], dict[str, Any] | None] | None = None,
    record: Sequence[Callable[[M], Any]] = (),
    if_match: str | None = None,
    locker: Callable[[type[M], Any], M] | None = None,
) -> M:
    """Lock, check permission, state, reason and guards, transition in memory, save, then run
    ``record`` (writes that belong to a successful transition, such as storing the evaluations a guard
    decided on: guards only read) and ``after`` (follow-ups whose result goes into the audit event's
    data), and write the audit event; all in one transaction."""

    reason = (reason or "").strip()
    event = transition_event(model, name)
    with transaction.atomic():
        obj = (locker or lock)(model, uuid)  # looked up per call: the default lock is `lock`
        method = getattr(obj, name)
        from_state = obj.status
        # Who may act is decided before the state: an auditor is refused the same way in every state.
        if not may_take(obj, name, actor):
            raise TransitionForbidden(
                _("You are not allowed to take the step '%(transition)s' for %(object)s.")
                % {"transition": transition_label(model, name), "object": obj}
            )
        check_precondition(obj, if_match)
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
        refuse_unmet(obj, check_guards(obj, actor, guards), transition_label(model, name))
        try:
            method(**(kwargs or {}))
        except TransitionNotAllowed as exc:  # a model-level condition refused
            raise InvalidTransition(str(exc), current_status=from_state) from exc
        obj.save()
        for write in record:
            write(obj)
        data = (after(obj, from_state) if after else None) or {}
        audit_record(
            actor=actor,
            event=event,
            subject=obj,
            from_state=from_state,
            to_state=obj.status,
            reason=reason,
            data=data,
        )
    return obj


def perform_operation(
    *,
    model: type[M],
    uuid: Any,
    event: str,
    actor: Actor,
    permission: str = "",
    forbidden: str,
    states: Sequence[str],
    wrong_state: str,
    change: Callable[[M], dict[str, Any] | None],
    state_refusal: Callable[[M], str | None] | None = None,
    label: str = "",
    reason: str = "",
    reason_required: bool = False,
    guards: Sequence[Guard] = (),
    if_match: str | None = None,
    locker: Callable[[type[M], Any], M] | None = None,
    may: Callable[[M, Actor], bool] | None = None,
) -> M:
    """The same skeleton as ``perform_transition`` for a step outside the state machine (an extension,
    the first half of a four-eyes decision, appointing a lead): lock, permission, precondition, state,
    reason, guards; then ``change`` (it edits the locked object in memory and returns the audit data),
    save, and the audit event ``event`` in one transaction. A refusal leaves the row as it was.
    Who may act: the holders of ``permission``, or those for whom ``may(obj, actor)`` holds (a step a
    provider takes for itself, such as accepting an offer)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        obj = (locker or lock)(model, uuid)  # looked up per call: the default lock is `lock`
        if may is not None:
            if not (actor is not None and actor.is_authenticated and may(obj, actor)):
                raise TransitionForbidden(forbidden)
        else:
            require_permission(actor, permission, forbidden)
        check_precondition(obj, if_match)
        if obj.status not in states:
            raise InvalidTransition(wrong_state, current_status=obj.status)
        refusal = state_refusal(obj) if state_refusal else None
        if refusal:  # the state allows the step, but the object's own progress does not (yet)
            raise InvalidTransition(refusal, current_status=obj.status)
        if reason_required and not reason:
            raise ReasonRequired()
        refuse_unmet(obj, check_guards(obj, actor, guards), label or event)
        from_state = obj.status
        data = change(obj) or {}
        obj.save()
        audit_record(
            actor=actor,
            event=event,
            subject=obj,
            from_state=from_state,
            to_state=obj.status,
            reason=reason,
            data=data,
        )
    return obj


def may_take(obj: Any, name: str, actor: Actor) -> bool:
    """Whether ``actor`` holds the permission of transition ``name``, whatever the current state."""
    field = obj._meta.get_field("status")
    return any(t.has_perm(obj, actor) for t in field.get_all_transitions(type(obj)) if t.name == name)


def available_transitions(obj: Any, user: Viewer, registry: dict[str, Callable[..., Any]]) -> list[str]:
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


Availability = Callable[[Any, Viewer], bool]
S = TypeVar("S", bound=Callable[..., Any])


def _mark(service: S, **facts: Any) -> S:
    """Attach ``facts`` to the service function (read back with ``getattr`` by the helpers here)."""
    for name, value in facts.items():
        setattr(service, name, value)
    return service


def operation(
    *, label: "str | _StrPromise", available: Availability, reason_required: bool = False
) -> Callable[[S], S]:
    """Marks a service that is a registered step but not an FSM transition (an event such as an
    extension, or the first half of a four-eyes decision): its label, when it is available, and
    whether it needs a reason. FSM transitions carry the same facts in their ``custom`` dict."""

    def mark(service: S) -> S:
        return _mark(service, label=label, available=available, reason_required=reason_required)

    return mark


def offered_when(service: S, available: Availability) -> S:
    """Offer the service of an FSM transition only when ``available`` holds (instead of whenever the
    actor may take the transition from the current state), e.g. only to a second officer."""
    return _mark(service, available=available)


def step_label(model: type[models.Model], name: str, service: Callable[..., Any] | None = None) -> str:
    label = getattr(service, "label", None)
    return str(label) if label else transition_label(model, name)


def step_reason_required(
    model: type[models.Model], name: str, service: Callable[..., Any] | None = None
) -> bool:
    if getattr(service, "reason_required", False):
        return True
    return bool(_custom(model, name).get("reason_required"))


def _custom(model: type[models.Model | StatefulModel], name: str) -> dict[str, Any]:
    meta = getattr(getattr(model, name, None), "_django_fsm", None)
    if meta is None:
        return {}
    for t in meta.transitions.values():
        if t.custom:
            return dict(t.custom)
    return {}


def transition_label(model: type[models.Model | StatefulModel], name: str) -> str:
    method = getattr(model, name, None)
    custom = getattr(method, "_django_fsm", None)
    if custom is not None:
        for t in custom.transitions.values():
            label = (t.custom or {}).get("label")
            if label:
                return str(label)
    return name


def transition_event(model: type[models.Model | StatefulModel], name: str) -> str:
    """The audit event of transition ``name``, declared where the transition is defined
    (``@transition(custom={"event": "agreement.activated", ...})``)."""
    event = _custom(model, name).get("event")
    if not event:
        raise ImproperlyConfigured(f"{model.__name__}.{name} declares no audit event in its custom dict.")
    return str(event)
