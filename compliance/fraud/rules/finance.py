"""Financial rules on a provider's latest annual figures: profit margin, executive pay (WNT) and wage
ratio (IKZ / RIEC / RTL-Graydon indicators)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.fraud.rules.base import FIGURES, WNT, Finding, Param, Rule, RunContext, number, show
from compliance.models import SignalSeverity


def _latest_figures_cte(run: RunContext, params: dict[str, Any], max_age: float) -> str:
    params["year"] = run.period_end.year
    params["min_year"] = run.period_end.year - int(max_age)
    scope = run.scope_sql(params)
    return f"""
        latest AS (
            SELECT f.* FROM {FIGURES} f
            WHERE f.provider_id IN {scope} AND f.year BETWEEN %(min_year)s AND %(year)s
              AND f.year = (SELECT MAX(g.year) FROM {FIGURES} g
                            WHERE g.provider_id = f.provider_id AND g.year BETWEEN %(min_year)s AND %(year)s)
        )"""  # noqa: S608


AGE_PARAM = Param("max_figures_age_years", 1, gettext_lazy("Use annual figures at most this many years old"))


class ProfitMarginAboveCap(Rule):
    code = "profit_margin_above_cap"
    title = gettext_lazy("Profit margin above the cap")
    description = gettext_lazy(
        "Profit as a share of revenue in the latest annual figures (the IKZ / RIEC / RTL-Graydon indicator "
        "uses 8 %)."
    )
    source = "fraud_indicators.csv 'high profit margin' (> 8 % of turnover)"
    params = (Param("max_margin_pct", 8, gettext_lazy("Maximum profit margin (%)")), AGE_PARAM)

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {"max_margin": p["max_margin_pct"]}
        sql = f"""
        WITH {_latest_figures_cte(run, params, p["max_figures_age_years"])}
        SELECT provider_id, year, revenue, profit, profit * 100.0 / revenue AS margin
        FROM latest
        WHERE revenue > 0 AND profit IS NOT NULL AND profit * 100.0 / revenue > %(max_margin)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        cap = self.p(run)["max_margin_pct"]
        result = []
        for row in rows:
            margin = float(row["margin"])
            evidence = {
                "year": row["year"],
                "revenue": number(row["revenue"]),
                "profit": number(row["profit"]),
                "marginPct": number(margin, 1),
                "capPct": number(cap, 1),
            }
            severity = SignalSeverity.HIGH if margin >= 2 * cap else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(margin, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(year)s the profit was € %(profit)s on a revenue of € %(revenue)s: a margin of %(margin)s%%, "
            "above the cap of %(cap)s%%."
        ) % {
            "year": e["year"],
            "profit": show(e["profit"]),
            "revenue": show(e["revenue"]),
            "margin": show(e["marginPct"], 1),
            "cap": show(e["capPct"], 1),
        }


class ExecutivePayAboveWnt(Rule):
    code = "executive_pay_above_wnt"
    title = gettext_lazy("Executive pay above the WNT norm")
    description = gettext_lazy(
        "The highest executive pay in the latest annual figures against the WNT maximum of the "
        "organisation's class (Regeling bezoldigingsmaxima topfunctionarissen zorg en jeugdhulp), the norm "
        "of the latest year up to the year of the figures."
    )
    source = "fraud_indicators.csv 'WNT exceedance'; reference/wnt_norms.csv"
    params = (Param("tolerance_pct", 0, gettext_lazy("Tolerance above the norm (%)")), AGE_PARAM)

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {"factor": 1 + p["tolerance_pct"] / 100, "scope_name": "zorg_jeugdhulp"}
        sql = f"""
        WITH {_latest_figures_cte(run, params, p["max_figures_age_years"])}
        SELECT l.provider_id, l.year, l.wnt_class, l.highest_executive_pay AS pay, n.amount AS norm,
               n.year AS norm_year
        FROM latest l
        JOIN {WNT} n ON n.scope = %(scope_name)s AND n.wnt_class = l.wnt_class
         AND n.year = (SELECT MAX(m.year) FROM {WNT} m
                       WHERE m.scope = n.scope AND m.wnt_class = n.wnt_class AND m.year <= l.year)
        WHERE l.highest_executive_pay > n.amount * %(factor)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        result = []
        for row in rows:
            ratio = float(row["pay"]) / float(row["norm"])
            evidence = {
                "year": row["year"],
                "wntClass": row["wnt_class"],
                "pay": number(row["pay"]),
                "norm": number(row["norm"]),
                "normYear": row["norm_year"],
                "excess": number(float(row["pay"]) - float(row["norm"])),
            }
            severity = SignalSeverity.HIGH if ratio >= 1.25 else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(ratio, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(year)s the highest executive pay was € %(pay)s, € %(excess)s above the WNT norm of "
            "€ %(norm)s for class %(cls)s (norm of %(norm_year)s)."
        ) % {
            "year": e["year"],
            "pay": show(e["pay"]),
            "excess": show(e["excess"]),
            "norm": show(e["norm"]),
            "cls": e["wntClass"],
            "norm_year": e["normYear"],
        }


class LowWageRatio(Rule):
    code = "low_wage_ratio"
    title = gettext_lazy("Low wage ratio")
    description = gettext_lazy(
        "Personnel costs as a share of revenue in the latest annual figures (the IKZ / RIEC / RTL-Graydon "
        "indicator uses 65 %)."
    )
    source = "fraud_indicators.csv 'low wage ratio' (personnel costs < 65 % of turnover)"
    params = (
        Param("min_personnel_share_pct", 65, gettext_lazy("Minimum personnel costs (% of revenue)")),
        AGE_PARAM,
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {"min_share": p["min_personnel_share_pct"]}
        sql = f"""
        WITH {_latest_figures_cte(run, params, p["max_figures_age_years"])}
        SELECT provider_id, year, revenue, personnel_costs, personnel_costs * 100.0 / revenue AS share
        FROM latest
        WHERE revenue > 0 AND personnel_costs IS NOT NULL
          AND personnel_costs * 100.0 / revenue < %(min_share)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        minimum = self.p(run)["min_personnel_share_pct"]
        result = []
        for row in rows:
            share = float(row["share"])
            evidence = {
                "year": row["year"],
                "revenue": number(row["revenue"]),
                "personnelCosts": number(row["personnel_costs"]),
                "sharePct": number(share, 1),
                "minimumPct": number(minimum, 1),
            }
            severity = SignalSeverity.HIGH if share < 50 else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(share, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(year)s the personnel costs were € %(costs)s, %(share)s%% of the revenue of € %(revenue)s "
            "(less than %(minimum)s%%)."
        ) % {
            "year": e["year"],
            "costs": show(e["personnelCosts"]),
            "share": show(e["sharePct"], 1),
            "revenue": show(e["revenue"]),
            "minimum": show(e["minimumPct"]),
        }
