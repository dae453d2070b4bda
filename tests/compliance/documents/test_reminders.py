"""Reminder digests: before the due date, overdue, rejected; at most one e-mail per provider user per
day, never the same item twice, safe to run twice."""

import datetime

import pytest

from django.core import mail
from django.core.management import call_command

from compliance.documents.reminders import document_reminders_send
from compliance.models import DocumentReminder, DocumentReminderDigest, DocumentStatus
from tests import factories
from tests.compliance.factories import DocumentFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def situation(provider, provider_user):
    colleague = factories.provider_user(provider)
    soon = DocumentFactory(
        provider=provider, status=DocumentStatus.REQUESTED, due_date=TODAY + datetime.timedelta(days=7)
    )
    later = DocumentFactory(
        provider=provider, status=DocumentStatus.REQUESTED, due_date=TODAY + datetime.timedelta(days=60)
    )
    late = DocumentFactory(
        provider=provider, status=DocumentStatus.REQUESTED, due_date=TODAY - datetime.timedelta(days=2)
    )
    rejected = DocumentFactory(provider=provider, rejected=True, verdict_reason="Handtekening ontbreekt")
    DocumentFactory(status=DocumentStatus.REQUESTED, due_date=TODAY)  # another provider, no users
    return {
        "users": [provider_user, colleague],
        "soon": soon,
        "later": later,
        "late": late,
        "rejected": rejected,
    }


def test_one_digest_per_provider_user_with_every_item(situation):
    # when
    sent = document_reminders_send(today=TODAY)
    # then
    assert sent == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in situation["users"])
    body = mail.outbox[0].body
    assert "Handtekening ontbreekt" in body
    assert "/portal/documents/" in body
    items = DocumentReminder.objects.filter(user=situation["users"][0])
    assert {(i.document_id, i.kind) for i in items} == {
        (situation["soon"].pk, "due_soon"),
        (situation["late"].pk, "overdue"),
        (situation["rejected"].pk, "rejected"),
    }


def test_running_twice_sends_nothing_more(situation):
    document_reminders_send(today=TODAY)
    call_command("send_document_reminders", "--date", TODAY.isoformat())
    assert len(mail.outbox) == 2
    assert DocumentReminderDigest.objects.count() == 2


def test_the_same_item_is_never_sent_twice_and_new_ones_wait_for_the_next_day(situation, provider):
    document_reminders_send(today=TODAY)
    # a new rejection on the same day waits for tomorrow's digest
    new = DocumentFactory(provider=provider, rejected=True, verdict_reason="Verlopen")
    assert document_reminders_send(today=TODAY) == 0
    mail.outbox.clear()
    tomorrow = TODAY + datetime.timedelta(days=1)
    assert document_reminders_send(today=tomorrow) == 2
    kinds = set(
        DocumentReminder.objects.filter(digest__sent_on=tomorrow, user=situation["users"][0]).values_list(
            "document_id", "kind"
        )
    )
    assert kinds == {(new.pk, "rejected")}  # nothing of yesterday is repeated


def test_overdue_documents_are_reminded_again_after_a_week(situation):
    document_reminders_send(today=TODAY)
    mail.outbox.clear()
    assert document_reminders_send(today=TODAY + datetime.timedelta(days=3)) == 0
    assert document_reminders_send(today=TODAY + datetime.timedelta(days=6)) == 2
    assert "overdue" in {
        r.kind for r in DocumentReminder.objects.filter(digest__sent_on=TODAY + datetime.timedelta(days=6))
    }


def test_a_failing_mail_server_leaves_no_record_so_the_next_run_retries(situation, monkeypatch):
    from django.core.mail.backends.locmem import EmailBackend

    def broken(self, messages):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(EmailBackend, "send_messages", broken)
    with pytest.raises(ConnectionError):
        document_reminders_send(today=TODAY)
    assert not DocumentReminderDigest.objects.exists()
    monkeypatch.undo()
    assert document_reminders_send(today=TODAY) == 2
