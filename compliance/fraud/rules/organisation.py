"""Organisation rules: a young provider whose turnover grows fast, or frequent changes in the board."""

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.fraud.rules.base import (
    BOARD,
    PROVIDER,
    Finding,
    Param,
    Rule,
    RunContext,
    number,
    period_label,
    revenue_cte,
    shift_year,
    show,
    show_date,
)
from compliance.models import SignalSeverity


class YoungOrganisationRisk(Rule):
    code = "young_organisation_risk"
    title = gettext_lazy("Young organisation with fast-growing turnover or frequent board changes")
    description = gettext_lazy(
        "A provider founded recently whose declared amount grows fast (or starts high), or any provider "
        "whose board changed often (appointments after the founding and departures) in the last months."
    )
    source = "fraud_indicators.csv 'frequent changes'; DESIGN.md"
    params = (
        Param(
            "max_age_years", 3, gettext_lazy("Young: founded at most this many years before the period end")
        ),
        Param("min_growth_pct", 50, gettext_lazy("Fast growth of the declared amount (%)")),
        Param("min_revenue", 100_000, gettext_lazy("Minimum declared amount in the period (EUR)")),
        Param("board_changes", 3, gettext_lazy("Board changes from which they are frequent")),
        Param("board_window_months", 24, gettext_lazy("Months counted back for board changes")),
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {
            "young_after": shift_year(run.period_end, -int(p["max_age_years"])),
            "min_growth": p["min_growth_pct"],
            "min_revenue": p["min_revenue"],
            "board_changes": p["board_changes"],
            "board_from": run.period_end - datetime.timedelta(days=round(p["board_window_months"] * 30.4375)),
        }
        scope = run.scope_sql(params)
        sql = f"""
        WITH {revenue_cte()},
        board_events AS (
            SELECT b.provider_id, b.start_date AS day
            FROM {BOARD} b JOIN {PROVIDER} p ON p.id = b.provider_id
            WHERE p.founded_on IS NULL OR b.start_date > p.founded_on
            UNION ALL
            SELECT provider_id, end_date AS day FROM {BOARD} WHERE end_date IS NOT NULL
        ), board AS (
            SELECT provider_id, COUNT(*) AS changes FROM board_events
            WHERE day BETWEEN %(board_from)s AND %(end)s GROUP BY provider_id
        ), candidates AS (
        SELECT p.id AS provider_id, p.founded_on, COALESCE(r.current_amount, 0) AS current_amount,
               COALESCE(r.previous_amount, 0) AS previous_amount, COALESCE(b.changes, 0) AS board_changes,
               CASE WHEN p.founded_on > %(young_after)s AND COALESCE(r.current_amount, 0) >= %(min_revenue)s
                         AND (COALESCE(r.previous_amount, 0) = 0
                              OR (r.current_amount - r.previous_amount) * 100.0 / r.previous_amount
                                 >= %(min_growth)s)
                    THEN 1 ELSE 0 END AS young_and_growing
        FROM {PROVIDER} p
        LEFT JOIN revenue r ON r.provider_id = p.id
        LEFT JOIN board b ON b.provider_id = p.id
        WHERE p.id IN {scope}
        )
        SELECT * FROM candidates WHERE young_and_growing = 1 OR board_changes >= %(board_changes)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        threshold = self.p(run)["board_changes"]
        result = []
        for row in rows:
            founded = row["founded_on"]
            if isinstance(founded, str):
                founded = datetime.date.fromisoformat(founded)
            current, previous = float(row["current_amount"]), float(row["previous_amount"])
            growing, changes = bool(row["young_and_growing"]), int(row["board_changes"])
            evidence = {
                "foundedOn": founded.isoformat() if founded else None,
                "amount": number(current),
                "previousAmount": number(previous),
                "growthPct": number((current - previous) * 100 / previous, 1) if previous else None,
                "youngAndGrowing": growing,
                "boardChanges": changes,
                "boardChangesFrequent": changes >= threshold,
                "period": period_label(run),
            }
            both = growing and changes >= threshold
            severity = SignalSeverity.MEDIUM if both else SignalSeverity.LOW
            result.append(Finding(row["provider_id"], Decimal(int(growing) + changes), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        parts = []
        if e["youngAndGrowing"]:
            parts.append(
                _(
                    "founded on %(founded)s and declared € %(amount)s in %(period)s (€ %(previous)s a year earlier)"
                )
                % {
                    "founded": show_date(e["foundedOn"]),
                    "amount": show(e["amount"]),
                    "period": e["period"],
                    "previous": show(e["previousAmount"]),
                }
            )
        if e["boardChangesFrequent"]:
            parts.append(_("%(n)s changes in the board") % {"n": show(e["boardChanges"])})
        return _("Young or unsettled organisation: %(parts)s.") % {"parts": "; ".join(parts)}
