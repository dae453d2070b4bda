"""The auditor's workbook (openpyxl, write-only): one authority, one period.

Sheets: providers, agreements (the contract register), the condition matrix, documents, fraud signals,
tariffs against the reële prijs, the transition log, and an "export" sheet saying when and by whom it
was made and the audit-trail hash at that moment.

Every sheet streams its rows from ``QuerySet.iterator()`` (``values_list``: tuples, no model instances)
straight into the write-only worksheet, so memory stays flat however many rows there are. Header rows
are styled, frozen and filtered; dates are real Excel dates and amounts numbers in a euro format.

Every text, headers included, goes through ``core.spreadsheets``: a provider name, a reason or a username
that starts like a formula (``=``, ``+``, ``-``, ``@`` ...) is written as text, never as a formula.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.conditions.selectors import compliance_matrix
from compliance.models import (
    AccountabilityDocument,
    Condition,
    DocumentStatus,
    EvaluationOutcome,
    FraudSignal,
    SignalSeverity,
    SignalStatus,
)
from compliance.reports.meta import ReportMeta
from compliance.reports.scope import (
    agreement_scope,
    audit_event_scope,
    provider_scope,
    rule_title,
    signal_scope,
)
from contracting.models import AgreementStatus, BudgetCeiling, CostModel, IndexationRun, Law, Provider, Tariff
from core import formatting, labels
from core.dates import add_months
from core.spreadsheets import FORMULA_TRIGGERS, ILLEGAL_CHARACTERS, text_into, xlsx_text

CHUNK = 2000

# numbers stay numbers; the reader's spreadsheet shows them in its locale with these formats
EURO_FORMAT = formatting.WORKBOOK_MONEY
DATE_FORMAT = formatting.WORKBOOK_DATE
DATETIME_FORMAT = formatting.WORKBOOK_DATETIME
PERCENT_FORMAT = formatting.WORKBOOK_PERCENT
NUMBER_FORMAT = formatting.WORKBOOK_NUMBER

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
HEADER_BORDER = Border(bottom=Side(style="thin", color="000000"))

# Condition matrix: the colours of the admin's outcome badges (Excel's good/bad/neutral palette).
OUTCOME_FILLS = {
    "satisfied": PatternFill("solid", fgColor="C6EFCE"),
    "violated": PatternFill("solid", fgColor="FFC7CE"),
    "pending": PatternFill("solid", fgColor="FFEB9C"),
    "waived": PatternFill("solid", fgColor="DDEBF7"),
}
OUTCOME_FONTS = {
    "satisfied": Font(color="006100"),
    "violated": Font(color="9C0006"),
    "pending": Font(color="9C5700"),
    "waived": Font(color="1F4E78"),
}


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 14
    fmt: str | None = None  # an Excel number format for dates and amounts


def naive_local(value: datetime.datetime | None) -> datetime.datetime | None:
    """Excel has no time zones: local (Europe/Amsterdam) wall-clock time."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


class SheetWriter:
    """A write-only sheet: styled, frozen header row; auto-filter over all rows; per-column formats.

    Formatted columns reuse one styled cell each: the writer serialises a row before the next one is
    appended, so only the value changes per row (no style lookups per cell). Text values are written as
    text whatever they start with (``core.spreadsheets.xlsx_text``)."""

    def __init__(self, workbook: Workbook, title: str, columns: list[Column]) -> None:
        self.ws = workbook.create_sheet(title=title[:31])
        self.columns = columns
        for index, column in enumerate(columns, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = column.width
        self.ws.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(self.ws)
            text_into(cell, column.header)  # a header can come from the data (a condition's code)
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment, cell.border = HEADER_ALIGNMENT, HEADER_BORDER
            header.append(cell)
        self.ws.append(header)
        self.rows = 0
        self._templates: list[WriteOnlyCell | None] = []
        for column in columns:
            if column.fmt is None:
                self._templates.append(None)
                continue
            cell = WriteOnlyCell(self.ws)
            cell.number_format = column.fmt
            self._templates.append(cell)
        self._formatted = [i for i, t in enumerate(self._templates) if t is not None]

    def append(self, values: list[Any]) -> None:
        ws, templates = self.ws, self._templates
        for i, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                # the hot loop: only a text that needs it becomes a cell (core.spreadsheets decides how)
                if value.startswith(FORMULA_TRIGGERS) or ILLEGAL_CHARACTERS.search(value) is not None:
                    values[i] = xlsx_text(ws, value)
            elif templates[i] is not None:
                cell = templates[i]
                cell.value = value
                values[i] = cell
        ws.append(values)
        self.rows += 1

    def append_cells(self, values: list[Any]) -> None:
        """A row of cells built by the caller (e.g. coloured per value) and plain values; text as text."""
        ws = self.ws
        self.ws.append([xlsx_text(ws, value) for value in values])
        self.rows += 1

    def close(self) -> None:
        last = get_column_letter(len(self.columns))
        self.ws.auto_filter.ref = f"A1:{last}{self.rows + 1}"


def _label(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


# --------------------------------------------------------------------------- sheets


def providers_sheet(wb: Workbook, authority: Any, start: datetime.date, end: datetime.date) -> int:

    sheet = SheetWriter(
        wb,
        _("Providers"),
        [
            Column(_("Name"), 36),
            Column(_("KvK number"), 12),
            Column(_("AGB code"), 12),
            Column(_("Legal form"), 22),
            Column(_("Founding date"), 13, DATE_FORMAT),
            Column(_("City"), 18),
            Column(_("Wmo"), 8),
            Column(_("Youth care"), 10),
            Column(_("FTE"), 9, NUMBER_FORMAT),
            Column(_("Parent organisation"), 28),
            Column(_("Agreements in the period"), 14, NUMBER_FORMAT),
            Column(_("Open or confirmed signals"), 14, NUMBER_FORMAT),
        ],
    )
    agreements = (
        agreement_scope(authority, start, end)
        .filter(provider=OuterRef("pk"))
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    signals = (
        FraudSignal.objects.filter(
            provider=OuterRef("pk"),
            status__in=[SignalStatus.OPEN, SignalStatus.INVESTIGATING, SignalStatus.CONFIRMED],
        )
        .order_by()
        .values("provider")
        .annotate(n=Count("pk"))
        .values("n")
    )
    legal_forms = _label(Provider.LegalForm.choices)
    yes, no = _("yes"), _("no")
    rows = (
        provider_scope(authority)
        .annotate(
            n_agreements=Coalesce(Subquery(agreements), 0),
            n_signals=Coalesce(Subquery(signals), 0),
        )
        .order_by("name")
        .values_list(
            "name",
            "kvk_number",
            "agb_code",
            "legal_form",
            "founded_on",
            "city",
            "serves_wmo",
            "serves_youth",
            "fte",
            "parent__name",
            "n_agreements",
            "n_signals",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        values = list(row)
        values[3] = legal_forms.get(values[3], values[3])
        values[6] = yes if values[6] else no
        values[7] = yes if values[7] else no
        sheet.append(values)
    sheet.close()
    return sheet.rows


def agreements_sheet(wb: Workbook, authority: Any, start: datetime.date, end: datetime.date) -> int:

    years = list(range(start.year, end.year + 1))[:10]
    columns = [
        Column(_("Reference"), 18),
        Column(_("Party"), 34),
        Column(_("Party type"), 12),
        Column(_("Procedure"), 16),
        Column(_("Domain"), 10),
        Column(_("Status"), 14),
        Column(_("Start date"), 12, DATE_FORMAT),
        Column(_("End date"), 12, DATE_FORMAT),
        Column(_("Signed on"), 12, DATE_FORMAT),
        Column(_("Months per extension"), 12, NUMBER_FORMAT),
        Column(_("Maximum extensions"), 12, NUMBER_FORMAT),
        Column(_("Extensions used"), 12, NUMBER_FORMAT),
        Column(_("Extension deadline"), 13, DATE_FORMAT),
        Column(_("Latest possible end date"), 13, DATE_FORMAT),
        Column(_("Notice period (months)"), 12, NUMBER_FORMAT),
        *[Column(_("Budget ceiling %(year)s") % {"year": year}, 16, EURO_FORMAT) for year in years],
        Column(_("Termination effective on"), 13, DATE_FORMAT),
        Column(_("Suspension or termination reason"), 40),
    ]
    sheet = SheetWriter(wb, _("Agreements"), columns)
    statuses, laws = _label(AgreementStatus.choices), _label(Law.choices)
    provider_label, coalition_label = _("provider"), _("coalition")
    agreements = agreement_scope(authority, start, end).order_by("reference")
    ceilings: dict[int, dict[int, Decimal]] = {}
    rows = agreements.values_list(
        "pk",
        "reference",
        "provider__name",
        "coalition__name",
        "procedure__reference",
        "law",
        "status",
        "start_date",
        "end_date",
        "signed_on",
        "extension_months",
        "max_extensions",
        "extensions_used",
        "notice_months",
        "termination_effective_date",
        "suspension_reason",
        "termination_reason",
    )
    batch: list[tuple] = []

    def flush() -> None:
        ceilings.clear()
        for agreement_id, year, amount in BudgetCeiling.objects.filter(
            agreement_id__in=[r[0] for r in batch], year__in=years
        ).values_list("agreement_id", "year", "amount"):
            per_year = ceilings.setdefault(agreement_id, {})
            per_year[year] = per_year.get(year, Decimal(0)) + amount
        for r in batch:
            (pk, ref, provider, coalition, procedure, law, status, s, e, signed) = r[:10]
            ext_months, max_ext, used, notice, effective, suspension, termination = r[10:]
            remaining = max_ext - used
            sheet.append(
                [
                    ref,
                    provider or coalition,
                    provider_label if provider else coalition_label,
                    procedure,
                    laws.get(law, law),
                    statuses.get(status, status),
                    s,
                    e,
                    signed,
                    ext_months,
                    max_ext,
                    used,
                    add_months(e, -notice) if remaining > 0 else None,
                    add_months(e, remaining * ext_months),
                    notice,
                    *[ceilings.get(pk, {}).get(year) for year in years],
                    effective,
                    termination or suspension or None,
                ]
            )
        batch.clear()

    for row in rows.iterator(chunk_size=CHUNK):
        batch.append(row)
        if len(batch) >= CHUNK:
            flush()
    flush()
    sheet.close()
    return sheet.rows


def condition_matrix_sheet(wb: Workbook, authority: Any) -> int:
    """Providers × active conditions: the worst current outcome over the provider's subjects, coloured."""
    conditions = list(Condition.objects.filter(is_active=True).order_by("category", "code"))
    columns = [Column(_("Provider"), 36), Column(_("KvK number"), 12)]
    columns += [Column(c.title, max(14, min(len(c.title) + 2, 32))) for c in conditions]
    sheet = SheetWriter(wb, _("Condition matrix"), columns)
    outcomes = _label(EvaluationOutcome.choices)
    providers = provider_scope(authority).order_by("name").only("pk", "name", "kvk_number")
    chunk: list[Any] = []

    def flush() -> None:
        _conditions, cells = compliance_matrix(chunk, conditions)
        for provider in chunk:
            row: list[Any] = [provider.name, provider.kvk_number]
            for condition in conditions:
                cell = cells[provider.pk].get(condition.pk)
                if cell is None:
                    row.append(None)
                    continue
                styled = WriteOnlyCell(sheet.ws)
                text_into(styled, outcomes.get(cell.outcome, cell.outcome))
                styled.fill = OUTCOME_FILLS[cell.outcome]
                styled.font = OUTCOME_FONTS[cell.outcome]
                row.append(styled)
            sheet.append_cells(row)
        chunk.clear()

    for provider in providers.iterator(chunk_size=200):
        chunk.append(provider)
        if len(chunk) >= 200:
            flush()
    flush()
    sheet.close()
    return sheet.rows


def document_rows(authority: Any, start: datetime.date, end: datetime.date) -> Iterator[tuple]:
    """The documents of the authority's providers whose period overlaps the period (or that have none)."""
    documents = AccountabilityDocument.objects.filter(provider__in=provider_scope(authority)).filter(
        Q(period_start__isnull=True)
        | Q(period_start__lte=end, period_end__isnull=True)
        | Q(period_start__lte=end, period_end__gte=start)
    )
    names = [
        "provider__name",
        "provider__kvk_number",
        "document_type__name",
        "period_key",
        "period_start",
        "period_end",
        "due_date",
        "status",
        "reviewed_by__username",
        "reviewed_at",
        "valid_until",
        "sha256",
    ]
    ordered = documents.order_by("provider__name", "document_type__name", "period_start", "pk")
    return ordered.values_list(*names).iterator(chunk_size=CHUNK)


def documents_sheet(wb: Workbook, authority: Any, start: datetime.date, end: datetime.date) -> int:
    sheet = SheetWriter(
        wb,
        _("Documents"),
        [
            Column(_("Provider"), 34),
            Column(_("KvK number"), 12),
            Column(_("Document type"), 30),
            Column(_("Period"), 12),
            Column(_("Period start"), 12, DATE_FORMAT),
            Column(_("Period end"), 12, DATE_FORMAT),
            Column(_("Due date"), 12, DATE_FORMAT),
            Column(_("Status"), 13),
            Column(_("Reviewer"), 16),
            Column(_("Reviewed at"), 19, DATETIME_FORMAT),
            Column(_("Valid until"), 12, DATE_FORMAT),
            Column(_("SHA-256"), 68),
        ],
    )
    write_document_rows(sheet, document_rows(authority, start, end), _label(DocumentStatus.choices))
    sheet.close()
    return sheet.rows


def write_document_rows(sheet: SheetWriter, rows: Iterable[tuple], statuses: dict[str, str]) -> None:
    """The hot loop of the largest sheet (kept apart so the benchmark measures exactly this)."""
    append = sheet.append
    tz = timezone.get_current_timezone()
    for row in rows:
        values = list(row)
        values[7] = statuses.get(values[7], values[7])
        reviewed_at = values[9]
        if reviewed_at is not None:
            values[9] = reviewed_at.astimezone(tz).replace(tzinfo=None, microsecond=0)
        if not values[11]:
            values[11] = None
        append(values)


def signals_sheet(wb: Workbook, authority: Any, start: datetime.date, end: datetime.date) -> int:
    sheet = SheetWriter(
        wb,
        _("Fraud signals"),
        [
            Column(_("Provider"), 34),
            Column(_("KvK number"), 12),
            Column(_("Rule"), 40),
            Column(_("Period start"), 12, DATE_FORMAT),
            Column(_("Period end"), 12, DATE_FORMAT),
            Column(_("Severity"), 10),
            Column(_("Score"), 10, NUMBER_FORMAT),
            Column(_("Status"), 14),
            Column(_("Explanation"), 60),
        ],
    )
    severities, statuses = _label(SignalSeverity.choices), _label(SignalStatus.choices)
    titles: dict[str, str] = {}
    rows = (
        signal_scope(authority, start, end)
        .order_by("provider__name", "period_start", "rule")
        .values_list(
            "provider__name",
            "provider__kvk_number",
            "rule",
            "period_start",
            "period_end",
            "severity",
            "score",
            "status",
            "explanation",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        values = list(row)
        if values[2] not in titles:
            titles[values[2]] = rule_title(values[2])
        values[2] = titles[values[2]]
        values[5] = severities.get(values[5], values[5])
        values[7] = statuses.get(values[7], values[7])
        sheet.append(values)
    sheet.close()
    return sheet.rows


def tariffs_sheet(wb: Workbook, authority: Any, start: datetime.date, end: datetime.date) -> int:

    sheet = SheetWriter(
        wb,
        _("Tariffs"),
        [
            Column(_("Product code"), 12),
            Column(_("Product"), 36),
            Column(_("Unit"), 16),
            Column(_("Year"), 8),
            Column(_("Tariff per unit"), 15, EURO_FORMAT),
            Column(_("Reële prijs per unit"), 15, EURO_FORMAT),
            Column(_("Difference"), 15, EURO_FORMAT),
            Column(_("At least the reële prijs"), 12),
            Column(_("Indexation"), 12, PERCENT_FORMAT),
            Column(_("Indexation basis"), 22),
            Column(_("CAO"), 24),
            Column(_("Scale"), 8),
        ],
    )
    bases = _label(IndexationRun.Basis.choices)
    yes, no = _("yes"), _("no")
    tariffs = (
        Tariff.objects.filter(authority=authority, year__gte=start.year, year__lte=end.year)
        .select_related("product__unit", "indexation_run")
        .order_by("year", "product__code")
    )
    costs = {
        (c.product_id, c.year): c
        for c in CostModel.objects.filter(
            authority=authority, year__gte=start.year, year__lte=end.year
        ).select_related("product__unit")
    }
    for tariff in tariffs.iterator(chunk_size=CHUNK):
        cost = costs.get((tariff.product_id, tariff.year))
        real = cost.real_price if cost is not None else None
        sheet.append(
            [
                tariff.product.code,
                tariff.product.name,
                tariff.product.unit.name,
                tariff.year,
                tariff.amount,
                real,
                (tariff.amount - real) if real is not None else None,
                None if real is None else (yes if tariff.amount >= real else no),
                None if tariff.indexation_pct is None else tariff.indexation_pct / 100,
                bases.get(tariff.indexation_run.basis, "") if tariff.indexation_run else None,
                cost.cao if cost else None,
                cost.scale if cost else None,
            ]
        )
    sheet.close()
    return sheet.rows


def transition_log_sheet(wb: Workbook, authority: Any, start: datetime.date, end: datetime.date) -> int:
    sheet = SheetWriter(
        wb,
        _("Transition log"),
        [
            Column(_("Time"), 19, DATETIME_FORMAT),
            Column(_("Actor"), 16),
            Column(_("Event"), 30),
            Column(_("Subject type"), 24),
            Column(_("Subject"), 36),
            Column(_("From state"), 13),
            Column(_("To state"), 13),
            Column(_("Reason"), 40),
            Column(_("Hash"), 68),
            Column(_("Previous hash"), 68),
        ],
    )
    tz = timezone.get_current_timezone()
    rows = (
        audit_event_scope(authority, start, end)
        .order_by("id")
        .values_list(
            "occurred_at",
            "actor_name",
            "event",
            "subject_type",
            "subject_repr",
            "from_state",
            "to_state",
            "reason",
            "hash",
            "prev_hash",
        )
    )
    for row in rows.iterator(chunk_size=CHUNK):
        values = [v if v != "" else None for v in row]
        values[0] = row[0].astimezone(tz).replace(tzinfo=None, microsecond=0)
        subject_type = row[3]
        values[2] = labels.event_label(row[2])
        values[3] = labels.model_label(subject_type) or None
        values[5] = labels.state_label(subject_type, row[5]) or None
        values[6] = labels.state_label(subject_type, row[6]) or None
        sheet.append(values)
    sheet.close()
    return sheet.rows


def export_sheet(
    wb: Workbook,
    authority: Any,
    start: datetime.date,
    end: datetime.date,
    meta: ReportMeta,
    counts: dict[str, int],
) -> None:
    sheet = SheetWriter(wb, _("Export"), [Column(_("Item"), 34), Column(_("Value"), 70)])

    def formatted(value: Any, fmt: str) -> Any:
        cell = WriteOnlyCell(sheet.ws, value=value)
        cell.number_format = fmt
        return cell

    rows: list[tuple[str, Any]] = [
        (_("Authority"), authority.name),
        (_("Period start"), formatted(start, DATE_FORMAT)),
        (_("Period end"), formatted(end, DATE_FORMAT)),
        (_("Made at"), formatted(naive_local(meta.generated_at), DATETIME_FORMAT)),
        (_("Made by"), meta.generated_by),
        (_("Audit-trail hash at that moment"), meta.audit_hash),
        (_("Audit-trail anchor (events:hash)"), meta.audit_anchor),
        (_("Export"), meta.export_uuid or None),
        *((_("Rows in sheet '%(sheet)s'") % {"sheet": name}, n) for name, n in counts.items()),
    ]
    for label, value in rows:
        sheet.append_cells([label, value])
    sheet.close()


def write_workbook(
    out: IO[bytes], *, authority: Any, start: datetime.date, end: datetime.date, meta: ReportMeta
) -> dict[str, int]:
    """Write the workbook to ``out``; returns the number of data rows per sheet title."""
    wb = Workbook(write_only=True)
    counts: dict[str, int] = {}
    for title, write in (
        (_("Providers"), lambda: providers_sheet(wb, authority, start, end)),
        (_("Agreements"), lambda: agreements_sheet(wb, authority, start, end)),
        (_("Condition matrix"), lambda: condition_matrix_sheet(wb, authority)),
        (_("Documents"), lambda: documents_sheet(wb, authority, start, end)),
        (_("Fraud signals"), lambda: signals_sheet(wb, authority, start, end)),
        (_("Tariffs"), lambda: tariffs_sheet(wb, authority, start, end)),
        (_("Transition log"), lambda: transition_log_sheet(wb, authority, start, end)),
    ):
        counts[title] = write()
    export_sheet(wb, authority, start, end, meta, counts)
    wb.save(out)
    return counts
