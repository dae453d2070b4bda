"""Document rules: accountability documents long overdue or rejected again and again."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.fraud.rules.base import (
    AUDIT,
    DOCUMENTS,
    PROVIDER,
    Finding,
    Param,
    Rule,
    RunContext,
    number,
    show,
    show_date,
)
from compliance.models import SignalSeverity


class DocumentsOverdueOrRejected(Rule):
    code = "documents_overdue_or_rejected"
    title = gettext_lazy("Accountability documents long overdue or repeatedly rejected")
    description = gettext_lazy(
        "Documents still owed (requested, or rejected and not submitted again) long after their due date, "
        "counted at the end of the period (or today, if earlier); and documents rejected several times."
    )
    source = "DESIGN.md; fraud_indicators.csv 'administration not in order'"
    params = (
        Param("overdue_days", 90, gettext_lazy("Days past the due date")),
        Param("max_rejections", 2, gettext_lazy("Rejections of one document from which it counts")),
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        reference = min(run.today, run.period_end)
        params = run.base_params() | {
            "overdue_before": reference - datetime.timedelta(days=int(p["overdue_days"])),
            "max_rejections": p["max_rejections"],
            "rejected_event": "accountabilitydocument.rejected",
        }
        scope = run.scope_sql(params)
        sql = f"""
        WITH overdue AS (
            SELECT provider_id, COUNT(*) AS overdue, MIN(due_date) AS oldest_due
            FROM {DOCUMENTS}
            WHERE provider_id IN {scope} AND status IN ('requested', 'rejected')
              AND due_date IS NOT NULL AND due_date <= %(overdue_before)s
            GROUP BY provider_id
        ), rejections AS (
            SELECT d.provider_id, d.id, COUNT(*) AS rejections
            FROM {DOCUMENTS} d JOIN {AUDIT} e ON e.subject_uuid = d.uuid AND e.event = %(rejected_event)s
            WHERE d.provider_id IN {scope}
            GROUP BY d.provider_id, d.id
            HAVING COUNT(*) >= %(max_rejections)s
        ), repeatedly AS (
            SELECT provider_id, COUNT(*) AS documents, MAX(rejections) AS most FROM rejections
            GROUP BY provider_id
        )
        SELECT p.id AS provider_id, COALESCE(o.overdue, 0) AS overdue, o.oldest_due,
               COALESCE(r.documents, 0) AS rejected_documents, COALESCE(r.most, 0) AS most_rejections
        FROM {PROVIDER} p
        LEFT JOIN overdue o ON o.provider_id = p.id
        LEFT JOIN repeatedly r ON r.provider_id = p.id
        WHERE p.id IN {scope} AND (o.overdue IS NOT NULL OR r.documents IS NOT NULL)
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        reference = min(run.today, run.period_end)
        result = []
        for row in rows:
            oldest = row["oldest_due"]
            if isinstance(oldest, str):
                oldest = datetime.date.fromisoformat(oldest)
            days_overdue = (reference - oldest).days if oldest else 0
            evidence = {
                "overdueDocuments": number(row["overdue"], 0),
                "oldestDueDate": oldest.isoformat() if oldest else None,
                "daysOverdue": days_overdue,
                "repeatedlyRejectedDocuments": number(row["rejected_documents"], 0),
                "mostRejections": number(row["most_rejections"], 0),
                "referenceDate": reference.isoformat(),
            }
            score = int(row["overdue"]) + int(row["rejected_documents"])
            severity = SignalSeverity.MEDIUM if days_overdue >= 180 or score >= 3 else SignalSeverity.LOW
            result.append(Finding(row["provider_id"], Decimal(score), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        parts = []
        if e["overdueDocuments"]:
            parts.append(
                _("%(n)s documents are overdue (the oldest by %(days)s days, due %(due)s)")
                % {
                    "n": show(e["overdueDocuments"]),
                    "days": show(e["daysOverdue"]),
                    "due": show_date(e["oldestDueDate"]),
                }
            )
        if e["repeatedlyRejectedDocuments"]:
            parts.append(
                _("%(n)s documents were rejected repeatedly (up to %(most)s times)")
                % {"n": show(e["repeatedlyRejectedDocuments"]), "most": show(e["mostRejections"])}
            )
        return _("On %(date)s: %(parts)s.") % {
            "date": show_date(e["referenceDate"]),
            "parts": "; ".join(parts),
        }
