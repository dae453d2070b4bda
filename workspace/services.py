"""Writes of the workspace: the officer's calendar feed (made and revoked, audited) and the calendar
alarms (e-mail digests; the alarm rows are themselves the record of what was sent to whom)."""

import datetime
import logging
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from audit.services import audit_record
from core import clock
from core.actors import Actor, acting_user
from workspace.calendar import Entry, calendar_entries
from workspace.lead_times import lead_times_on
from workspace.models import CalendarAlarm, CalendarFeed, LeadTime, token_digest
from workspace.scope import scope_of

log = logging.getLogger(__name__)
FEED_PERMISSION = "workspace.add_calendarfeed"


def calendar_feed_create(*, actor: Actor) -> tuple[CalendarFeed, str]:
    """A new secret feed address for the officer; a previous one stops working. Returns the feed and
    its token (shown once: only its SHA-256 is stored). Officers only: an auditor changes nothing."""
    user = acting_user(actor)
    if not user.has_perm(FEED_PERMISSION):
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.select_for_update().filter(user=user, revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )
        feed = CalendarFeed.objects.create(user=user, token_sha256=token_digest(token))
        audit_record(actor=actor, event="calendarfeed.created", data={"user": user.get_username()})
    return feed, token


def calendar_feed_revoke(*, actor: Actor) -> int:
    """Revoke the officer's live feed address (it answers 404 from now on)."""
    user = acting_user(actor)
    if not user.has_perm(FEED_PERMISSION):
        raise PermissionDenied
    with transaction.atomic():
        revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=clock.now()
        )
        if revoked:
            audit_record(actor=actor, event="calendarfeed.revoked", data={"user": user.get_username()})
    return revoked


def alarms_due(
    entries: list[Entry],
    lead_times: dict[str, LeadTime],
    last_sent: dict[str, datetime.date],
    today: datetime.date,
) -> list[Entry]:
    """The entries an alarm is due for today: inside the alarm lead time of their kind, and never sent
    or last sent at least ``repeat_days`` ago. Entries of a kind without a lead time get none."""
    due = []
    for entry in entries:
        lead = lead_times.get(entry.kind)
        if lead is None or entry.day < today or (entry.day - today).days > lead.alarm_days:
            continue
        previous = last_sent.get(entry.key)
        if previous is None or (today - previous).days >= lead.repeat_days:
            due.append(entry)
    return due


def officers_with_authorities() -> Any:
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, authorities__isnull=False)
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def calendar_alarms_send(*, today: datetime.date | None = None) -> int:
    """Send each officer one e-mail with today's due alarms of their authorities' calendar; returns the
    number of e-mails sent. Safe to run twice a day: an alarm row is unique per officer, entry and day."""
    today = today or clock.today()
    lead_times = lead_times_on(today)
    if not lead_times:
        log.warning("No calendar lead times are configured: no alarms are sent.")
        return 0
    horizon = today + datetime.timedelta(days=max(lead.alarm_days for lead in lead_times.values()))
    sent = 0
    for user in officers_with_authorities():
        entries = calendar_entries(scope_of(user), today, horizon)
        last_sent: dict[str, datetime.date] = {}
        for key, sent_on in (
            CalendarAlarm.objects.filter(user=user, key__in=[e.key for e in entries])
            .order_by("sent_on")
            .values_list("key", "sent_on")
        ):
            last_sent[key] = sent_on
        due = alarms_due(entries, lead_times, last_sent, today)
        if due and _send(user, due, today):
            sent += 1
    return sent


def _send(user: Any, entries: list[Entry], today: datetime.date) -> bool:
    try:
        with transaction.atomic():
            CalendarAlarm.objects.bulk_create(
                [
                    CalendarAlarm(
                        user=user, key=e.key, kind=e.kind, due_on=e.day, sent_on=today, recipient=user.email
                    )
                    for e in entries
                ]
            )
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "user": user,
                    "entries": entries,
                    "site_url": settings.SITE_URL,
                    "calendar_url": settings.SITE_URL + reverse("workspace:calendar"),
                }
                message = EmailMultiAlternatives(
                    subject=render_to_string("emails/calendar_alarm_subject.txt", context).strip(),
                    body=render_to_string("emails/calendar_alarm.txt", context),
                    to=[user.email],
                )
                message.send()
    except IntegrityError:  # another run sent today's alarms already
        return False
    return True
