"""PDF reports (reportlab): the provider dossier, the procedure report and the period report.

Each report says on its first page and in the footer of every page when and by whom it was made and the
hash of the newest audit event at that moment: a reader can check with ``verify_audit_trail`` that the
trail the report was made from is still intact and still contains that event.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEvent
from audit.selectors import events_for
from coalitions.models import Membership, MembershipStatus
from compliance.audience import audit_events_visible_to, sees_investigations, signals_visible_to
from compliance.conditions.selectors import latest_evaluations
from compliance.conditions.services import evaluations_as_of
from compliance.models import (
    AccountabilityDocument,
    ConditionEvaluation,
    ConditionRequirement,
    DocumentStatus,
    EvaluationOutcome,
    FraudSignal,
    SignalSeverity,
    SignalStatus,
)
from compliance.reports.history import subject_as_of
from compliance.reports.meta import ReportMeta
from compliance.reports.scope import (
    agreement_scope,
    audit_event_scope,
    provider_scope,
    rule_title,
    signal_scope,
)
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    BudgetCeiling,
    CostModel,
    IndexationRun,
    Procedure,
    ProcedureStatus,
    Provider,
    Tariff,
)
from core import clock

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN

OUTCOME_COLOURS = {
    "satisfied": colors.HexColor("#2E7D32"),
    "violated": colors.HexColor("#C62828"),
    "pending": colors.HexColor("#F9A825"),
    "waived": colors.HexColor("#1565C0"),
}
SERIES_COLOURS = [colors.HexColor(c) for c in ("#1F4E78", "#C55A11", "#548235", "#7030A0", "#BF9000")]

# The standard PDF fonts cover Windows-1252 only; a few characters our texts use are spelled out.
REPLACEMENTS = {"→": "->", "←": "<-", "≥": ">=", "≤": "<=", "✓": "v", "✗": "x"}


def clean(value: Any) -> str:
    if value is None:
        return "–"
    text = str(value)
    for char, replacement in REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("cp1252", errors="replace").decode("cp1252")


def fmt_date(value: datetime.date | None) -> str:
    return f"{value:%d-%m-%Y}" if value else "–"


def fmt_time(value: datetime.datetime | None) -> str:
    return f"{timezone.localtime(value):%d-%m-%Y %H:%M}" if value else "–"


def fmt_euro(value: Decimal | None) -> str:
    if value is None:
        return "–"
    text = f"{value:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return f"€ {text}"


def label_of(choices: Any, value: str) -> str:
    return str(dict(choices).get(value, value or "–"))


# --------------------------------------------------------------------------- layout


class Report:
    """A story of headings, paragraphs, tables and charts, with the export facts on every page."""

    def __init__(self, title: str, subject: str, meta: ReportMeta) -> None:
        self.title, self.subject, self.meta = title, subject, meta
        base = getSampleStyleSheet()
        self.styles = {
            "title": ParagraphStyle(
                "title", parent=base["Title"], fontSize=18, leading=22, alignment=TA_LEFT
            ),
            "subtitle": ParagraphStyle("subtitle", parent=base["Heading2"], spaceBefore=0, spaceAfter=6),
            "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=13, spaceBefore=10, spaceAfter=4),
            "h3": ParagraphStyle("h3", parent=base["Heading3"], fontSize=10.5, spaceBefore=6, spaceAfter=3),
            "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=9, leading=11.5),
            "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7.5, leading=9),
            "cellhead": ParagraphStyle(
                "cellhead", parent=base["BodyText"], fontSize=7.5, leading=9, fontName="Helvetica-Bold"
            ),
            "mono": ParagraphStyle(
                "mono", parent=base["BodyText"], fontName="Courier", fontSize=6.3, leading=8.5
            ),
            "note": ParagraphStyle(
                "note", parent=base["BodyText"], fontSize=8, leading=10, textColor=colors.HexColor("#555555")
            ),
        }
        self.story: list[Any] = [
            Paragraph(escape(clean(title)), self.styles["title"]),
            Paragraph(escape(clean(subject)), self.styles["subtitle"]),
        ]
        self.facts(
            [
                (_("Made at"), fmt_time(meta.generated_at)),
                (_("Made by"), meta.generated_by),
                (_("Audit-trail hash at that moment"), meta.audit_hash),
                *([(_("Export"), meta.export_uuid)] if meta.export_uuid else []),
            ],
            mono_keys={_("Audit-trail hash at that moment"), _("Export")},
        )

    # ---- building blocks

    def p(self, text: Any, style: str = "body") -> Paragraph:
        return Paragraph(escape(clean(text)).replace("\n", "<br/>"), self.styles[style])

    def heading(self, text: str, level: int = 2) -> None:
        self.story.append(CondPageBreak(30 * mm))
        self.story.append(self.p(text, f"h{level}"))

    def para(self, text: str, style: str = "body") -> None:
        self.story.append(self.p(text, style))

    def note(self, text: str) -> None:
        self.story.append(self.p(text, "note"))

    def facts(self, pairs: Sequence[tuple[str, Any]], mono_keys: Iterable[str] = ()) -> None:
        mono = set(mono_keys)
        rows = [
            [self.p(key, "cellhead"), self.p(value, "mono" if key in mono else "cell")]
            for key, value in pairs
        ]
        table = Table(rows, colWidths=[48 * mm, FRAME_WIDTH - 48 * mm], hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#DDDDDD")),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 3 * mm))

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        widths: Sequence[float],
        empty: str | None = None,
        mono_columns: Iterable[int] = (),
    ) -> int:
        """A table over the frame width; ``widths`` are relative. Returns the number of rows."""
        mono = set(mono_columns)
        data = [[self.p(h, "cellhead") for h in header]]
        for row in rows:
            data.append(
                [
                    v if isinstance(v, Paragraph) else self.p(v, "mono" if i in mono else "cell")
                    for i, v in enumerate(row)
                ]
            )
        if len(data) == 1:
            self.note(empty or _("None."))
            return 0
        total = sum(widths)
        table = Table(data, colWidths=[FRAME_WIDTH * w / total for w in widths], repeatRows=1, hAlign="LEFT")
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DCE6F1")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#BBBBBB")),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                    ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
                    ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
                ]
            )
        )
        self.story.append(table)
        self.story.append(Spacer(1, 3 * mm))
        return len(data) - 1

    def drawing(self, drawing: Drawing, caption: str | None = None) -> None:
        parts: list[Any] = [drawing]
        if caption:
            parts.append(self.p(caption, "note"))
        parts.append(Spacer(1, 4 * mm))
        self.story.append(KeepTogether(parts))

    # ---- output

    def _footer(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 6.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        first = _("%(title)s – %(subject)s – made %(time)s by %(user)s – page %(page)s") % {
            "title": self.title,
            "subject": self.subject,
            "time": fmt_time(self.meta.generated_at),
            "user": self.meta.generated_by,
            "page": doc.page,
        }
        canvas.drawString(MARGIN, 11 * mm, clean(first)[:170])
        canvas.setFont("Courier", 6.5)
        canvas.drawString(
            MARGIN, 8 * mm, clean(_("Audit-trail hash: %(hash)s") % {"hash": self.meta.audit_hash})
        )
        canvas.restoreState()

    def build(self, out: IO[bytes]) -> None:
        doc = SimpleDocTemplate(
            out,
            pagesize=A4,
            leftMargin=MARGIN,
            rightMargin=MARGIN,
            topMargin=MARGIN,
            bottomMargin=MARGIN + 4 * mm,
            title=clean(f"{self.title}: {self.subject}"),
            author=clean(self.meta.generated_by),
            subject=clean(_("Audit-trail hash %(hash)s") % {"hash": self.meta.audit_hash}),
            creator="Zorginkoop",
            keywords=[self.meta.audit_hash, self.meta.export_uuid],
        )
        doc.build(self.story, onFirstPage=self._footer, onLaterPages=self._footer)


def timeline_rows(events: Iterable[AuditEvent]) -> Iterable[list[Any]]:
    for event in events:
        change = ""
        if event.from_state or event.to_state:
            change = f"{event.from_state or '–'} -> {event.to_state or '–'}"
        yield [
            fmt_time(event.occurred_at),
            event.event,
            event.subject_repr,
            change,
            event.actor_name,
            event.reason,
            event.hash[:12],
        ]


def add_timeline(report: Report, events: Iterable[AuditEvent], empty: str) -> None:
    report.table(
        [_("Time"), _("Event"), _("Subject"), _("State"), _("Actor"), _("Reason"), _("Hash (start)")],
        timeline_rows(events),
        [15, 19, 22, 15, 10, 22, 14],
        empty=empty,
        mono_columns=[6],
    )


def reasons_text(reasons: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("message", "") for r in reasons) or "–"


def add_evaluations(
    report: Report, evaluations: Iterable[ConditionEvaluation], empty: str | None = None
) -> None:
    """The evaluations, then the evidence they rest on as numbered references: what kind of record,
    which one (uuid), its details and, for a document, its SHA-256 (on one line, so it can be compared)."""
    evidence: dict[str, tuple[int, dict[str, Any]]] = {}
    rows = []
    for e in evaluations:
        refs = []
        for item in e.evidence:
            key = item.get("uuid") or repr(sorted(item.items()))
            if key not in evidence:
                evidence[key] = (len(evidence) + 1, item)
            refs.append(f"[{evidence[key][0]}] {item.get('kind', '')}")
        rows.append(
            [
                e.subject_repr,
                f"{e.condition.code}\n{e.condition.title}",
                label_of(EvaluationOutcome.choices, e.outcome),
                fmt_time(e.evaluated_at),
                reasons_text(e.reasons),
                "\n".join(refs) or "–",
            ]
        )
    report.table(
        [_("Subject"), _("Condition"), _("Outcome"), _("Evaluated at"), _("Reasons"), _("Evidence")],
        rows,
        [18, 26, 10, 12, 22, 12],
        empty=empty,
    )
    if not evidence:
        return
    report.table(
        [_("Evidence"), _("Record"), _("SHA-256")],
        (
            [
                f"[{number}] "
                + ", ".join(
                    f"{k}={v}"
                    for k, v in sorted(item.items())
                    if k not in ("uuid", "sha256") and v is not None
                ),
                item.get("uuid") or "–",
                item.get("sha256") or "–",
            ]
            for number, item in evidence.values()
        ),
        [15, 31, 58],
        mono_columns=[1, 2],
    )


# --------------------------------------------------------------------------- provider dossier


def provider_agreements(provider: Provider):
    """The provider's own agreements and those of the coalitions it is a member of."""
    member_of = Membership.objects.filter(provider=provider).values("coalition_id")
    return (
        Agreement.objects.filter(Q(provider=provider) | Q(coalition_id__in=member_of))
        .select_related("authority", "provider", "coalition", "procedure")
        .order_by("start_date", "reference")
    )


def provider_timeline(provider: Provider):
    """Every audit event about the provider or one of its records, oldest first."""
    subjects = [
        ("contracting.provider", Provider.objects.filter(pk=provider.pk)),
        ("contracting.agreement", provider_agreements(provider)),
        ("contracting.application", Application.objects.filter(provider=provider)),
        ("coalitions.membership", Membership.objects.filter(provider=provider)),
    ]
    for label in (
        "compliance.accountabilitydocument",
        "compliance.fraudsignal",
        "compliance.waiver",
        "compliance.providerdeclaration",
        "compliance.officerjudgement",
    ):
        subjects.append((label, apps.get_model(label).objects.filter(provider=provider)))
    q = Q()
    for label, qs in subjects:
        q |= Q(subject_type=label, subject_uuid__in=qs.values("uuid"))
    return AuditEvent.objects.filter(q).order_by("id")


def provider_dossier(
    out: IO[bytes],
    *,
    provider: Provider,
    meta: ReportMeta,
    reader: Any,
    as_of: datetime.date | None = None,
):
    """The dossier as ``reader`` may see it (a user, or compliance.audience.SYSTEM): a provider user
    gets no fraud signals, no events of investigations and no waivers that are not approved."""
    report = Report(_("Provider dossier"), provider.name, meta)
    if as_of:
        report.para(
            _(
                "This dossier also shows the agreements, memberships and applications as they stood on %(date)s."
            )
            % {"date": fmt_date(as_of)}
        )

    # identity
    report.heading(_("Identity"))
    domains = [
        str(label)
        for flag, label in ((provider.serves_wmo, _("Wmo")), (provider.serves_youth, _("Jeugdwet")))
        if flag
    ]
    report.facts(
        [
            (_("Name"), provider.name),
            (_("KvK number"), provider.kvk_number),
            (_("AGB code"), provider.agb_code),
            (_("Legal form"), provider.get_legal_form_display()),
            (_("Founding date"), fmt_date(provider.founded_on)),
            (_("Address"), " ".join(x for x in (provider.street, provider.postal_code, provider.city) if x)),
            (_("Domains"), ", ".join(domains)),
            (_("FTE"), provider.fte),
            (_("Parent organisation"), provider.parent.name if provider.parent else "–"),
            (_("Identifier"), provider.uuid),
        ],
        mono_keys={_("Identifier")},
    )
    report.heading(_("Board members"), 3)
    report.table(
        [_("Name"), _("Role"), _("From"), _("Until")],
        (
            [b.name, b.role, fmt_date(b.start_date), fmt_date(b.end_date)]
            for b in provider.board_members.order_by("start_date")
        ),
        [30, 30, 15, 15],
    )

    # relationships
    agreements = list(provider_agreements(provider))
    report.heading(_("Agreements"))
    report.table(
        [_("Reference"), _("Authority"), _("Party"), _("Status"), _("Term"), _("Extensions"), _("Procedure")],
        (
            [
                a.reference,
                a.authority.name,
                a.party,
                a.get_status_display(),
                f"{fmt_date(a.start_date)} – {fmt_date(a.end_date)}",
                f"{a.extensions_used}/{a.max_extensions} × {a.extension_months} mnd",
                a.procedure.reference if a.procedure else "–",
            ]
            for a in agreements
        ),
        [16, 18, 18, 11, 20, 11, 12],
        empty=_("No agreements."),
    )
    memberships = list(
        Membership.objects.filter(provider=provider)
        .select_related("coalition__authority")
        .order_by("created_at")
    )
    report.heading(_("Coalition memberships"))
    report.table(
        [_("Coalition"), _("Region / authority"), _("Role"), _("Status"), _("Since")],
        (
            [
                m.coalition.name,
                m.coalition.authority.name,
                m.get_role_display(),
                m.get_status_display(),
                fmt_date(m.created_at.date()),
            ]
            for m in memberships
        ),
        [26, 22, 20, 12, 12],
        empty=_("No memberships."),
    )
    applications = list(
        Application.objects.filter(provider=provider)
        .select_related("procedure__authority")
        .order_by("created_at")
    )
    report.heading(_("Applications"))
    report.table(
        [_("Procedure"), _("Authority"), _("Status"), _("Submitted"), _("Decided")],
        (
            [
                f"{a.procedure.reference} {a.procedure.title}",
                a.procedure.authority.name,
                a.get_status_display(),
                fmt_time(a.submitted_at),
                fmt_time(a.decided_at),
            ]
            for a in applications
        ),
        [32, 20, 12, 14, 14],
        empty=_("No applications."),
    )

    if as_of:
        report.heading(_("As of %(date)s") % {"date": fmt_date(as_of)})
        for subject in [*agreements, *memberships, *applications]:
            add_as_of(report, subject_as_of(subject, as_of))

    # conditions
    report.heading(_("Condition results"))
    report.note(
        _(
            "The current outcome per condition and subject, with the evidence it rests on (documents with their SHA-256)."
        )
    )
    current = sorted(
        latest_evaluations([provider.pk]),
        key=lambda e: (e.subject_repr, e.condition.category, e.condition.code),
    )
    add_evaluations(
        report,
        current,
        empty=_("No evaluations recorded."),
    )

    report.heading(_("Accountability documents"))
    documents = (
        AccountabilityDocument.objects.filter(provider=provider)
        .select_related("document_type", "reviewed_by")
        .order_by("document_type__name", "period_start")
    )
    report.table(
        [_("Document type"), _("Period"), _("Status"), _("Reviewer"), _("Valid until"), _("SHA-256")],
        (
            [
                d.document_type.name,
                f"{fmt_date(d.period_start)} – {fmt_date(d.period_end)}" if d.period_start else "–",
                d.get_status_display(),
                d.reviewed_by.get_username() if d.reviewed_by else "–",
                fmt_date(d.valid_until),
                d.sha256 or "–",
            ]
            for d in documents
        ),
        [16, 12, 9, 9, 9, 56],
        empty=_("No documents."),
        mono_columns=[5],
    )

    if sees_investigations(reader):  # for anyone else the section is not there at all
        report.heading(_("Fraud signals"))
        signals = signals_visible_to(reader, FraudSignal.objects.filter(provider=provider))
        add_signals(report, signals.order_by("-period_end"))

    report.heading(_("Timeline of the relationship"))
    timeline = audit_events_visible_to(reader, provider_timeline(provider))
    add_timeline(report, timeline.iterator(chunk_size=2000), _("No recorded events."))
    report.build(out)


def add_signals(report: Report, signals: Iterable[FraudSignal]) -> None:
    report.table(
        [_("Rule"), _("Period"), _("Severity"), _("Score"), _("Status"), _("Explanation")],
        (
            [
                s.rule,
                f"{fmt_date(s.period_start)} – {fmt_date(s.period_end)}",
                label_of(SignalSeverity.choices, s.severity),
                s.score,
                label_of(SignalStatus.choices, s.status),
                s.explanation,
            ]
            for s in signals
        ),
        [20, 18, 9, 8, 11, 34],
        empty=_("No fraud signals."),
    )


def add_as_of(report: Report, as_of: Any) -> None:
    subject = as_of.subject
    report.heading(f"{subject._meta.verbose_name}: {subject}", 3)
    if not as_of.existed:
        report.note(_("Did not exist yet on this date."))
        return
    pairs = [(_("State on this date"), as_of.state_label), (_("State now"), subject.get_status_display())]
    if as_of.last_event is not None:
        pairs.append(
            (
                _("Last recorded event"),
                f"{fmt_time(as_of.last_event.occurred_at)} {as_of.last_event.event} ({as_of.last_event.actor_name})",
            )
        )
    if as_of.term:
        pairs.append(
            (_("Term"), f"{fmt_date(as_of.term['start_date'])} – {fmt_date(as_of.term['end_date'])}")
        )
        pairs.append(
            (_("Extensions used"), f"{as_of.term['extensions_used']}/{as_of.term['max_extensions']}")
        )
    report.facts(pairs)
    if as_of.evaluations:
        add_evaluations(report, as_of.evaluations)
    if as_of.tariffs:
        add_tariffs(report, as_of.tariffs)


def add_tariffs(report: Report, tariffs: Iterable[Any]) -> None:
    yes, no = _("yes"), _("no")
    report.table(
        [
            _("Product"),
            _("Year"),
            _("Tariff"),
            _("Reële prijs"),
            _("At least the reële prijs"),
            _("Indexation"),
        ],
        (
            [
                f"{t.product.code} {t.product.name}",
                t.year,
                fmt_euro(t.amount) if t.amount is not None else _("not set yet"),
                fmt_euro(t.real_price),
                "–" if t.meets_real_price is None else (yes if t.meets_real_price else no),
                f"{t.indexation_pct:.2f}% ({label_of(IndexationRun.Basis.choices, t.basis)})"
                if t.basis
                else "–",
            ]
            for t in tariffs
        ),
        [32, 8, 14, 14, 12, 18],
    )


# --------------------------------------------------------------------------- procedure report


def procedure_report(out: IO[bytes], *, procedure: Procedure, meta: ReportMeta) -> None:
    report = Report(_("Procedure report"), f"{procedure.reference} {procedure.title}", meta)
    report.heading(_("Procedure"))
    report.facts(
        [
            (_("Reference"), procedure.reference),
            (_("Title"), procedure.title),
            (_("Authority"), procedure.authority.name),
            (_("Route"), procedure.get_route_display()),
            (_("Domain"), procedure.get_law_display()),
            (_("Intended start of the agreements"), fmt_date(procedure.contract_start)),
            (_("Application deadline"), fmt_date(procedure.application_deadline)),
            (_("Status"), procedure.get_status_display()),
            (_("Description"), procedure.description or "–"),
        ]
    )

    report.heading(_("Timeline"))
    add_timeline(report, events_for(procedure), _("No recorded events."))

    report.heading(_("Lots, products and tariffs"))
    year = procedure.tariff_year
    lots = list(procedure.lots.order_by("number").prefetch_related("products__unit"))
    products = {p.pk: p for lot in lots for p in lot.products.all()}
    tariffs = {
        t.product_id: t
        for t in Tariff.objects.filter(authority=procedure.authority, year=year, product__in=list(products))
    }
    costs = {
        c.product_id: c
        for c in CostModel.objects.filter(
            authority=procedure.authority, year=year, product__in=list(products)
        ).select_related("product__unit")
    }
    yes, no = _("yes"), _("no")
    rows = []
    for lot in lots:
        for product in lot.products.all():
            tariff, cost = tariffs.get(product.pk), costs.get(product.pk)
            real = cost.real_price if cost else None
            amount = tariff.amount if tariff else None
            meets = "–" if real is None or amount is None else (yes if amount >= real else no)
            rows.append(
                [str(lot), f"{product.code} {product.name}", year, fmt_euro(amount), fmt_euro(real), meets]
            )
    report.table(
        [_("Lot"), _("Product"), _("Year"), _("Tariff"), _("Reële prijs"), _("At least the reële prijs")],
        rows,
        [22, 32, 7, 13, 13, 12],
        empty=_("No lots."),
    )

    report.heading(_("Condition set"))
    requirements = ConditionRequirement.objects.filter(procedure=procedure).select_related("condition")
    report.table(
        [_("Code"), _("Condition"), _("Category"), _("Mandatory"), _("Decided by")],
        (
            [
                r.condition.code,
                r.condition.title,
                r.condition.get_category_display(),
                yes if r.condition.mandatory else no,
                r.condition.get_method_display(),
            ]
            for r in requirements
        ),
        [20, 35, 15, 10, 20],
        empty=_("No conditions."),
    )

    report.heading(_("Consultation rounds"))
    rounds = list(procedure.consultation_rounds.order_by("held_on"))
    if not rounds:
        report.note(_("No consultation rounds."))
    for number, consultation in enumerate(rounds, 1):
        report.heading(
            _("Round %(number)s: %(date)s") % {"number": number, "date": fmt_date(consultation.held_on)}, 3
        )
        report.facts(
            [
                (_("Participants"), consultation.participants),
                (_("Minutes"), consultation.minutes or "–"),
                (_("Agreed points"), consultation.agreed_points or "–"),
                (_("Advice of client and experience-expert panels"), consultation.panel_advice or "–"),
            ]
        )

    report.heading(_("Applications and their outcomes"))
    applications = list(
        procedure.applications.select_related("provider")
        .prefetch_related("lots", "assessments__assessed_by")
        .order_by("provider__name")
    )
    agreements = {a.application_id: a for a in Agreement.objects.filter(application__in=applications)}
    decisions = decision_events(applications)
    counts = Counter(a.status for a in applications)
    report.para(
        ", ".join(
            f"{label_of(ApplicationStatus.choices, status)}: {n}" for status, n in sorted(counts.items())
        )
        or _("No applications.")
    )
    for application in applications:
        report.heading(f"{application.provider.name} – {application.get_status_display()}", 3)
        decision = decisions.get(application.uuid)
        pairs = [
            (
                _("Provider"),
                f"{application.provider.name} (KvK {application.provider.kvk_number}, AGB {application.provider.agb_code})",
            ),
            (_("Lots"), ", ".join(str(lot) for lot in application.lots.all()) or "–"),
            (_("Submitted"), fmt_time(application.submitted_at)),
            (_("Decided"), fmt_time(application.decided_at)),
            (_("Outcome"), application.get_status_display()),
        ]
        if decision is not None:
            pairs.append((_("Decided by"), decision.actor_name))
            pairs.append((_("Reason of the decision"), decision.reason or "–"))
        agreement = agreements.get(application.pk)
        if agreement is not None:
            pairs.append((_("Agreement"), f"{agreement.reference} ({agreement.get_status_display()})"))
        report.facts(pairs)
        report.table(
            [_("Step"), _("Passed"), _("Reasoning"), _("Assessed by"), _("At")],
            (
                [
                    a.get_step_display(),
                    yes if a.passed else no,
                    a.reasoning,
                    a.assessed_by.get_username(),
                    fmt_time(a.assessed_at),
                ]
                for a in sorted(application.assessments.all(), key=lambda a: a.step)
            ),
            [22, 8, 42, 12, 14],
            empty=_("Not assessed."),
        )
        moment = application.decided_at or clock.now()
        evaluations = evaluations_as_of(application, moment)
        if evaluations:
            report.note(
                _("Condition results at the decision:")
                if application.decided_at
                else _("Current condition results:")
            )
            add_evaluations(report, evaluations)

    report.heading(_("Agreements from this procedure"))
    report.table(
        [_("Reference"), _("Party"), _("Status"), _("Term")],
        (
            [
                a.reference,
                a.party,
                a.get_status_display(),
                f"{fmt_date(a.start_date)} – {fmt_date(a.end_date)}",
            ]
            for a in Agreement.objects.filter(procedure=procedure)
            .select_related("provider", "coalition")
            .order_by("reference")
        ),
        [25, 35, 15, 25],
        empty=_("No agreements."),
    )
    report.build(out)


def decision_events(applications: list[Application]) -> dict[Any, AuditEvent]:
    """The admission or rejection event of each application (one query)."""
    events = AuditEvent.objects.filter(
        subject_type="contracting.application",
        subject_uuid__in=[a.uuid for a in applications],
        event__in=["application.admitted", "application.rejected"],
    ).order_by("id")
    return {e.subject_uuid: e for e in events}


# --------------------------------------------------------------------------- period report


def month_ends(start: datetime.date, end: datetime.date, limit: int = 24) -> list[datetime.date]:
    points = []
    year, month = start.year, start.month
    while True:
        nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
        point = min(nxt - datetime.timedelta(days=1), end)
        points.append(point)
        if point >= end:
            break
        year, month = nxt.year, nxt.month
    if len(points) > limit:  # keep the last point, thin out the rest evenly
        step = len(points) / limit
        points = [points[int(i * step)] for i in range(limit - 1)] + [points[-1]]
    return points


def compliance_over_time(authority: Any, points: list[datetime.date]) -> list[Counter]:
    """Per point in time: how many (condition, subject, provider) evaluations of the authority's
    subjects stood at each outcome. One pass over the evaluation history, oldest first."""
    subjects = (
        Q(subject_uuid__in=Agreement.objects.filter(authority=authority).values("uuid"))
        | Q(subject_uuid__in=Application.objects.filter(procedure__authority=authority).values("uuid"))
        | Q(subject_uuid__in=Membership.objects.filter(coalition__authority=authority).values("uuid"))
    )
    moments = [clock.end_of_day(p) for p in points]
    rows = (
        ConditionEvaluation.objects.filter(subjects, evaluated_at__lte=moments[-1])
        .order_by("evaluated_at", "id")
        .values_list("condition_id", "subject_uuid", "provider_id", "evaluated_at", "outcome")
    )
    latest: dict[tuple, str] = {}
    counts: Counter = Counter()
    snapshots: list[Counter] = []
    index = 0
    for condition_id, subject_uuid, provider_id, evaluated_at, outcome in rows.iterator(chunk_size=5000):
        while index < len(moments) and evaluated_at > moments[index]:
            snapshots.append(Counter(counts))
            index += 1
        key = (condition_id, subject_uuid, provider_id)
        previous = latest.get(key)
        if previous is not None:
            counts[previous] -= 1
        counts[outcome] += 1
        latest[key] = outcome
    while index < len(moments):
        snapshots.append(Counter(counts))
        index += 1
    return snapshots


def spend_per_agreement(
    agreements: list[Agreement], start: datetime.date, end: datetime.date
) -> tuple[dict[int, Decimal], str]:
    """Spend per agreement in the period: the declared amounts (imported declaration lines) of the
    authority for the agreement's provider (or the coalition's members), for the products of its lots
    (all products when its lots name none). Without declaration data, nothing (the note says so)."""
    try:
        model = apps.get_model("compliance", "DeclarationLine")
    except LookupError:
        return {}, _("No declaration data is recorded in this installation yet: spend is shown as zero.")
    if not agreements:
        return {}, ""
    members: dict[int, set[int]] = defaultdict(set)
    for coalition_id, provider_id in Membership.objects.filter(
        coalition__in={a.coalition_id for a in agreements if a.coalition_id}
    ).values_list("coalition_id", "provider_id"):
        members[coalition_id].add(provider_id)
    products: dict[int, set[int]] = defaultdict(set)
    for agreement_id, product_id in (
        Agreement.objects.filter(
            pk__in=[a.pk for a in agreements], sub_agreements__lot__products__isnull=False
        )
        .values_list("pk", "sub_agreements__lot__products")
        .distinct()
    ):
        products[agreement_id].add(product_id)
    provider_ids = {a.provider_id for a in agreements if a.provider_id} | {
        p for ids in members.values() for p in ids
    }
    totals: dict[tuple[int, int], dict[int | None, Decimal]] = defaultdict(dict)
    rows = (
        model.objects.filter(
            authority__in={a.authority_id for a in agreements},
            provider__in=provider_ids,
            period_start__gte=start,
            period_start__lte=end,
        )
        .values_list("authority", "provider", "product")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for authority_id, provider_id, product_id, total in rows:
        totals[(authority_id, provider_id)][product_id] = total or Decimal(0)
    spend: dict[int, Decimal] = {}
    for agreement in agreements:
        parties = {agreement.provider_id} if agreement.provider_id else members[agreement.coalition_id]
        wanted = products.get(agreement.pk)
        amount = Decimal(0)
        for provider_id in parties:
            per_product = totals.get((agreement.authority_id, provider_id), {})
            amount += sum(
                (t for product_id, t in per_product.items() if not wanted or product_id in wanted), Decimal(0)
            )
        spend[agreement.pk] = amount
    return spend, _(
        "Spend: the amounts declared to this authority for periods starting in the report period, by the "
        "agreement's provider (or the coalition's members), for the products of the agreement's lots."
    )


def line_chart(points: list[datetime.date], series: list[tuple[str, list[float]]], title: str) -> Drawing:
    drawing = Drawing(FRAME_WIDTH, 70 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = FRAME_WIDTH - 50 * mm, 48 * mm
    chart.data = [values for _label, values in series] or [[0]]
    chart.categoryAxis.categoryNames = [f"{p:%m-%Y}" for p in points]
    chart.categoryAxis.labels.angle = 45
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontSize = 7
    for i, (name, _values) in enumerate(series):
        chart.lines[i].strokeColor = OUTCOME_COLOURS.get(name, SERIES_COLOURS[i % len(SERIES_COLOURS)])
        chart.lines[i].strokeWidth = 1.5
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = FRAME_WIDTH - 34 * mm, 55 * mm
    legend.fontSize = 7
    legend.columnMaximum = len(series) or 1
    legend.colorNamePairs = [
        (
            OUTCOME_COLOURS.get(name, SERIES_COLOURS[i % len(SERIES_COLOURS)]),
            label_of(EvaluationOutcome.choices, name),
        )
        for i, (name, _values) in enumerate(series)
    ]
    drawing.add(legend)
    drawing.add(String(12 * mm, 66 * mm, clean(title), fontSize=9, fontName="Helvetica-Bold"))
    return drawing


def bar_chart(categories: list[str], values: list[float], title: str) -> Drawing:
    drawing = Drawing(FRAME_WIDTH, 65 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y = 12 * mm, 20 * mm
    chart.width, chart.height = FRAME_WIDTH - 20 * mm, 36 * mm
    chart.data = [values or [0]]
    chart.categoryAxis.categoryNames = [clean(c)[:24] for c in categories] or ["–"]
    chart.categoryAxis.labels.angle = 30
    chart.categoryAxis.labels.boxAnchor = "ne"
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueStep = max(1, -(-max(values or [1]) // 5))  # whole numbers: these are counts
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = SERIES_COLOURS[0]
    chart.barLabelFormat = "%d"
    chart.barLabels.fontSize = 6
    chart.barLabels.nudge = 5
    drawing.add(chart)
    drawing.add(String(12 * mm, 61 * mm, clean(title), fontSize=9, fontName="Helvetica-Bold"))
    return drawing


def spend_chart(names: list[str], ceilings: list[float], spend: list[float], title: str) -> Drawing:
    height = max(45 * mm, (len(names) * 7 + 25) * mm / 2)
    drawing = Drawing(FRAME_WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 38 * mm, 8 * mm
    chart.width, chart.height = FRAME_WIDTH - 75 * mm, height - 20 * mm
    chart.data = [ceilings or [0], spend or [0]]
    chart.categoryAxis.categoryNames = [clean(n)[:22] for n in names] or ["–"]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.labelTextFormat = lambda v: f"{v / 1000:,.0f}k"
    chart.bars[0].fillColor = colors.HexColor("#BDD7EE")
    chart.bars[1].fillColor = SERIES_COLOURS[1]
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = FRAME_WIDTH - 33 * mm, height - 14 * mm
    legend.fontSize = 7
    legend.colorNamePairs = [
        (colors.HexColor("#BDD7EE"), _("Budget ceiling")),
        (SERIES_COLOURS[1], _("Spend")),
    ]
    drawing.add(legend)
    drawing.add(String(0, height - 6 * mm, clean(title), fontSize=9, fontName="Helvetica-Bold"))
    return drawing


def period_report(
    out: IO[bytes], *, authority: Any, start: datetime.date, end: datetime.date, meta: ReportMeta
) -> None:
    report = Report(
        _("Period report"),
        f"{authority.name}, {fmt_date(start)} – {fmt_date(end)}",
        meta,
    )
    providers = provider_scope(authority)
    agreements = list(
        agreement_scope(authority, start, end).select_related("provider", "coalition").order_by("reference")
    )
    signals = signal_scope(authority, start, end)
    documents = AccountabilityDocument.objects.filter(provider__in=providers)
    report.heading(_("Key figures"))
    status_counts = Counter(a.status for a in agreements)
    report.facts(
        [
            (_("Authority"), authority.name),
            (_("Period"), f"{fmt_date(start)} – {fmt_date(end)}"),
            (_("Providers with a relationship"), providers.count()),
            (_("Agreements running in the period"), len(agreements)),
            *(
                (f"  {label_of(AgreementStatus.choices, status)}", n)
                for status, n in sorted(status_counts.items())
            ),
            (
                _("Procedures"),
                Procedure.objects.filter(authority=authority).exclude(status=ProcedureStatus.DRAFT).count(),
            ),
            (
                _("Active coalition memberships"),
                Membership.objects.filter(
                    coalition__authority=authority, status=MembershipStatus.ACTIVE
                ).count(),
            ),
            (_("Accepted documents"), documents.filter(status=DocumentStatus.ACCEPTED).count()),
            (
                _("Overdue documents"),
                documents.filter(
                    status__in=[DocumentStatus.REQUESTED, DocumentStatus.REJECTED],
                    due_date__lt=min(end, clock.today()),
                ).count(),
            ),
            (_("Fraud signals in the period"), signals.count()),
        ]
    )

    # compliance over time
    report.heading(_("Condition compliance over time"))
    points = month_ends(start, end)
    snapshots = compliance_over_time(authority, points)
    outcomes = ["satisfied", "waived", "pending", "violated"]
    series = []
    for outcome in outcomes:
        values = []
        for snapshot in snapshots:
            total = sum(snapshot.values())
            values.append(round(100 * snapshot[outcome] / total, 1) if total else 0)
        series.append((outcome, values))
    report.drawing(
        line_chart(
            points, series, _("Share of condition evaluations per outcome (%) at the end of each month")
        ),
        _(
            "Per month: the evaluation recorded as true then for every condition, subject and provider of this authority."
        ),
    )
    report.table(
        [_("Date"), *(label_of(EvaluationOutcome.choices, o) for o in outcomes), _("Total")],
        (
            [fmt_date(p), *(s[o] for o in outcomes), sum(s.values())]
            for p, s in zip(points, snapshots, strict=True)
        ),
        [16, 12, 12, 12, 12, 12],
    )

    # signals per category
    report.heading(_("Fraud signals per category"))
    per_category = list(signals.values_list("rule").annotate(n=Count("pk")).order_by("-n", "rule"))
    report.drawing(
        bar_chart(
            [rule_title(c) for c, _n in per_category],
            [n for _c, n in per_category],
            _("Fraud signals per category in the period"),
        )
    )
    per_status = defaultdict(Counter)
    for cat, status in signals.values_list("rule", "status"):
        per_status[cat][status] += 1
    statuses = [s for s, _l in SignalStatus.choices]
    report.table(
        [_("Category"), *(label_of(SignalStatus.choices, s) for s in statuses), _("Total")],
        (
            [f"{rule_title(cat)} ({cat})", *(per_status[cat][s] for s in statuses), n]
            for cat, n in per_category
        ),
        [30, 12, 12, 12, 12, 10],
        empty=_("No fraud signals in the period."),
    )

    # spend against budget ceilings
    report.heading(_("Spend against budget ceiling per agreement"))
    ceilings: dict[int, Decimal] = defaultdict(Decimal)
    for agreement_id, amount in BudgetCeiling.objects.filter(
        agreement__in=[a.pk for a in agreements], year__gte=start.year, year__lte=end.year
    ).values_list("agreement_id", "amount"):
        ceilings[agreement_id] += amount
    spend, note = spend_per_agreement(agreements, start, end)
    report.note(note)
    ranked = sorted(agreements, key=lambda a: (-ceilings.get(a.pk, 0), a.reference))[:15]
    if ranked:
        report.drawing(
            spend_chart(
                [a.reference for a in ranked],
                [float(ceilings.get(a.pk, 0)) for a in ranked],
                [float(spend.get(a.pk, 0)) for a in ranked],
                _("Budget ceiling and spend in the period (largest ceilings)"),
            )
        )
    report.table(
        [_("Agreement"), _("Party"), _("Status"), _("Budget ceiling"), _("Spend"), _("Used")],
        (
            [
                a.reference,
                a.party,
                a.get_status_display(),
                fmt_euro(ceilings.get(a.pk)),
                fmt_euro(spend.get(a.pk, Decimal(0))),
                f"{100 * spend.get(a.pk, 0) / ceilings[a.pk]:.1f}%" if ceilings.get(a.pk) else "–",
            ]
            for a in agreements
        ),
        [18, 30, 12, 15, 15, 10],
        empty=_("No agreements in the period."),
    )

    report.heading(_("Recorded events in the period"))
    per_event = (
        audit_event_scope(authority, start, end)
        .values_list("event")
        .annotate(n=Count("pk"))
        .order_by("event")
    )
    report.table(
        [_("Event"), _("Number")], ([e, n] for e, n in per_event), [70, 30], empty=_("No recorded events.")
    )
    report.build(out)
