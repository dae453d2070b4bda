"""Reminder e-mails about documents: before the due date, when overdue (again every week) and after a
rejection. At most one e-mail per provider user per day, as a digest of everything new for them, and
never the same item twice (DocumentReminder is unique per user, document, kind and occurrence).

Safe to run twice, also at the same time: the digest row of the day is unique per user and is written in
the same transaction as the e-mail is sent; a second run finds it and sends nothing. If sending fails the
row is rolled back, so the next run tries again."""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from compliance.models import (
    AccountabilityDocument,
    DocumentReminder,
    DocumentReminderDigest,
    DocumentStatus,
    ReminderKind,
)
from compliance.models.documents import OWED_STATES
from contracting.models import Provider
from core import clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Item:
    document: AccountabilityDocument
    kind: str
    key: str


def reminder_items(today: datetime.date) -> list[Item]:
    """What may be reminded of today, for every provider (before filtering what was already sent)."""
    window = today + datetime.timedelta(days=settings.DOCUMENT_REMINDER_DAYS_BEFORE)
    documents = (
        AccountabilityDocument.objects.filter(
            Q(status__in=OWED_STATES, due_date__isnull=False, due_date__lte=window)
            | Q(status=DocumentStatus.REJECTED)
        )
        .select_related("provider", "document_type", "current_version")
        .order_by("due_date", "pk")
    )
    items = []
    for document in documents:
        due = document.due_date
        if document.status in OWED_STATES and due is not None:
            if due < today:
                weeks = (today - due).days // 7
                items.append(Item(document, ReminderKind.OVERDUE, f"{due.isoformat()}/w{weeks}"))
            elif document.status == DocumentStatus.REQUESTED:
                items.append(Item(document, ReminderKind.DUE_SOON, due.isoformat()))
        if document.status == DocumentStatus.REJECTED:
            version = document.current_version
            decided = document.reviewed_at or document.updated_at
            key = f"v{version.number}" if version else f"r{decided:%Y%m%d%H%M%S}"
            items.append(Item(document, ReminderKind.REJECTED, key))
    return items


def document_reminders_send(*, today: datetime.date | None = None) -> int:
    """Send today's digests; returns the number of e-mails sent."""
    today = today or clock.today()
    items = reminder_items(today)
    if not items:
        return 0
    provider_ids = {item.document.provider_id for item in items}
    through = Provider.users.through
    users_of: dict[int, list[int]] = defaultdict(list)
    for provider_id, user_id in through.objects.filter(provider_id__in=provider_ids).values_list(
        "provider_id", "user_id"
    ):
        users_of[provider_id].append(user_id)
    users = {
        u.pk: u
        for u in get_user_model()
        .objects.filter(pk__in={uid for uids in users_of.values() for uid in uids}, is_active=True)
        .exclude(email="")
    }
    already = set(
        DocumentReminder.objects.filter(document_id__in={i.document.pk for i in items}).values_list(
            "user_id", "document_id", "kind", "key"
        )
    )
    had_digest = set(
        DocumentReminderDigest.objects.filter(sent_on=today, user_id__in=users).values_list(
            "user_id", flat=True
        )
    )
    per_user: dict[int, list[Item]] = defaultdict(list)
    for item in items:
        for user_id in users_of.get(item.document.provider_id, []):
            if user_id in users and (user_id, item.document.pk, item.kind, item.key) not in already:
                per_user[user_id].append(item)

    sent = 0
    connection = get_connection()
    for user_id in sorted(per_user):
        if user_id in had_digest:
            continue  # one e-mail a day: the rest waits for tomorrow's digest
        user, user_items = users[user_id], per_user[user_id]
        try:
            with transaction.atomic():
                digest = DocumentReminderDigest.objects.create(
                    user=user, sent_on=today, recipient=user.email, item_count=len(user_items)
                )
                DocumentReminder.objects.bulk_create(
                    [
                        DocumentReminder(
                            digest=digest, user=user, document=i.document, kind=i.kind, key=i.key
                        )
                        for i in user_items
                    ]
                )
                _message(user, user_items, today, connection).send()
        except IntegrityError:
            continue  # another run got there first
        sent += 1
        log.info("document_reminder_sent user_id=%s items=%s", user_id, len(user_items))
    return sent


def _message(user: Any, items: list[Item], today: datetime.date, connection: Any) -> EmailMultiAlternatives:
    groups: dict[str, list[Item]] = {kind: [] for kind in ReminderKind.values}
    for item in items:
        groups[item.kind].append(item)
    context = {
        "user": user,
        "today": today,
        "overdue": groups[ReminderKind.OVERDUE],
        "rejected": groups[ReminderKind.REJECTED],
        "due_soon": groups[ReminderKind.DUE_SOON],
        "portal_url": settings.SITE_URL.rstrip("/") + reverse("portal:documents"),
        "count": len(items),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/document_reminder_subject.txt", context).strip()
        body = render_to_string("emails/document_reminder.txt", context)
        html = render_to_string("emails/document_reminder.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email], connection=connection)
    message.attach_alternative(html, "text/html")
    return message
