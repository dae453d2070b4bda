"""Peer rules: a provider's revenue growth and cost per client against the other providers of the
authority (medians and MADs in SQL)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.fraud.rules.base import (
    CATEGORY,
    PROVIDER,
    D,
    Finding,
    Param,
    Rule,
    RunContext,
    number,
    period_label,
    revenue_cte,
    show,
)
from compliance.models import SignalSeverity


class RevenueGrowthOutlier(Rule):
    code = "revenue_growth_outlier"
    title = gettext_lazy("Revenue growth far above peers")
    description = gettext_lazy(
        "Declared amount in the period against the same period a year earlier, compared with the median "
        "growth of the providers of the authority. Providers founded during the previous period are left "
        "to the young-organisation rule."
    )
    source = "DESIGN.md; IKZ practice"
    params = (
        Param("min_points_above_median", 50, gettext_lazy("Growth above the median (percentage points)")),
        Param("min_revenue", 50_000, gettext_lazy("Minimum declared amount in the period (EUR)")),
        Param("min_previous_revenue", 10_000, gettext_lazy("Minimum declared amount a year earlier (EUR)")),
        Param("min_peers", 5, gettext_lazy("Minimum number of providers to compare with")),
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {
            "min_points": p["min_points_above_median"],
            "min_revenue": p["min_revenue"],
            "min_previous": p["min_previous_revenue"],
            "min_peers": p["min_peers"],
        }
        sql = f"""
        WITH {revenue_cte()},
        growth AS (
            SELECT r.provider_id, r.current_amount, r.previous_amount,
                   (r.current_amount - r.previous_amount) * 100.0 / r.previous_amount AS growth
            FROM revenue r JOIN {PROVIDER} p ON p.id = r.provider_id
            WHERE r.previous_amount >= %(min_previous)s
              AND (p.founded_on IS NULL OR p.founded_on < %(previous_start)s)
        ), ranked AS (
            SELECT growth, ROW_NUMBER() OVER (ORDER BY growth) AS position, COUNT(*) OVER () AS peers
            FROM growth
        ), median AS (
            SELECT AVG(growth) AS median, MAX(peers) AS peers
            FROM ranked WHERE position IN ((peers + 1) / 2, (peers + 2) / 2)
        )
        SELECT g.provider_id, g.current_amount, g.previous_amount, g.growth, m.median, m.peers
        FROM growth g CROSS JOIN median m
        WHERE m.peers >= %(min_peers)s AND g.growth - m.median >= %(min_points)s
          AND g.current_amount >= %(min_revenue)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        threshold = self.p(run)["min_points_above_median"]
        result = []
        for row in rows:
            above = float(row["growth"]) - float(row["median"])
            evidence = {
                "amount": number(row["current_amount"]),
                "previousAmount": number(row["previous_amount"]),
                "growthPct": number(row["growth"], 1),
                "peerMedianGrowthPct": number(row["median"], 1),
                "pointsAboveMedian": number(above, 1),
                "peers": number(row["peers"], 0),
                "period": period_label(run),
            }
            severity = SignalSeverity.HIGH if above >= 2 * threshold else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(above, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "Declared € %(amount)s in %(period)s against € %(previous)s a year earlier: %(growth)s%% growth, "
            "%(above)s percentage points above the median of %(peers)s providers (%(median)s%%)."
        ) % {
            "amount": show(e["amount"]),
            "period": e["period"],
            "previous": show(e["previousAmount"]),
            "growth": show(e["growthPct"], 1),
            "above": show(e["pointsAboveMedian"], 1),
            "peers": show(e["peers"]),
            "median": show(e["peerMedianGrowthPct"], 1),
        }


class CostPerClientOutlier(Rule):
    code = "cost_per_client_outlier"
    title = gettext_lazy("Cost per client an outlier among peers")
    description = gettext_lazy(
        "Average declared amount per client per month in care (the days the declarations cover), per "
        "product category, against the other providers of the category: robust z-score "
        "0.6745 × (x − median) / MAD (Iglewicz and Hoaglin). Counting months in care means a client who "
        "started late in the period does not make a provider an outlier; a floor on the MAD (a share of "
        "the median) keeps a category where all providers are nearly equal from flagging small differences."
    )
    source = "DESIGN.md; robust z-score (Iglewicz & Hoaglin 1993)"
    params = (
        Param("z_threshold", 3.5, gettext_lazy("Robust z-score from which a provider is an outlier")),
        Param("min_clients", 10, gettext_lazy("Minimum clients of the provider in the category")),
        Param("min_peers", 5, gettext_lazy("Minimum number of providers in the category")),
        Param("min_mad_pct", 10, gettext_lazy("Floor of the MAD (% of the median)")),
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {
            "z": p["z_threshold"],
            "min_clients": p["min_clients"],
            "min_peers": p["min_peers"],
            "min_mad": p["min_mad_pct"] / 100,
        }
        middle = "position IN ((peers + 1) / 2, (peers + 2) / 2)"
        care_days = run.dialect.days("period_start", "period_end")
        sql = f"""
        WITH per_client AS (
            SELECT provider_id, category_id, client_hash, SUM(amount) AS amount,
                   SUM({care_days} + 1) AS care_days
            FROM {D}
            WHERE authority_id = %(authority)s AND period_start BETWEEN %(start)s AND %(end)s
            GROUP BY provider_id, category_id, client_hash
        ), per_provider AS (
            SELECT provider_id, category_id, COUNT(*) AS clients, SUM(care_days) / 30.4375 AS client_months,
                   SUM(amount) AS amount, SUM(amount) * 30.4375 / SUM(care_days) AS cost
            FROM per_client
            GROUP BY provider_id, category_id
            HAVING COUNT(*) >= %(min_clients)s
        ), ranked AS (
            SELECT category_id, cost,
                   ROW_NUMBER() OVER (PARTITION BY category_id ORDER BY cost) AS position,
                   COUNT(*) OVER (PARTITION BY category_id) AS peers
            FROM per_provider
        ), median AS (
            SELECT category_id, AVG(cost) AS median, MAX(peers) AS peers
            FROM ranked WHERE {middle} GROUP BY category_id
        ), deviations AS (
            SELECT p.category_id, m.peers AS peers,
                   ROW_NUMBER() OVER (PARTITION BY p.category_id ORDER BY ABS(p.cost - m.median)) AS position,
                   ABS(p.cost - m.median) AS deviation
            FROM per_provider p JOIN median m ON m.category_id = p.category_id
        ), mad AS (
            SELECT d.category_id,
                   CASE WHEN AVG(d.deviation) > AVG(m.median) * %(min_mad)s THEN AVG(d.deviation)
                        ELSE AVG(m.median) * %(min_mad)s END AS mad
            FROM deviations d JOIN median m ON m.category_id = d.category_id
            WHERE d.position IN ((d.peers + 1) / 2, (d.peers + 2) / 2) GROUP BY d.category_id
        )
        SELECT p.provider_id, c.code AS category_code, c.name AS category_name, p.clients,
               p.client_months, p.amount, p.cost, m.median, d.mad, m.peers,
               0.6745 * (p.cost - m.median) / d.mad AS z
        FROM per_provider p
        JOIN median m ON m.category_id = p.category_id
        JOIN mad d ON d.category_id = p.category_id
        JOIN {CATEGORY} c ON c.id = p.category_id
        WHERE m.peers >= %(min_peers)s AND d.mad > 0 AND 0.6745 * (p.cost - m.median) / d.mad >= %(z)s
        ORDER BY p.provider_id, c.code
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        threshold = self.p(run)["z_threshold"]
        by_provider: dict[int, list[dict[str, Any]]] = {}
        for row in rows:  # one row per outlying category of a provider
            by_provider.setdefault(row["provider_id"], []).append(row)
        result = []
        for provider_id, categories in by_provider.items():
            z = max(float(r["z"]) for r in categories)
            evidence = {
                "categories": [
                    {
                        "category": f"{r['category_code']} {r['category_name']}",
                        "costPerClientMonth": number(r["cost"]),
                        "peerMedian": number(r["median"]),
                        "mad": number(r["mad"]),
                        "z": number(r["z"]),
                        "clients": number(r["clients"], 0),
                        "clientMonths": number(r["client_months"], 0),
                        "amount": number(r["amount"]),
                        "peers": number(r["peers"], 0),
                    }
                    for r in categories
                ],
                "maxZ": number(z),
                "period": period_label(run),
            }
            severity = SignalSeverity.HIGH if z >= 2 * threshold else SignalSeverity.MEDIUM
            result.append(Finding(provider_id, Decimal(str(round(z, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        parts = [
            _(
                "%(category)s: € %(cost)s per client per month against a median of € %(median)s among "
                "%(peers)s providers (robust z-score %(z)s, %(clients)s clients)"
            )
            % {
                "category": c["category"],
                "cost": show(c["costPerClientMonth"], 2),
                "median": show(c["peerMedian"], 2),
                "peers": show(c["peers"]),
                "z": show(c["z"], 1),
                "clients": show(c["clients"]),
            }
            for c in e["categories"]
        ]
        return _("In %(period)s the cost per client is far above that of peers. %(parts)s.") % {
            "period": e["period"],
            "parts": "; ".join(parts),
        }
