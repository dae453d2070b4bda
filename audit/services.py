"""Writing and verifying the audit trail.

Every event stores ``prev_hash`` (the hash of the event before it) and ``hash`` =
SHA-256 over ``prev_hash`` and a canonical JSON form of the event. Appends lock the single
``AuditChainHead`` row, so concurrent transactions chain in commit order and never fork the chain.
"""

import datetime
import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.contrib.auth import get_user_model
from django.db import transaction

from core import clock

from .models import AuditChainHead, AuditEvent

if TYPE_CHECKING:  # importing the auth models needs the app registry; the alias below is lazy
    from django.contrib.auth.models import AnonymousUser, User
    from django.db.models.options import Options

GENESIS = "0" * 64


class Unstored(Protocol):
    """An actor that is no stored user, such as the system actor of scheduled work."""

    @property
    def pk(self) -> None: ...


# Who performed the event: a logged-in user, an anonymous visitor, the system actor or None (the same
# as core.actors.Actor; audit imports nothing of ours but core.clock). Only a stored user is linked;
# anyone else is recorded as "system".
type Actor = User | AnonymousUser | Unstored | None


class Subject(Protocol):
    """What an event is about: a model instance (its ``uuid``, when it has one, is stored as well)."""

    _meta: ClassVar["Options[Any]"]


def canonical(event: AuditEvent) -> str:
    payload = {
        "occurred_at": event.occurred_at.astimezone(datetime.UTC).isoformat(),
        "actor_id": event.actor_id,
        "actor_name": event.actor_name,
        "event": event.event,
        "subject_type": event.subject_type,
        "subject_uuid": str(event.subject_uuid) if event.subject_uuid else None,
        "subject_repr": event.subject_repr,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "reason": event.reason,
        "data": event.data,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode()).hexdigest()


def audit_record(
    *,
    actor: Actor,
    event: str,
    subject: Subject | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records."""
    user = actor if isinstance(actor, get_user_model()) and actor.pk else None
    with transaction.atomic():
        head, _created = AuditChainHead.objects.select_for_update().get_or_create(
            pk=1, defaults={"last_hash": GENESIS}
        )
        entry = AuditEvent(
            occurred_at=clock.now(),
            actor=user,
            actor_name=(user.get_username() if user is not None else "system")[:150],
            event=event,
            subject_type=subject._meta.label_lower if subject is not None else "",
            subject_uuid=getattr(subject, "uuid", None),
            subject_repr=str(subject)[:255] if subject is not None else "",
            from_state=from_state or "",
            to_state=to_state or "",
            reason=reason or "",
            data=json.loads(json.dumps(data or {}, default=str)),
            prev_hash=head.last_hash,
        )
        entry.hash = compute_hash(head.last_hash, entry)
        entry.save()
        head.last_hash = entry.hash
        head.save(update_fields=["last_hash"])
    return entry


def verify_chain() -> Iterator[tuple[AuditEvent, str]]:
    """Yield (event, problem) for every broken link, oldest first."""
    prev = GENESIS
    for entry in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != prev:
            yield entry, "prev_hash_mismatch"
        elif compute_hash(prev, entry) != entry.hash:
            yield entry, "hash_mismatch"
        prev = entry.hash
