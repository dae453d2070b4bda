"""The audit trail moved from compliance to its own app: the tables, every event and hash, and the
permissions granted on them survive the migration, and the chain still verifies."""

import datetime

import pytest

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.models import AuditEvent
from audit.services import GENESIS, Head, compute_hash, verify_chain, verify_trail

BEFORE = [
    ("compliance", "0009_clock_defaults"),
    ("contracting", "0004_clock_defaults"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]
AFTER = [("audit", "0001_initial"), *BEFORE[1:]]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_the_latest_schema():
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_events_hashes_and_permissions_survive_the_move_to_the_audit_app(back_to_the_latest_schema):
    # given: a database as it was before the move, with a chained trail and a group allowed to read it
    old = migrate(BEFORE)
    OldEvent = old.get_model("compliance", "AuditEvent")
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    Group = old.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="compliance", model="auditevent")
    view, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_auditevent", defaults={"name": "Can view audit event"}
    )
    readers = Group.objects.create(name="migration-readers")
    readers.permissions.add(view)
    prev = GENESIS
    for n in range(3):
        event = OldEvent(
            occurred_at=datetime.datetime(2026, 1, 1 + n, tzinfo=datetime.UTC),
            actor_name="system",
            event="agreement.activated",
            subject_type="contracting.agreement",
            subject_repr=f"WMO-{n}",
            data={"n": n},
            prev_hash=prev,
        )
        event.hash = compute_hash(prev, event)
        event.save()
        prev = event.hash
    hashes = list(OldEvent.objects.order_by("id").values_list("hash", flat=True))

    # when
    new = migrate(AFTER)

    # then: the same rows, unchanged, read through the audit app; the chain verifies
    assert list(AuditEvent.objects.order_by("id").values_list("hash", flat=True)) == hashes
    assert list(verify_chain()) == []
    moved = new.get_model("contenttypes", "ContentType").objects.get(pk=content_type.pk)
    assert (moved.app_label, moved.model) == ("audit", "auditevent")
    group = new.get_model("auth", "Group").objects.get(name="migration-readers")
    assert list(group.permissions.values_list("content_type__app_label", "codename")) == [
        ("audit", "view_auditevent")
    ]


@pytest.mark.django_db(transaction=True)
def test_a_head_from_before_the_count_is_filled_and_signed(back_to_the_latest_schema):
    # given a trail and its head as they were before the head counted the events
    old = migrate([("audit", "0002_anchors_and_login_windows")])
    OldEvent, OldHead = old.get_model("audit", "AuditEvent"), old.get_model("audit", "AuditChainHead")
    prev = GENESIS
    for n in range(3):
        event = OldEvent(
            occurred_at=datetime.datetime(2026, 1, 1 + n, tzinfo=datetime.UTC),
            actor_name="system",
            event="agreement.activated",
            data={"n": n},
            prev_hash=prev,
        )
        event.hash = compute_hash(prev, event)
        event.save()
        prev = event.hash
    OldHead.objects.create(pk=1, last_hash=prev)
    # when
    migrate([("audit", "0003_head_count_and_append_only_triggers")])
    # then the head counts, names and signs the newest event, and the whole trail verifies
    report = verify_trail()
    assert report.problems == []
    newest = AuditEvent.objects.order_by("-id").first()
    assert report.head == Head(hash=prev, event_count=3, event_id=newest.pk)
