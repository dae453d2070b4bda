"""Exports for auditors: a workbook or a PDF, made in the background, stored under ``exports/`` on the
default storage, with its checksum. Each finished export is also an AuditEvent (compliance.reports)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import formatting
from core.models import BaseModel


class ExportKind(models.TextChoices):
    WORKBOOK = "workbook", _("Workbook (Excel)")
    PROVIDER_DOSSIER = "provider_dossier", _("Provider dossier (PDF)")
    PROCEDURE_REPORT = "procedure_report", _("Procedure report (PDF)")
    PERIOD_REPORT = "period_report", _("Period report (PDF)")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


def export_upload_to(instance: "Export", filename: str) -> str:
    return f"exports/{instance.created_at:%Y/%m}/{instance.uuid}/{filename}"


class Export(BaseModel):
    kind = models.CharField(_("kind"), max_length=20, choices=ExportKind.choices)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the export is about, for visibility (a provider user sees only the dossiers of their own
    # organisation) and for the changelist; the parameters hold the same as uuids.
    authority = models.ForeignKey(
        "contracting.ContractingAuthority",
        verbose_name=_("authority"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    provider = models.ForeignKey(
        "contracting.Provider",
        verbose_name=_("provider"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    procedure = models.ForeignKey(
        "contracting.Procedure",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED, db_index=True
    )
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=300, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    audit_hash = models.CharField(
        _("audit-trail hash"),
        max_length=64,
        blank=True,
        help_text=_("The hash of the newest audit event when the export was made."),
    )
    error = models.TextField(_("error"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                name="done_export_has_checksum",
                condition=~Q(status="done") | (~Q(sha256="") & Q(size__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {formatting.datetime_short(self.created_at)}"
