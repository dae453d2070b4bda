"""The audit trail: append-only and hash-chained. The tables keep their names from when the trail lived in
compliance (``compliance_auditevent``, ``compliance_auditchainhead``), so existing events and hashes stay."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The audit trail is append-only.")

    def delete(self):
        raise PermissionDenied("The audit trail is append-only.")


class AuditEvent(models.Model):
    """One committed change. Each event carries the hash of the previous one (see audit.services)."""

    occurred_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    event = models.CharField(_("event"), max_length=80, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=80, blank=True)
    subject_uuid = models.UUIDField(_("subject"), null=True, blank=True, db_index=True)
    subject_repr = models.CharField(_("subject description"), max_length=255, blank=True)
    from_state = models.CharField(_("from state"), max_length=40, blank=True)
    to_state = models.CharField(_("to state"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table = "compliance_auditevent"
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["subject_type", "subject_uuid", "id"])]

    def __str__(self) -> str:
        # local time, the way every page writes it (core.formatting.datetime_short); the event's name is
        # shown by the pages as a label (core.labels.event_label), never as its code
        moment = (
            timezone.localtime(self.occurred_at) if timezone.is_aware(self.occurred_at) else self.occurred_at
        )
        return f"{formats.date_format(moment, 'd-m-Y H:i')} {self.subject_repr}".strip()

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionDenied("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit trail is append-only.")


class AuditChainHead(models.Model):
    """A single row holding the hash of the newest event; locking it serialises appends to the chain.

    It also counts the events and names the newest one, and carries a keyed signature over the three
    (audit.services.sign): whoever deletes events at the end of the trail, or appends one behind the
    application's back, has to move the head as well, and cannot sign it without the key."""

    last_hash = models.CharField(max_length=64)
    event_count = models.BigIntegerField(_("number of events"), default=0)
    last_event_id = models.BigIntegerField(_("newest event"), null=True, blank=True)
    signature = models.CharField(_("signature"), max_length=64, blank=True)

    class Meta:
        db_table = "compliance_auditchainhead"
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.event_count}:{self.last_hash}"


class AuditAnchor(models.Model):
    """The head of the chain as it was at a moment, written by the daily ``anchor_audit_trail`` (and copied
    to the anchor file outside the database, ``AUDIT_ANCHOR_FILE``). Append-only: on PostgreSQL a trigger
    refuses UPDATE, DELETE and TRUNCATE. A rewrite of the chain (events re-hashed from some point, the head
    moved along) leaves every anchor after that point naming a hash that is no longer at its position."""

    created_at = models.DateTimeField(_("created at"))
    event_id = models.BigIntegerField(_("newest event"))
    event_count = models.BigIntegerField(_("number of events"))
    hash = models.CharField(_("hash"), max_length=64)
    signature = models.CharField(_("signature"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit anchor")
        verbose_name_plural = _("audit anchors")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.event_count}:{self.hash}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionDenied("Audit anchors are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit anchors are append-only.")


class LoginFailureWindow(models.Model):
    """How many failed logins a bucket (one existing account, or every unknown username together) had since
    the last ``user.login_failed`` event it wrote. At most one event per bucket per window
    (``AUDIT_LOGIN_FAILURE_WINDOW_MINUTES``): a password typed as a username, or a fuzzer trying thousands of
    names, cannot grow the permanent trail without bound. A counter, not a record: it is changed in place."""

    bucket = models.CharField(_("bucket"), max_length=80, unique=True)
    window_start = models.DateTimeField(_("window start"))
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_attempt_at = models.DateTimeField(_("last attempt"))

    class Meta:
        verbose_name = _("failed-login window")
        verbose_name_plural = _("failed-login windows")

    def __str__(self) -> str:
        return f"{self.bucket}: {self.attempts}"
