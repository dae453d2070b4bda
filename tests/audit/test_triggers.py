"""On PostgreSQL the database itself keeps the trail append-only: triggers refuse UPDATE, DELETE and
TRUNCATE of events and anchors, a DELETE of the head and an UPDATE that lowers its count; a TRUNCATE is
refused for any role but a superuser (the application's role is none)."""

import pytest

from django.db import DatabaseError, connection, transaction

from audit.models import AuditAnchor, AuditChainHead, AuditEvent
from audit.services import audit_anchor_create, audit_record, verify_trail

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

EVENTS = AuditEvent._meta.db_table
HEAD = AuditChainHead._meta.db_table
ANCHORS = AuditAnchor._meta.db_table
APP_ROLE = "zorginkoop_audit_test_app"


@pytest.fixture
def trail():
    events = [audit_record(actor=None, event="test.recorded", data={"n": n}) for n in range(3)]
    audit_anchor_create()
    return events


def assert_refused(sql: str, params=()) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)


def test_update_of_an_event_is_refused(trail):
    assert_refused(f"UPDATE {EVENTS} SET reason = 'x' WHERE id = %s", [trail[1].pk])


def test_delete_of_an_event_is_refused(trail):
    assert_refused(f"DELETE FROM {EVENTS} WHERE id = %s", [trail[-1].pk])
    assert_refused(f"DELETE FROM {EVENTS}")
    assert AuditEvent.objects.count() == 3


def test_update_and_delete_of_an_anchor_are_refused(trail):
    assert_refused(f"UPDATE {ANCHORS} SET hash = 'x'")
    assert_refused(f"DELETE FROM {ANCHORS}")


def test_the_head_only_moves_forward(trail):
    assert_refused(
        f"UPDATE {HEAD} SET event_count = 2, last_event_id = %s, last_hash = %s", [trail[1].pk, trail[1].hash]
    )
    assert_refused(f"DELETE FROM {HEAD}")
    # appending still moves it
    audit_record(actor=None, event="test.later")
    assert verify_trail().intact


@pytest.fixture
def app_role():
    """A role like the application's: may read and write the tables, is no superuser."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE"
        )  # the test's foreign keys are checked now, not at its end
        cursor.execute(f"CREATE ROLE {APP_ROLE} NOSUPERUSER")
        cursor.execute(
            f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON {EVENTS}, {HEAD}, {ANCHORS} TO {APP_ROLE}"
        )
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute("SELECT current_user")
        assert cursor.fetchone() == (APP_ROLE,)
    yield APP_ROLE
    with connection.cursor() as cursor:
        cursor.execute("RESET ROLE")


@pytest.mark.parametrize("table", [EVENTS, ANCHORS, HEAD])
def test_truncate_is_refused_for_the_applications_role(trail, app_role, table):
    assert_refused(f"TRUNCATE {table}")


def test_the_applications_role_may_append(trail, app_role):
    audit_record(actor=None, event="test.as_the_application")
    assert_refused(f"UPDATE {EVENTS} SET reason = 'x'")
    assert AuditEvent.objects.count() == 4
