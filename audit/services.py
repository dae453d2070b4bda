"""Writing and verifying the audit trail.

Every event stores ``prev_hash`` (the hash of the event before it) and ``hash`` =
SHA-256 over ``prev_hash`` and a canonical JSON form of the event. Appends lock the single
``AuditChainHead`` row, so concurrent transactions chain in commit order and never fork the chain.

The head counts the events, names the newest and is signed with a keyed hash, so ``verify_trail``
notices events missing at the end (or all of them) and events appended behind the application's back.
Anchors (audit.anchors: the daily ``AuditAnchor`` and its file, the head printed in every export) notice a
rewrite: events re-hashed from some point on with the head moved along.

Failed logins (``login_failure_record``) are rate-limited per account, and all unknown usernames share one
limit: what was typed is kept only when it names an existing account, otherwise only as a keyed hash.
"""

import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from core import clock

from .anchors import (
    ANCHOR_SALT,
    Anchor,
    anchor_file_append,
    anchor_text,
    anchors_from_file,
    sign,
    signature_valid,
)
from .models import AuditAnchor, AuditChainHead, AuditEvent, LoginFailureWindow

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
        head.last_hash, head.last_event_id = entry.hash, entry.pk
        head.event_count += 1
        head.signature = head_signature(head.event_count, head.last_event_id, head.last_hash)
        head.save(update_fields=["last_hash", "event_count", "last_event_id", "signature"])
    return entry


# ---------------------------------------------------------------------------------------------- the head

HEAD_SALT = "audit.head"


def head_value(event_count: int, last_event_id: int | None, last_hash: str) -> str:
    return f"{event_count}|{last_event_id}|{last_hash}"


def head_signature(event_count: int, last_event_id: int | None, last_hash: str) -> str:
    """The keyed hash over the head: moving it needs SECRET_KEY, not only write access to the database."""
    return sign(HEAD_SALT, head_value(event_count, last_event_id, last_hash))


@dataclass(frozen=True)
class Head:
    """The head of the chain: how many events, the id and hash of the newest (GENESIS while empty)."""

    hash: str = GENESIS
    event_count: int = 0
    event_id: int | None = None

    @property
    def anchor(self) -> str:
        """How exports print it: ``<number of events>:<hash>``."""
        return anchor_text(self.event_count, self.hash)


def chain_head() -> Head:
    """The committed head of the chain (what an export states it was made from)."""
    row = AuditChainHead.objects.filter(pk=1).first()
    if row is None:
        return Head()
    return Head(hash=row.last_hash, event_count=row.event_count, event_id=row.last_event_id)


# ---------------------------------------------------------------------------------------------- verifying


def _links(events: Iterable[AuditEvent], prev: str) -> Iterator[tuple[AuditEvent, str | None]]:
    for entry in events:
        if entry.prev_hash != prev:
            yield entry, "prev_hash_mismatch"
        elif compute_hash(prev, entry) != entry.hash:
            yield entry, "hash_mismatch"
        else:
            yield entry, None
        prev = entry.hash


def verify_chain() -> Iterator[tuple[AuditEvent, str]]:
    """Yield (event, problem) for every broken link, oldest first (the links only: ``verify_trail``
    also checks the head and the anchors)."""
    for entry, problem in _links(AuditEvent.objects.order_by("id").iterator(chunk_size=2000), GENESIS):
        if problem:
            yield entry, problem


# What verify_trail reports, each a stable code:
PROBLEMS = {
    "hash_mismatch": "the event was changed after it was recorded",
    "prev_hash_mismatch": "the event does not follow the one before it (an event was removed or inserted)",
    "events_missing_at_end": "events at the end of the trail were removed",
    "trail_emptied": "the trail is empty but its head says events were recorded",
    "events_after_head": "events were appended behind the application's back (after the head)",
    "head_mismatch": "the newest event is not the one the head names",
    "count_mismatch": "the number of events differs from the head's count",
    "head_missing": "events exist but the head of the chain is missing",
    "head_signature_invalid": "the head of the chain was changed without the key",
    "anchor_mismatch": "an anchor's hash is no longer at its position: the chain was rewritten",
    "anchor_signature_invalid": "a signed anchor was changed",
}


@dataclass(frozen=True)
class Problem:
    code: str
    event_id: int | None = None
    detail: str = ""

    def __str__(self) -> str:
        where = f"event id={self.event_id}" if self.event_id is not None else "trail"
        return f"{self.code} at {where}: {PROBLEMS[self.code]}" + (f" ({self.detail})" if self.detail else "")


@dataclass(frozen=True)
class Confirmed:
    """An anchor found at its position: the chain up to there is the one the anchor was taken from."""

    anchor: Anchor
    event_id: int
    position: int


@dataclass
class TrailReport:
    events: int = 0
    head: Head = field(default_factory=Head)
    problems: list[Problem] = field(default_factory=list)
    confirmed: list[Confirmed] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def stored_anchors() -> list[Anchor]:
    """The daily anchors: the AuditAnchor table and, when configured and present, the anchor file."""
    anchors = [anchor_of(row) for row in AuditAnchor.objects.order_by("id")]
    path = settings.AUDIT_ANCHOR_FILE
    if path and Path(path).is_file():
        anchors += anchors_from_file(path)
    return anchors


def anchor_of(row: AuditAnchor) -> Anchor:
    return Anchor(
        hash=row.hash,
        event_count=row.event_count,
        event_id=row.event_id,
        created_at=row.created_at.astimezone(datetime.UTC).isoformat(),
        signature=row.signature,
        source=f"AuditAnchor id={row.pk}",
    )


class _Walk:
    """Walks the events in id order, checking each link and the anchors that name an event."""

    def __init__(self, anchors: list[Anchor], report: TrailReport) -> None:
        self.report = report
        self.by_id: dict[int, list[Anchor]] = defaultdict(list)
        self.by_hash: dict[str, list[Anchor]] = defaultdict(list)
        for anchor in anchors:
            if anchor.event_id is not None:
                self.by_id[anchor.event_id].append(anchor)
            else:
                self.by_hash[anchor.hash].append(anchor)
        self.found: set[int] = set()  # id() of the anchors met
        self.prev, self.last_id, self.position = GENESIS, 0, 0

    def tail(self) -> int:
        """Walk the events after the last one walked; returns how many there were."""
        walked = 0
        events = AuditEvent.objects.filter(id__gt=self.last_id).order_by("id").iterator(chunk_size=2000)
        for entry, problem in _links(events, self.prev):
            walked += 1
            self.position += 1
            if problem:
                self.report.problems.append(Problem(problem, entry.pk))
            self._anchors(entry)
            self.prev, self.last_id = entry.hash, entry.pk
        return walked

    def _anchors(self, entry: AuditEvent) -> None:
        for anchor in self.by_id.get(entry.pk, []):
            self.found.add(id(anchor))
            if anchor.hash != entry.hash or anchor.event_count not in (None, self.position):
                self.report.problems.append(
                    Problem(
                        "anchor_mismatch",
                        entry.pk,
                        f"{anchor.source}: {anchor.text()} expected, found {self.position}:{entry.hash}",
                    )
                )
            else:
                self.report.confirmed.append(Confirmed(anchor, entry.pk, self.position))
        for anchor in self.by_hash.get(entry.hash, []):
            self.found.add(id(anchor))
            if anchor.event_count not in (None, self.position):
                self.report.problems.append(
                    Problem(
                        "anchor_mismatch",
                        entry.pk,
                        f"{anchor.source}: {anchor.text()} expected, found at position {self.position}",
                    )
                )
            else:
                self.report.confirmed.append(Confirmed(anchor, entry.pk, self.position))

    def missing_anchors(self) -> None:
        for anchors in [*self.by_id.values(), *self.by_hash.values()]:
            for anchor in anchors:
                if id(anchor) not in self.found:
                    self.report.problems.append(
                        Problem(
                            "anchor_mismatch",
                            anchor.event_id,
                            f"{anchor.source}: {anchor.text()} is not in the trail",
                        )
                    )


def _check_head(walk: _Walk, row: AuditChainHead | None) -> None:
    report, total = walk.report, walk.position
    if row is None:
        if total:
            report.problems.append(Problem("head_missing", detail=f"{total} events"))
        return
    report.head = Head(hash=row.last_hash, event_count=row.event_count, event_id=row.last_event_id)
    problems = report.problems
    if not signature_valid(
        HEAD_SALT, head_value(row.event_count, row.last_event_id, row.last_hash), row.signature
    ):
        problems.append(Problem("head_signature_invalid", row.last_event_id, f"head {row}"))
    if total == 0:
        if row.last_hash != GENESIS or row.event_count:
            problems.append(Problem("trail_emptied", row.last_event_id, f"head {row}, no events"))
        return
    if walk.prev != row.last_hash:
        named = AuditEvent.objects.filter(hash=row.last_hash).values_list("id", flat=True).first()
        if named is not None:
            after = AuditEvent.objects.filter(id__gt=named)
            problems.append(
                Problem(
                    "events_after_head",
                    after.order_by("id").values_list("id", flat=True).first(),
                    f"{after.count()} events after the head {row}",
                )
            )
        elif total < row.event_count:
            problems.append(
                Problem(
                    "events_missing_at_end",
                    walk.last_id,
                    f"{row.event_count - total} events after this one; the head names event "
                    f"id={row.last_event_id} ({row})",
                )
            )
        else:
            problems.append(Problem("head_mismatch", walk.last_id, f"head {row}"))
    elif total != row.event_count or (row.last_event_id is not None and row.last_event_id != walk.last_id):
        problems.append(
            Problem("count_mismatch", walk.last_id, f"{total} events, the head counts {row.event_count}")
        )


def verify_trail(anchors: Iterable[Anchor] = (), *, stored: bool = True) -> TrailReport:
    """Check every link of the chain, the head (count, newest event, signature) and the anchors (the
    stored daily anchors unless ``stored`` is False, and ``anchors``: exports, hashes given by a person).

    Works on a live trail without locking it: after the walk it reads the head and walks what was
    appended meanwhile, until a walk finds nothing new since the head was read."""
    report = TrailReport()
    checks = [*anchors, *(stored_anchors() if stored else [])]
    for anchor in checks:
        if anchor.signature is not None and not anchor.signature_valid():
            report.problems.append(Problem("anchor_signature_invalid", anchor.event_id, f"{anchor.source}"))
    walk = _Walk(checks, report)
    walk.tail()
    row = None
    for _round in range(100):
        row = AuditChainHead.objects.filter(pk=1).first()
        if not walk.tail():
            break
    walk.missing_anchors()
    _check_head(walk, row)
    report.events = walk.position
    return report


# ---------------------------------------------------------------------------------------------- anchoring


class AuditTrailBroken(Exception):
    """The trail does not verify: no anchor is written for it (it would vouch for a broken chain)."""

    def __init__(self, report: TrailReport) -> None:
        self.report = report
        super().__init__("; ".join(str(problem) for problem in report.problems))


def audit_anchor_create() -> tuple[AuditAnchor | None, bool]:
    """The daily anchor: verify the whole trail, then store its head, signed, in the append-only
    AuditAnchor table and (when ``AUDIT_ANCHOR_FILE`` is set) in the anchor file outside the database.
    Returns (anchor, created); nothing new when the newest anchor already names this head (and no anchor
    while the trail is empty). Raises
    ``AuditTrailBroken`` instead of anchoring a trail that does not verify."""
    report = verify_trail()
    if not report.intact:
        raise AuditTrailBroken(report)
    head = report.head
    if head.event_count == 0 or head.event_id is None:
        return None, False
    latest = AuditAnchor.objects.order_by("-id").first()
    if latest is not None and (latest.hash, latest.event_count) == (head.hash, head.event_count):
        return latest, False
    moment = clock.now().astimezone(datetime.UTC)
    anchor = Anchor(
        hash=head.hash,
        event_count=head.event_count,
        event_id=head.event_id,
        created_at=moment.isoformat(),
    )
    row = AuditAnchor.objects.create(
        created_at=moment,
        event_id=head.event_id,
        event_count=head.event_count,
        hash=head.hash,
        signature=sign(ANCHOR_SALT, anchor.signed_value()),
    )
    path = settings.AUDIT_ANCHOR_FILE
    if path:
        anchor_file_append(anchor_of(row), path)
    return row, True


# ---------------------------------------------------------------------------------------------- failed logins

USERNAME_SALT = "audit.login_failed.username"
UNKNOWN_BUCKET = "unknown"


def username_hash(username: str) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY) of a username that names no account: whoever holds the
    key can tell whether a given name was tried; nobody can read back what was typed."""
    return sign(USERNAME_SALT, username)


def login_failure_record(*, username: str, channel: str) -> AuditEvent | None:
    """A failed login, at most one event per bucket per window (``AUDIT_LOGIN_FAILURE_WINDOW_MINUTES``).

    A bucket is one existing account (the event names it), or all unknown usernames together (the event
    holds a keyed hash of the first name tried in the window, never the text). The failures of a bucket
    that were not recorded one by one are counted and reported by its next event
    (``unrecordedAttempts``). Returns the event, or None when the attempt was only counted."""
    User = get_user_model()
    account = User._default_manager.filter(**{User.USERNAME_FIELD: username}).first() if username else None
    data: dict[str, Any]
    if account is not None:
        bucket, data = f"user:{account.pk}", {"username": account.get_username()}
    else:
        bucket, data = UNKNOWN_BUCKET, {"usernameHash": username_hash(username)}
    now = clock.now()
    window = datetime.timedelta(minutes=settings.AUDIT_LOGIN_FAILURE_WINDOW_MINUTES)
    with transaction.atomic():
        row = LoginFailureWindow.objects.select_for_update().filter(bucket=bucket).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = LoginFailureWindow.objects.create(
                        bucket=bucket, window_start=now, attempts=1, last_attempt_at=now
                    )
            except IntegrityError:  # a concurrent first failure of this bucket created it: count on it
                row = LoginFailureWindow.objects.select_for_update().get(bucket=bucket)
            else:
                return _login_failed_event(account, data, channel)
        if now - row.window_start < window:
            row.attempts += 1
            row.last_attempt_at = now
            row.save(update_fields=["attempts", "last_attempt_at"])
            return None
        unrecorded = row.attempts - 1
        row.window_start, row.attempts, row.last_attempt_at = now, 1, now
        row.save(update_fields=["window_start", "attempts", "last_attempt_at"])
        if unrecorded:
            data["unrecordedAttempts"] = unrecorded
        return _login_failed_event(account, data, channel)


def _login_failed_event(account: Any, data: dict[str, Any], channel: str) -> AuditEvent:
    return audit_record(
        actor=None, event="user.login_failed", subject=account, data={**data, "channel": channel}
    )
