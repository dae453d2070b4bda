"""The audit trail: append-only and hash-chained. The tables keep their names from when the trail lived in
compliance (``compliance_auditevent``, ``compliance_auditchainhead``), so existing events and hashes stay."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
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
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.event} {self.subject_repr}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise PermissionDenied("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The audit trail is append-only.")


class AuditChainHead(models.Model):
    """A single row holding the hash of the newest event; locking it serialises appends to the chain."""

    last_hash = models.CharField(max_length=64)

    class Meta:
        db_table = "compliance_auditchainhead"
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return self.last_hash
