"""Production data: what was allocated to clients (toewijzingen) and what providers billed
(declaraties), imported from CSV/XLSX files in batches. The fraud rules aggregate these lines.

Client identifiers are pseudonymised at import: a BSN is validated and replaced by its keyed hash
(HMAC-SHA256 with ``settings.PSEUDONYMISATION_KEY``) before anything is written, so a BSN is never
stored or logged in clear (compliance.production.pseudonym).

The line tables are append-only fact tables of up to tens of millions of rows. They are written by
``compliance.production.importer`` (PostgreSQL COPY, or bulk inserts on SQLite) after every value has
been validated in Python, so their foreign keys carry no database constraint and no index: each would
cost a lookup per inserted row (four times slower in measurements), and the rules read the lines with
sequential scans and hash joins anyway.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from contracting.models import ContractingAuthority, Product, ProductCategory, Provider, Unit
from core import formatting
from core.models import BaseModel


class ProductionKind(models.TextChoices):
    ALLOCATIONS = "allocations", _("Allocations (toewijzingen)")
    DECLARATIONS = "declarations", _("Declarations (declaraties)")
    CARE = "care", _("Start and stop of care (305/307)")


class CareMessage(models.TextChoices):
    """iWmo/iJw messages of the provider about the delivery of an allocation."""

    START = "305", _("Start of care (305)")
    STOP = "307", _("Stop of care (307)")


class ImportStatus(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected: nothing stored")


class Frequency(models.TextChoices):
    """iWmo/iJw frequency of an allocated volume (WJ757)."""

    PER_DAY = "1", _("Per day")
    PER_WEEK = "2", _("Per week")
    PER_MONTH = "4", _("Per month")
    TOTAL = "6", _("Total within the allocation period")


class ImportBatch(BaseModel):
    """One imported file. The same file (same SHA-256) is stored once per authority and kind: importing
    it again changes nothing. A file of which no row could be stored is kept as a rejected attempt (so
    the attempt and its reasons are visible) and may be imported again."""

    authority = models.ForeignKey(
        ContractingAuthority,
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        related_name="import_batches",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ProductionKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices)
    strict = models.BooleanField(
        _("all or nothing"),
        default=False,
        help_text=_("When set, one rejected row rejects the whole file."),
    )
    file_name = models.CharField(_("file name"), max_length=255)
    file_format = models.CharField(_("format"), max_length=4)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"))
    rows_total = models.PositiveIntegerField(_("rows in the file"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows stored"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    period_start = models.DateField(_("first period start"), null=True, blank=True)
    period_end = models.DateField(_("last period end"), null=True, blank=True)
    total_amount = models.DecimalField(
        _("total amount (EUR)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    municipality_totals = models.JSONField(
        _("stored rows per municipality"),
        default=dict,
        blank=True,
        help_text=_(
            "A regional file split per participating municipality: per CBS code the rows stored and, for "
            "declarations, their amount; rows without a municipality under the key 'none'."
        ),
    )
    error = models.TextField(_("error"), blank=True, help_text=_("Why the file as a whole was rejected."))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("production import")
        verbose_name_plural = _("production imports")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "kind", "file_sha256"],
                condition=Q(status="completed"),
                name="one_completed_import_per_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name} ({formatting.datetime_short(self.started_at)})"


class ImportRejection(models.Model):
    """A row of an imported file that was not stored, with the specific reason. Messages never
    repeat a client identifier."""

    batch = models.ForeignKey(
        ImportBatch, verbose_name=_("import"), on_delete=models.CASCADE, related_name="rejections"
    )
    row_number = models.PositiveIntegerField(
        _("row"), help_text=_("Row number in the file; the header is row 1.")
    )
    column = models.CharField(_("column"), max_length=40, blank=True)
    code = models.CharField(_("code"), max_length=40)
    message = models.TextField(_("reason"))

    class Meta:
        verbose_name = _("rejected row")
        verbose_name_plural = _("rejected rows")
        ordering = ["batch", "row_number", "id"]
        indexes = [models.Index(fields=["batch", "row_number"])]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.message}"


def _fact_fk(model, verbose_name, **kwargs):
    """A reference from a fact line: no database constraint and no index (see the module docstring)."""
    kwargs.setdefault("on_delete", models.PROTECT)
    return models.ForeignKey(
        model, verbose_name=verbose_name, db_constraint=False, db_index=False, related_name="+", **kwargs
    )


class ProductionLine(models.Model):
    """Columns shared by allocation and declaration lines (iWmo/iJw shaped)."""

    batch = _fact_fk(ImportBatch, _("import"), on_delete=models.CASCADE)
    row_number = models.PositiveIntegerField(_("row in the file"))
    authority = _fact_fk(ContractingAuthority, _("authority"))
    municipality = _fact_fk(
        ContractingAuthority,
        _("municipality"),
        null=True,
        blank=True,
        help_text=_(
            "The municipality that allocated (its CBS code in the file): the authority itself, or a "
            "participating municipality of a region. Empty when a regional file did not say."
        ),
    )
    provider = _fact_fk(Provider, _("provider"))
    client_hash = models.BinaryField(
        _("client pseudonym"),
        max_length=32,
        help_text=_("HMAC-SHA256 of the BSN with the pseudonymisation key; the BSN itself is never stored."),
    )
    allocation_number = models.CharField(_("allocation number"), max_length=20, blank=True)
    category = _fact_fk(ProductCategory, _("product category"))
    product = _fact_fk(Product, _("product"), null=True, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    volume = models.PositiveIntegerField(_("volume"))
    unit = _fact_fk(Unit, _("unit"))

    class Meta:
        abstract = True


class AllocationLine(ProductionLine):
    """An allocation (toewijzing, WMO301/JW301): the volume a client may receive from a provider in a
    period. An allocation number is unique per authority; a later file with the same number replaces
    the allocation (a changed allocation keeps its number in iWmo/iJw)."""

    frequency = models.CharField(_("frequency"), max_length=1, choices=Frequency.choices)
    total_volume = models.DecimalField(
        _("allocated volume over the period"),
        max_digits=14,
        decimal_places=2,
        help_text=_("The volume converted to the whole allocation period (iWmo rule CD076)."),
    )
    budget = models.DecimalField(_("budget (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("allocation line")
        verbose_name_plural = _("allocation lines")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "allocation_number"], name="one_allocation_per_number"
            ),
        ]

    def __str__(self) -> str:
        return self.allocation_number


class DeclarationLine(ProductionLine):
    """A declared delivery (declaratie, WMO323/JW323): what a provider billed for a client, product
    and period."""

    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("declaration line")
        verbose_name_plural = _("declaration lines")

    def __str__(self) -> str:
        return f"{self.allocation_number or '-'} {formatting.date_short(self.period_start)}"


class StopReason(models.Model):
    """Reason for the end of care (iJw/iWmo code list JZ588 *Reden beeindiging*, reference/reden_beeindiging.csv).
    ``planned`` marks the reasons that count as care ended as planned (the KPI)."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=200)
    planned = models.BooleanField(_("ended as planned"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("reason for the end of care")
        verbose_name_plural = _("reasons for the end of care")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CareEvent(models.Model):
    """A start (305) or stop (307) of the care of an allocation, as the provider reported it. One of each
    per allocation number and authority: a later file replaces it. Linked to its allocation by the
    allocation number (the allocation may be imported after its start)."""

    batch = _fact_fk(ImportBatch, _("import"), on_delete=models.CASCADE)
    row_number = models.PositiveIntegerField(_("row in the file"))
    authority = _fact_fk(ContractingAuthority, _("authority"))
    municipality = _fact_fk(ContractingAuthority, _("municipality"), null=True, blank=True)
    provider = _fact_fk(Provider, _("provider"))
    client_hash = models.BinaryField(_("client pseudonym"), max_length=32)
    allocation_number = models.CharField(_("allocation number"), max_length=20)
    category = _fact_fk(ProductCategory, _("product category"))
    product = _fact_fk(Product, _("product"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=3, choices=CareMessage.choices)
    date = models.DateField(_("date"), help_text=_("The first day of care (305) or the last (307)."))
    reason = models.CharField(_("reason for the end"), max_length=2, blank=True)

    class Meta:
        verbose_name = _("start or stop of care")
        verbose_name_plural = _("starts and stops of care")
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "allocation_number", "message"], name="one_care_event_per_message"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.message} {self.allocation_number}"
