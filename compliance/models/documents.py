"""Accountability documents (verantwoordingsdocumenten). The upload, storage and review flow is built
on top of this in the documents issue; the conditions engine reads accepted documents as evidence."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from contracting.models import Provider
from contracting.roles import officer, officer_or_own_provider
from core.models import BaseModel

CAN_REVIEW_DOCUMENTS = officer("compliance.review_accountabilitydocument")
CAN_SUBMIT_DOCUMENTS = officer_or_own_provider("compliance.review_accountabilitydocument")


class DocumentType(models.Model):
    """Kind of document; how old it may be on receipt and how long an accepted one counts are data
    (reference: shared/reference/verantwoording_documenten.csv), changeable by an administrator."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    max_age_months = models.PositiveSmallIntegerField(
        _("maximum age on receipt (months)"), null=True, blank=True
    )
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        help_text=_("How long an accepted document counts as evidence; empty = until the end of its period."),
    )

    class Meta:
        verbose_name = _("document type")
        verbose_name_plural = _("document types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")


class AccountabilityDocument(FSMModelMixin, BaseModel):
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="documents"
    )
    document_type = models.ForeignKey(DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    status = FSMField(
        _("status"),
        choices=DocumentStatus.choices,
        default=DocumentStatus.REQUESTED,
        protected=True,
        db_index=True,
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    verdict_reason = models.TextField(_("reason of the verdict"), blank=True)

    class Meta:
        verbose_name = _("accountability document")
        verbose_name_plural = _("accountability documents")
        ordering = ["-created_at"]
        permissions = [("review_accountabilitydocument", _("Can review accountability documents"))]
        indexes = [models.Index(fields=["provider", "document_type", "status"])]
        constraints = [
            models.CheckConstraint(
                name="accepted_document_has_validity",
                condition=~Q(status="accepted") | Q(valid_from__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_type} – {self.provider}"

    @transition(
        field=status,
        source=[DocumentStatus.REQUESTED, DocumentStatus.REJECTED],
        target=DocumentStatus.SUBMITTED,
        permission=CAN_SUBMIT_DOCUMENTS,
        custom={"label": _("Submit")},
    )
    def submit(self) -> None:
        pass

    @transition(
        field=status,
        source=DocumentStatus.SUBMITTED,
        target=DocumentStatus.IN_REVIEW,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=status,
        source=DocumentStatus.IN_REVIEW,
        target=DocumentStatus.ACCEPTED,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"label": _("Accept")},
    )
    def accept(self) -> None:
        pass

    @transition(
        field=status,
        source=DocumentStatus.IN_REVIEW,
        target=DocumentStatus.REJECTED,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"label": _("Reject"), "reason_required": True},
    )
    def reject(self) -> None:
        pass

    @transition(
        field=status,
        source=DocumentStatus.ACCEPTED,
        target=DocumentStatus.EXPIRED,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"label": _("Mark as expired")},
    )
    def expire(self) -> None:
        pass
