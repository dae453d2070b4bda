import pytest

from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit.models import AuditEvent
from audit.services import GENESIS, audit_record, verify_chain
from contracting.services import agreement_suspend
from tests import factories
from tests.audit import tampering

pytestmark = pytest.mark.django_db


def test_events_chain_to_each_other(officer):
    first = audit_record(actor=officer, event="test.first")
    second = audit_record(actor=officer, event="test.second", data={"n": 1})
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert list(verify_chain()) == []


def test_tampering_is_detected_and_names_the_event(officer):
    # given a committed transition
    agreement = factories.AgreementFactory(active=True)
    agreement_suspend(uuid=agreement.uuid, actor=officer, reason="Signaal")
    audit_record(actor=officer, event="test.later")
    target = AuditEvent.objects.get(event="agreement.suspended")
    # when someone edits the reason behind the application's back
    tampering.change_event(target.pk, reason="Anders")
    # then
    broken = list(verify_chain())
    assert [(event.pk, problem) for event, problem in broken] == [(target.pk, "hash_mismatch")]


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(officer):
    event = audit_record(actor=officer, event="test.first")
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.filter(pk=event.pk).update(reason="x")
    with pytest.raises(PermissionDenied):
        AuditEvent.objects.all().delete()


def test_verify_command_reports_the_first_broken_event(officer):
    audit_record(actor=officer, event="test.first")
    second = audit_record(actor=officer, event="test.second")
    audit_record(actor=officer, event="test.third")
    call_command("verify_audit_trail")
    tampering.change_event(second.pk, event="x")
    with pytest.raises(CommandError, match=f"hash_mismatch at event id={second.pk}"):
        call_command("verify_audit_trail")


def test_the_database_refuses_to_change_an_event(officer):
    # given
    event = audit_record(actor=officer, event="test.first")
    # when someone updates it with SQL, past the ORM (PostgreSQL and SQLite: a trigger)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"UPDATE {AuditEvent._meta.db_table} SET reason = %s WHERE id = %s", ["x", event.pk])
    # then
    event.refresh_from_db()
    assert event.reason == ""
