"""Volume rules: declarations compared with the allocations they belong to (iWmo/iJw)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.fraud.rules.base import A, D, Finding, Param, Rule, RunContext, number, period_label, show
from compliance.models import SignalSeverity


class DeclaredAboveAllocated(Rule):
    code = "declared_above_allocated"
    title = gettext_lazy("Declared volume above the allocated volume")
    description = gettext_lazy(
        "Per allocation: the volume declared within the allocation period is compared with the allocated "
        "volume for the part of the allocation that falls in the period (a weekly or monthly volume is "
        "converted to the period, iWmo/iJw rule CD076). Declarations with another unit are not compared."
    )
    source = "iWmo/iJw 3.2 CD076; fraud_indicators.csv 'volume above allocation'"
    params = (
        Param("tolerance_pct", 5, gettext_lazy("Tolerance per allocation (%)")),
        Param("min_allocations", 3, gettext_lazy("Minimum number of allocations exceeded")),
        Param("min_share_pct", 5, gettext_lazy("Minimum share of the allocations exceeded (%)")),
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        d = run.dialect
        p = self.p(run)
        params = run.base_params() | {
            "factor": 1 + p["tolerance_pct"] / 100,
            "min_allocations": p["min_allocations"],
            "min_share": p["min_share_pct"],
        }
        overlap = d.days(d.greatest("a_start", "%(start)s"), d.least("a_end", "%(end)s"))
        sql = f"""
        WITH per_allocation AS (
            SELECT a.id AS allocation_id, a.provider_id, a.allocation_number, a.frequency, a.total_volume,
                   a.period_start AS a_start, a.period_end AS a_end,
                   SUM(d.volume) AS declared, SUM(d.amount) AS amount
            FROM {D} d
            JOIN {A} a ON a.authority_id = d.authority_id AND a.allocation_number = d.allocation_number
                      AND a.provider_id = d.provider_id AND a.unit_id = d.unit_id
            WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(start)s AND %(end)s
              AND d.period_start >= a.period_start AND d.period_end <= a.period_end
            GROUP BY a.id, a.provider_id, a.allocation_number, a.frequency, a.total_volume,
                     a.period_start, a.period_end
        ), checked AS (
            SELECT provider_id, allocation_number, declared, amount,
                   CASE WHEN frequency = '6' THEN total_volume
                        ELSE total_volume * ({overlap} + 1) / ({d.days("a_start", "a_end")} + 1)
                   END AS allowed
            FROM per_allocation
        ), flagged AS (
            SELECT provider_id, allocation_number, declared, allowed, amount,
                   CASE WHEN declared > allowed * %(factor)s THEN 1 ELSE 0 END AS flag,
                   CASE WHEN declared > allowed * %(factor)s THEN declared - allowed ELSE 0 END AS excess
            FROM checked
        ), totals AS (
            SELECT provider_id, allocation_number, declared, allowed, flag, excess,
                   COUNT(*) OVER w AS checked, SUM(flag) OVER w AS exceeded,
                   SUM(declared) OVER w AS declared_total, SUM(allowed) OVER w AS allowed_total,
                   SUM(excess) OVER w AS excess_total,
                   SUM(CASE WHEN flag = 1 THEN amount * excess / declared ELSE 0 END) OVER w AS excess_amount,
                   ROW_NUMBER() OVER (PARTITION BY provider_id ORDER BY excess DESC, allocation_number)
                       AS position
            FROM flagged
            WINDOW w AS (PARTITION BY provider_id)
        )
        SELECT * FROM totals
        WHERE position <= 3 AND flag = 1 AND exceeded >= %(min_allocations)s
          AND exceeded * 100.0 / checked >= %(min_share)s
        ORDER BY provider_id, position
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        by_provider: dict[int, list[dict[str, Any]]] = {}
        for row in rows:  # at most three example allocations per flagged provider
            by_provider.setdefault(row["provider_id"], []).append(row)
        result = []
        for provider_id, examples in by_provider.items():
            first = examples[0]
            share = float(first["exceeded"]) * 100 / float(first["checked"])
            excess_amount = float(first["excess_amount"])
            evidence = {
                "allocationsChecked": number(first["checked"], 0),
                "allocationsExceeded": number(first["exceeded"], 0),
                "sharePct": number(share, 1),
                "declaredVolume": number(first["declared_total"]),
                "allocatedVolume": number(first["allowed_total"]),
                "excessVolume": number(first["excess_total"]),
                "excessAmount": number(excess_amount),
                "examples": [
                    {
                        "allocation": e["allocation_number"],
                        "declared": number(e["declared"]),
                        "allocated": number(e["allowed"]),
                    }
                    for e in examples
                ],
                "period": period_label(run),
            }
            severity = (
                SignalSeverity.HIGH if share >= 25 or excess_amount >= 25_000 else SignalSeverity.MEDIUM
            )
            result.append(Finding(provider_id, Decimal(str(round(share, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s more was declared than allocated for %(exceeded)s of the %(checked)s allocations "
            "checked (%(share)s%%): %(excess)s units above the allocated %(allocated)s, about € %(amount)s. "
            "Largest: %(examples)s."
        ) % {
            "period": e["period"],
            "exceeded": show(e["allocationsExceeded"]),
            "checked": show(e["allocationsChecked"]),
            "share": show(e["sharePct"], 1),
            "excess": show(e["excessVolume"]),
            "allocated": show(e["allocatedVolume"]),
            "amount": show(e["excessAmount"]),
            "examples": ", ".join(
                _("%(allocation)s (%(declared)s declared, %(allocated)s allocated)")
                % {
                    "allocation": x["allocation"],
                    "declared": show(x["declared"]),
                    "allocated": show(x["allocated"]),
                }
                for x in e["examples"]
            ),
        }


class DeclaredOutsideAllocation(Rule):
    code = "declared_outside_allocation"
    title = gettext_lazy("Declarations outside the allocation period")
    description = gettext_lazy(
        "Declaration lines in the period that refer to no allocation of this provider, or whose period "
        "does not lie within the allocation's start and end date (iWmo business rule OP22)."
    )
    source = "BEP-model iWmo OP22; fraud_indicators.csv 'declaration outside allocation validity'"
    params = (
        Param("min_lines", 3, gettext_lazy("Minimum number of lines outside an allocation")),
        Param("min_share_pct", 1, gettext_lazy("Minimum share of the declared lines (%)")),
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {"min_lines": p["min_lines"], "min_share": p["min_share_pct"]}
        outside = "(a.id IS NULL OR d.period_start < a.period_start OR d.period_end > a.period_end)"
        sql = f"""
        SELECT d.provider_id,
               COUNT(*) AS lines,
               SUM(CASE WHEN a.id IS NULL THEN 1 ELSE 0 END) AS without_allocation,
               SUM(CASE WHEN a.id IS NOT NULL AND {outside} THEN 1 ELSE 0 END) AS outside_period,
               SUM(CASE WHEN {outside} THEN d.amount ELSE 0 END) AS amount_outside,
               SUM(d.amount) AS amount
        FROM {D} d
        LEFT JOIN {A} a ON a.authority_id = d.authority_id AND a.allocation_number = d.allocation_number
                       AND a.provider_id = d.provider_id
        WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(start)s AND %(end)s
        GROUP BY d.provider_id
        HAVING SUM(CASE WHEN {outside} THEN 1 ELSE 0 END) >= %(min_lines)s
           AND SUM(CASE WHEN {outside} THEN 1 ELSE 0 END) * 100.0 / COUNT(*) >= %(min_share)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        result = []
        for row in rows:
            outside = int(row["without_allocation"]) + int(row["outside_period"])
            share = outside * 100 / int(row["lines"])
            amount = float(row["amount_outside"])
            evidence = {
                "linesChecked": number(row["lines"], 0),
                "linesWithoutAllocation": number(row["without_allocation"], 0),
                "linesOutsidePeriod": number(row["outside_period"], 0),
                "sharePct": number(share, 1),
                "amountOutside": number(amount),
                "amountDeclared": number(row["amount"]),
                "period": period_label(run),
            }
            severity = SignalSeverity.HIGH if share >= 10 or amount >= 25_000 else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(share, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s %(without)s declaration lines refer to no allocation of this provider and "
            "%(outside)s lie outside the allocation period: %(share)s%% of %(lines)s lines, € %(amount)s."
        ) % {
            "period": e["period"],
            "without": show(e["linesWithoutAllocation"]),
            "outside": show(e["linesOutsidePeriod"]),
            "share": show(e["sharePct"], 1),
            "lines": show(e["linesChecked"]),
            "amount": show(e["amountOutside"]),
        }
