"""What someone with write access to the database could do to the audit trail, for the tampering tests:
raw SQL past the ORM's append-only guards, with the database's append-only triggers out of the way
(PostgreSQL: switched off inside the test's transaction, as the superuser the tests connect as; SQLite:
dropped and created again). Everything is rolled back with the test."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from audit.models import AuditAnchor, AuditChainHead, AuditEvent
from audit.services import compute_hash, head_signature

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table
ANCHORS = AuditAnchor._meta.db_table
TABLES = (EVENTS, HEAD, ANCHORS)


@contextmanager
def tampering() -> Iterator[Any]:
    """A cursor that may change and delete rows of the trail."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # a superuser's way around every ordinary trigger, for this transaction only
            cursor.execute("SET LOCAL session_replication_role = replica")
            try:
                yield cursor
            finally:
                cursor.execute("SET LOCAL session_replication_role = origin")
        else:
            names = ", ".join(f"'{table}'" for table in TABLES)
            cursor.execute(
                f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({names})"
            )
            saved = cursor.fetchall()
            for name, _sql in saved:
                cursor.execute(f'DROP TRIGGER "{name}"')
            try:
                yield cursor
            finally:
                for _name, sql in saved:
                    cursor.execute(sql)


def change_event(event_id: int, **values: Any) -> None:
    with tampering() as cursor:
        for column, value in values.items():
            cursor.execute(f"UPDATE {EVENTS} SET {column} = %s WHERE id = %s", [value, event_id])


def delete_events(*event_ids: int) -> None:
    with tampering() as cursor:
        if event_ids:
            cursor.execute(
                f"DELETE FROM {EVENTS} WHERE id IN ({', '.join(['%s'] * len(event_ids))})", event_ids
            )


def delete_all_events() -> None:
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {EVENTS}")


def move_head(*, event_count: int, last_event_id: int | None, last_hash: str, with_key: bool) -> None:
    """Point the head elsewhere; ``with_key``: signed as the application would (someone who also has
    SECRET_KEY), otherwise the old signature stays."""
    with tampering() as cursor:
        cursor.execute(
            f"UPDATE {HEAD} SET event_count = %s, last_event_id = %s, last_hash = %s WHERE id = 1",
            [event_count, last_event_id, last_hash],
        )
        if with_key:
            cursor.execute(
                f"UPDATE {HEAD} SET signature = %s WHERE id = 1",
                [head_signature(event_count, last_event_id, last_hash)],
            )


def rehash_from(event_id: int, *, reason: str, with_key: bool) -> None:
    """Rewrite the chain: change the event's reason, re-hash it and every later event so each link holds
    again, and move the head to the new newest hash (count and newest event stay)."""
    events = list(AuditEvent.objects.filter(id__gte=event_id).order_by("id"))
    prev = events[0].prev_hash
    with tampering() as cursor:
        for n, event in enumerate(events):
            if n == 0:
                event.reason = reason
            event.prev_hash = prev
            event.hash = compute_hash(prev, event)
            cursor.execute(
                f"UPDATE {EVENTS} SET reason = %s, prev_hash = %s, hash = %s WHERE id = %s",
                [event.reason, event.prev_hash, event.hash, event.pk],
            )
            prev = event.hash
    head = AuditChainHead.objects.get(pk=1)
    move_head(
        event_count=head.event_count, last_event_id=head.last_event_id, last_hash=prev, with_key=with_key
    )


def forge_event(**values: Any) -> AuditEvent:
    """Append an event chained to the newest one, written straight into the table (no head update)."""
    newest = AuditEvent.objects.order_by("-id").first()
    prev = newest.hash if newest is not None else "0" * 64
    event = AuditEvent(
        occurred_at=newest.occurred_at if newest is not None else None,
        actor_name="system",
        event=values.pop("event", "agreement.activated"),
        prev_hash=prev,
        **values,
    )
    event.hash = compute_hash(prev, event)
    event.save()
    return event


def delete_anchors() -> None:
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {ANCHORS}")


def change_anchor(anchor_id: int, **values: Any) -> None:
    with tampering() as cursor:
        for column, value in values.items():
            cursor.execute(f"UPDATE {ANCHORS} SET {column} = %s WHERE id = %s", [value, anchor_id])


def delete_head() -> None:
    with tampering() as cursor:
        cursor.execute(f"DELETE FROM {HEAD}")
