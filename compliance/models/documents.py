"""Accountability documents (verantwoordingsdocumenten): what must be delivered (DocumentRequirement),
the requested documents per provider and period (AccountabilityDocument, a state machine), the uploaded
files (DocumentVersion, append-only: a new upload is a new version, a stored file is never overwritten)
and the reminder log. The conditions engine reads accepted documents in force as evidence.

Services: compliance.documents.services (``document_<verb>``)."""

import datetime
import uuid as uuid_lib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from contracting.models import Provider
from contracting.roles import officer, officer_or_own_provider
from core import clock, formatting
from core.models import BaseModel
from core.storage import document_storage

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
    per_agreement = models.BooleanField(
        _("one per agreement"),
        default=False,
        db_default=False,  # the condition library's data migration inserts rows without this field
        help_text=_(
            "Delivered for each agreement separately (e.g. the signed agreement) instead of once for the "
            "provider."
        ),
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


# States in which the provider still owes something.
OWED_STATES = (DocumentStatus.REQUESTED, DocumentStatus.REJECTED)
# States in which the document is still being delivered or decided on (not final).
OPEN_STATES = (
    DocumentStatus.REQUESTED,
    DocumentStatus.SUBMITTED,
    DocumentStatus.IN_REVIEW,
    DocumentStatus.REJECTED,
)


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    YEARLY = "yearly", _("Yearly")
    QUARTERLY = "quarterly", _("Quarterly")


class DueRule(models.TextChoices):
    DAYS_AFTER = "days_after", _("A number of days after the end of the period (once: after the start)")
    FIXED_DATE = "fixed_date", _("A fixed day and month after the end of the period (once: after the start)")


class DocumentRequirement(BaseModel):
    """What must be delivered: a document type, asked by a condition (of every subject whose condition
    set contains it), an agreement or a procedure, with a recurrence and a due rule. The requested
    documents are generated from these (compliance.documents.services.document_generate_requests); one
    document per provider, type and period serves every requirement that asks for it."""

    document_type = models.ForeignKey(
        DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT, related_name="requirements"
    )
    condition = models.ForeignKey(
        "compliance.Condition",
        verbose_name=_("condition"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_requirements",
    )
    agreement = models.ForeignKey(
        "contracting.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_requirements",
    )
    procedure = models.ForeignKey(
        "contracting.Procedure",
        verbose_name=_("procedure"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="document_requirements",
    )
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices)
    due_rule = models.CharField(
        _("due rule"), max_length=12, choices=DueRule.choices, default=DueRule.DAYS_AFTER
    )
    due_days = models.PositiveSmallIntegerField(
        _("days after the end of the period"),
        default=30,
        help_text=_("For the rule 'days after'; for a one-off document: days after the obligation starts."),
    )
    due_day = models.PositiveSmallIntegerField(_("due day"), null=True, blank=True)
    due_month = models.PositiveSmallIntegerField(_("due month"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(
        _("requested days before the due date"),
        default=60,
        help_text=_("The document is requested from the provider this many days before it is due."),
    )
    starts_on = models.DateField(
        _("applies from"),
        default=clock.today,
        help_text=_("No document is requested for periods that ended before this date."),
    )
    ends_on = models.DateField(_("applies until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    instructions = models.TextField(_("instructions for the provider"), blank=True)

    class Meta:
        verbose_name = _("document requirement")
        verbose_name_plural = _("document requirements")
        ordering = ["document_type__name", "id"]
        constraints = [
            models.CheckConstraint(
                name="document_requirement_has_one_owner",
                condition=(
                    Q(condition__isnull=False, agreement__isnull=True, procedure__isnull=True)
                    | Q(condition__isnull=True, agreement__isnull=False, procedure__isnull=True)
                    | Q(condition__isnull=True, agreement__isnull=True, procedure__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="document_requirement_fixed_date_complete",
                condition=~Q(due_rule="fixed_date")
                | (
                    Q(due_day__gte=1, due_day__lte=31, due_month__gte=1, due_month__lte=12)
                    & ~Q(recurrence="quarterly")
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document_type} ({self.get_recurrence_display()}) – {self.owner}"

    @property
    def owner(self):
        return self.condition or self.agreement or self.procedure

    def clean(self) -> None:
        owners = [o for o in (self.condition_id, self.agreement_id, self.procedure_id) if o]
        if len(owners) != 1:
            raise ValidationError(_("Choose exactly one of condition, agreement or procedure."))
        if self.due_rule == DueRule.FIXED_DATE:
            if self.recurrence == Recurrence.QUARTERLY:
                raise ValidationError(
                    _("A fixed due date is possible for yearly and one-off documents only.")
                )
            if not (self.due_day and self.due_month):
                raise ValidationError(_("A fixed due date needs a day and a month."))
            try:
                datetime.date(2001, self.due_month, self.due_day)
            except ValueError as exc:
                raise ValidationError(_("The due day does not exist in that month.")) from exc


class DocumentQuerySet(models.QuerySet):
    def overdue(self, today: datetime.date | None = None) -> "DocumentQuerySet":
        """Past the due date while the provider still owes it (requested, or rejected and not yet
        submitted again). A submitted document awaits the officer, not the provider."""
        today = today or clock.today()
        return self.filter(status__in=OWED_STATES, due_date__lt=today)


class AccountabilityDocument(FSMModelMixin, BaseModel):
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="documents"
    )
    document_type = models.ForeignKey(DocumentType, verbose_name=_("document type"), on_delete=models.PROTECT)
    agreement = models.ForeignKey(
        "contracting.Agreement",
        verbose_name=_("agreement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("Only for document types delivered per agreement."),
    )
    period_key = models.CharField(
        _("period key"),
        max_length=80,
        blank=True,
        default="",
        help_text=_(
            "Identifies the period (e.g. 2025, 2025-Q2); one document per provider, type and period."
        ),
    )
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
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    current_version = models.ForeignKey(
        "compliance.DocumentVersion",
        verbose_name=_("current version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    requirements = models.ManyToManyField(
        DocumentRequirement, verbose_name=_("requested for"), blank=True, related_name="documents"
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("accountability document")
        verbose_name_plural = _("accountability documents")
        ordering = ["-created_at"]
        permissions = [("review_accountabilitydocument", _("Can review accountability documents"))]
        indexes = [
            models.Index(fields=["provider", "document_type", "status"]),
            models.Index(fields=["status", "due_date"]),
        ]
        constraints = [
            models.CheckConstraint(
                name="accepted_document_has_validity",
                condition=~Q(status="accepted") | Q(valid_from__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["provider", "document_type", "period_key"], name="one_document_per_period"
            ),
            models.CheckConstraint(
                name="rejected_document_has_reason",
                condition=~Q(status="rejected") | ~Q(verdict_reason=""),
            ),
        ]

    def __str__(self) -> str:
        label = self.period_label
        return f"{self.document_type} – {self.provider}" + (f" ({label})" if label else "")

    @property
    def period_label(self) -> str:
        start, end = self.period_start, self.period_end
        if start and end:
            if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
                return str(start.year)
            if (
                start.day == 1
                and start.month in (1, 4, 7, 10)
                and (end.month - start.month, end.year)
                == (
                    2,
                    start.year,
                )
            ):
                return _("Q%(quarter)s %(year)s") % {
                    "quarter": (start.month - 1) // 3 + 1,
                    "year": start.year,
                }
            return f"{start:%d-%m-%Y} – {end:%d-%m-%Y}"
        return ""

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or clock.today()
        return self.status in OWED_STATES and self.due_date is not None and self.due_date < today

    @transition(
        field=status,
        source=[DocumentStatus.REQUESTED, DocumentStatus.REJECTED],
        target=DocumentStatus.SUBMITTED,
        permission=CAN_SUBMIT_DOCUMENTS,
        custom={"event": "accountabilitydocument.submitted", "label": _("Submit")},
    )
    def submit(self, *, at: datetime.datetime | None = None) -> None:
        self.submitted_at = at or clock.now()

    @transition(
        field=status,
        source=DocumentStatus.SUBMITTED,
        target=DocumentStatus.IN_REVIEW,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"event": "accountabilitydocument.review_started", "label": _("Start review")},
    )
    def start_review(self) -> None:
        pass

    @transition(
        field=status,
        source=DocumentStatus.IN_REVIEW,
        target=DocumentStatus.ACCEPTED,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"event": "accountabilitydocument.accepted", "label": _("Accept")},
    )
    def accept(
        self,
        *,
        by=None,
        at: datetime.datetime | None = None,
        valid_from: datetime.date | None = None,
        valid_until: datetime.date | None = None,
    ) -> None:
        self.reviewed_by, self.reviewed_at = by, at or clock.now()
        self.valid_from, self.valid_until = valid_from, valid_until
        self.verdict_reason = ""

    @transition(
        field=status,
        source=DocumentStatus.IN_REVIEW,
        target=DocumentStatus.REJECTED,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"event": "accountabilitydocument.rejected", "label": _("Reject"), "reason_required": True},
    )
    def reject(self, *, reason: str = "", by=None, at: datetime.datetime | None = None) -> None:
        self.reviewed_by, self.reviewed_at = by, at or clock.now()
        self.verdict_reason = reason

    @transition(
        field=status,
        source=DocumentStatus.ACCEPTED,
        target=DocumentStatus.EXPIRED,
        permission=CAN_REVIEW_DOCUMENTS,
        custom={"event": "accountabilitydocument.expired", "label": _("Mark as expired")},
    )
    def expire(self) -> None:
        pass


def version_upload_to(version: "DocumentVersion", filename: str) -> str:
    return (
        f"documents/{version.document.provider.uuid}/{version.document.uuid}/"
        f"v{version.number}-{version.uuid.hex[:8]}-{filename}"
    )


class DocumentVersion(models.Model):
    """One uploaded file of a document. Append-only: a new upload is a new version that links to the
    previous one; a stored file is never overwritten or changed."""

    uuid = models.UUIDField(_("uuid"), default=uuid_lib.uuid4, unique=True, editable=False)
    document = models.ForeignKey(
        AccountabilityDocument, verbose_name=_("document"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    file = models.FileField(_("file"), storage=document_storage, upload_to=version_upload_to, max_length=500)
    original_filename = models.CharField(_("original file name"), max_length=255)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("detected type"), max_length=100)
    issued_on = models.DateField(_("date of the document"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=clock.now)

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="unique_document_version_number"),
            models.CheckConstraint(name="document_version_number_positive", condition=Q(number__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.filename} (v{self.number})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("Document versions are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Document versions are append-only.")


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    REJECTED = "rejected", _("Rejected")


class DocumentReminderDigest(models.Model):
    """One reminder e-mail (a digest) to one provider user on one day: at most one per user per day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    sent_on = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=clock.now)
    recipient = models.EmailField(_("recipient"))
    item_count = models.PositiveIntegerField(_("number of items"), default=0)

    class Meta:
        verbose_name = _("reminder e-mail")
        verbose_name_plural = _("reminder e-mails")
        ordering = ["-sent_on", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "sent_on"], name="one_reminder_per_user_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {formatting.date_short(self.sent_on)}"


class DocumentReminder(models.Model):
    """One item of a digest: this user was told about this document for this reason (``key`` tells
    occurrences apart: the due date, the week of being overdue, the rejected version). Never twice."""

    digest = models.ForeignKey(
        DocumentReminderDigest,
        verbose_name=_("reminder e-mail"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    document = models.ForeignKey(
        AccountabilityDocument, verbose_name=_("document"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ReminderKind.choices)
    key = models.CharField(_("occurrence"), max_length=40)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document", "kind", "key"], name="one_reminder_per_occurrence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.document_id}"
