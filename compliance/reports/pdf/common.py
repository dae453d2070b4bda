"""What every PDF report is built from: the ``Report`` (styles, headings, facts, tables, drawings, and
the export facts on its first page and in the footer of every page), the formatting helpers, the
timeline and evaluation tables and the charts.

Each report says on its first page and in the footer of every page when and by whom it was made and the
hash of the newest audit event at that moment, and on its first page and in its keywords the anchor
``<number of events>:<hash>``: ``verify_audit_trail --anchor-file <the PDF>`` checks that the trail the
report was made from is still intact and still holds that event at that position.
"""

import datetime
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

from django.utils.translation import gettext as _

from audit.models import AuditEvent
from compliance.conditions.display import evidence_label, evidence_text
from compliance.models import ConditionEvaluation, EvaluationOutcome
from compliance.reports.meta import ReportMeta
from core import formatting, labels

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
REPLACEMENTS = {"−": "-", "→": "->", "←": "<-", "≥": ">=", "≤": "<=", "✓": "v", "✗": "x"}


def clean(value: Any) -> str:
    if value is None:
        return "–"
    text = str(value)
    for char, replacement in REPLACEMENTS.items():
        text = text.replace(char, replacement)
    return text.encode("cp1252", errors="replace").decode("cp1252")


def fmt_date(value: datetime.date | None) -> str:
    return formatting.date_short(value)


def fmt_time(value: datetime.datetime | None) -> str:
    """Local time (Europe/Amsterdam): ``03-12-2026 17:00``."""
    return formatting.datetime_short(value)


def fmt_euro(value: Decimal | None) -> str:
    return formatting.money(value)


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
                (_("Audit-trail anchor (events:hash)"), meta.audit_anchor),
                *([(_("Export"), meta.export_uuid)] if meta.export_uuid else []),
            ],
            mono_keys={
                _("Audit-trail hash at that moment"),
                _("Audit-trail anchor (events:hash)"),
                _("Export"),
            },
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
            keywords=[self.meta.audit_anchor, self.meta.audit_hash, self.meta.export_uuid],
        )
        doc.build(self.story, onFirstPage=self._footer, onLaterPages=self._footer)


def timeline_rows(events: Iterable[AuditEvent]) -> Iterable[list[Any]]:
    for event in events:
        change = ""
        if event.from_state or event.to_state:
            change = (
                f"{labels.state_label(event.subject_type, event.from_state) or '–'} -> "
                f"{labels.state_label(event.subject_type, event.to_state) or '–'}"
            )
        yield [
            fmt_time(event.occurred_at),
            labels.event_label(event.event),
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
            refs.append(f"[{evidence[key][0]}] {evidence_label(item.get('kind', ''))}")
        rows.append(
            [
                e.subject_repr,
                e.condition.title,
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
                f"[{number}] {evidence_text(item)}",
                item.get("uuid") or "–",
                item.get("sha256") or "–",
            ]
            for number, item in evidence.values()
        ),
        [15, 31, 58],
        mono_columns=[1, 2],
    )


# --------------------------------------------------------------------------- charts


def line_chart(points: list[datetime.date], series: list[tuple[str, list[float]]], title: str) -> Drawing:
    drawing = Drawing(FRAME_WIDTH, 70 * mm)
    chart = HorizontalLineChart()
    chart.x, chart.y = 12 * mm, 14 * mm
    chart.width, chart.height = FRAME_WIDTH - 50 * mm, 48 * mm
    chart.data = [values for _label, values in series] or [[0]]
    chart.categoryAxis.categoryNames = [formatting.date_short(p)[3:] for p in points]  # mm-yyyy
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
    chart.valueAxis.labelTextFormat = lambda v: f"{formatting.number(round(v / 1000))}k"
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
