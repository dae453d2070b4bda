"""The officer's workspace: how far ahead the calendar warns (dated reference data), the alarms it sent,
and the secret iCalendar feed per officer."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock


class EntryKind(models.TextChoices):
    """What a calendar entry is about."""

    EXTENSION_OPTION = "extension_option", _("Extension option: last day to decide")
    NOTICE_DEADLINE = "notice_deadline", _("Notice deadline")
    END_DATE = "end_date", _("End of the agreement")
    REVIEW_MOMENT = "review_moment", _("Review moment")
    DOCUMENT_EXPIRY = "document_expiry", _("Document expires")


class LeadTime(models.Model):
    """How many days before a calendar entry the start page lists it and the first alarm goes out, and
    every how many days the alarm is repeated until the entry is handled. Dated reference data
    (reference/calendar_lead_times.csv): the row with the latest ``valid_from`` on or before the day
    counts; a kind without a row has no alarms, and the calendar says so."""

    kind = models.CharField(_("kind"), max_length=30, choices=EntryKind.choices)
    valid_from = models.DateField(_("valid from"))
    worklist_days = models.PositiveSmallIntegerField(
        _("on the start page (days before)"),
        help_text=_("The start page lists the entry from this many days before its date."),
    )
    alarm_days = models.PositiveSmallIntegerField(
        _("first alarm (days before)"), help_text=_("The first e-mail alarm goes out this many days before.")
    )
    repeat_days = models.PositiveSmallIntegerField(
        _("repeat every (days)"),
        help_text=_("The alarm is sent again after this many days for as long as the entry is not handled."),
    )
    source = models.CharField(_("source"), max_length=500)

    class Meta:
        verbose_name = _("calendar lead time")
        verbose_name_plural = _("calendar lead times")
        ordering = ["kind", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "valid_from"], name="one_lead_time_per_kind_and_day"),
            models.CheckConstraint(name="lead_time_repeats", condition=Q(repeat_days__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.alarm_days})"


class CalendarAlarm(models.Model):
    """One e-mail alarm sent to an officer about one calendar entry. The newest one per entry decides
    when the next is due (``LeadTime.repeat_days`` later); an entry that is handled (the agreement
    extended or ended, the review recorded, the document renewed) leaves the calendar and gets no more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="+"
    )
    key = models.CharField(_("entry"), max_length=120, db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=EntryKind.choices)
    due_on = models.DateField(_("date of the entry"))
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)
    recipient = models.EmailField(_("recipient"))

    class Meta:
        verbose_name = _("calendar alarm")
        verbose_name_plural = _("calendar alarms")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "sent_on"], name="one_alarm_per_entry_and_day"),
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.recipient}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """An officer's secret iCalendar address. Only the SHA-256 of the token is stored: the address is
    shown once, when it is made; revoking it (or making a new one) makes the old address answer 404."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("officer"), on_delete=models.CASCADE, related_name="+"
    )
    token_sha256 = models.CharField(_("token (SHA-256)"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=Q(revoked_at__isnull=True), name="one_live_feed_per_officer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%d-%m-%Y})"
