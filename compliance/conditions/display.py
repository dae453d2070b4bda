"""How a condition's evidence reads on a page or in a PDF: the kind of record, and its details with a
label and a Dutch value (dates as dates, amounts in euros, a metric and a document type by name).

Evaluations store their evidence as data (``{"kind": "metric", "tariff": "59.80", ...}``); this module is
the one place that turns it into text, for the admin (compliance.conditions.admin_panels) and the PDFs
(compliance.reports.pdf)."""

import contextlib
import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from compliance.models import DocumentType, Metric
from core import formatting, labels

EVIDENCE_LABELS = {
    "document": _("Document"),
    "declaration": _("Declaration"),
    "judgement": _("Judgement"),
    "waiver": _("Waiver"),
    "metric": _("Metric"),
}

EVIDENCE_DETAILS = {
    # key in ConditionEvaluation.evidence -> label
    "type": _("type"),
    "sha256": _("SHA-256"),
    "validUntil": _("valid until"),
    "signedOn": _("signed on"),
    "judgedOn": _("judged on"),
    "metric": "",  # its label says what it is
    "value": _("value"),
    "threshold": _("threshold"),
    "year": _("year"),
    "product": _("product"),
    "tariff": _("tariff"),
    "realPrice": _("reële prijs"),
    "pay": _("highest executive pay"),
    "norm": _("WNT norm"),
    "normYear": _("year of the norm"),
    "wntClass": _("WNT class"),
    "signals": _("confirmed fraud signals"),
}
DATE_DETAILS = {"validUntil", "signedOn", "judgedOn"}
MONEY_DETAILS = {"tariff", "realPrice", "pay", "norm"}
NUMBER_DETAILS = {"value", "threshold"}


def evidence_label(kind: str) -> str:
    return str(EVIDENCE_LABELS.get(kind) or labels.humanize(kind))


def detail_value(key: str, value: Any) -> Any:
    """The value of one detail as a reader reads it (a string, or a date for a template filter)."""
    if key in DATE_DETAILS and isinstance(value, str):
        with contextlib.suppress(ValueError):
            return formatting.date_short(datetime.date.fromisoformat(value))
    if key == "metric":
        with contextlib.suppress(ValueError):
            return str(Metric(value).label)
    if key == "type" and isinstance(value, str):
        name = DocumentType.objects.filter(code=value).values_list("name", flat=True).first()
        return name or labels.humanize(value)
    if key in MONEY_DETAILS:
        return formatting.money(value)
    if key in NUMBER_DETAILS:
        return formatting.number(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or formatting.MISSING
    return value


def evidence_detail(key: str, value: Any) -> tuple[str, str, Any]:
    """(key, label, value) of one detail of a piece of evidence."""
    return key, str(EVIDENCE_DETAILS.get(key, labels.humanize(key))), detail_value(key, value)


def evidence_text(item: dict[str, Any], *, skip: tuple[str, ...] = ("kind", "uuid", "sha256")) -> str:
    """``Metric: Tarief t.o.v. reële prijs; tarief € 59,80; reële prijs € 59,20; …`` (one piece of evidence)."""
    details = [evidence_detail(k, v) for k, v in sorted(item.items()) if k not in skip and v is not None]
    parts = [f"{label} {value}".strip() for _key, label, value in details]
    return (
        f"{evidence_label(item.get('kind', ''))}: " + "; ".join(parts)
        if parts
        else evidence_label(item.get("kind", ""))
    )
