"""The fraud signal rules: each one query in the database per authority and period (aggregations in
SQL, no loop over lines in Python), returning one finding per provider with its evidence numbers.

Sources: DESIGN.md "Fraud signal rules" and shared/reference/fraud_indicators.csv (IKZ / RIEC Oost-NL /
RTL-Graydon indicators, iWmo/iJw business rules). Thresholds are parameters with defaults; an authority
changes them with a ``FraudRuleSetting`` (see ``resolve_settings``).

The SQL is written once for PostgreSQL and SQLite: the few differences (date arithmetic, month keys)
come from ``Dialect``. Medians and MADs are computed with window functions (``ROW_NUMBER`` and
``COUNT`` over a partition), which both databases support.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from compliance.models import (
    AccountabilityDocument,
    AllocationLine,
    DeclarationLine,
    ProviderAnnualFigures,
    SignalSeverity,
)
from contracting.models import BoardMember, ProductCategory, Provider, Unit, WntNorm
from core import clock

D = DeclarationLine._meta.db_table
A = AllocationLine._meta.db_table
PROVIDER = Provider._meta.db_table
UNIT = Unit._meta.db_table
CATEGORY = ProductCategory._meta.db_table
FIGURES = ProviderAnnualFigures._meta.db_table
WNT = WntNorm._meta.db_table
DOCUMENTS = AccountabilityDocument._meta.db_table
AUDIT = AuditEvent._meta.db_table
BOARD = BoardMember._meta.db_table


class Dialect:
    def __init__(self, vendor: str) -> None:
        self.postgres = vendor == "postgresql"

    def days(self, start: str, end: str) -> str:
        """Whole days from ``start`` to ``end`` (end - start)."""
        if self.postgres:
            return f"(({end}) - ({start}))"
        return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.postgres else f"MIN({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.postgres else f"MAX({a}, {b})"

    def month_key(self, day: str) -> str:
        if self.postgres:
            return f"(EXTRACT(YEAR FROM {day})::int * 100 + EXTRACT(MONTH FROM {day})::int)"
        return f"CAST(strftime('%%Y%%m', {day}) AS INTEGER)"


# --------------------------------------------------------------------------- parameters and runs


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    label: Any
    minimum: float = 0
    maximum: float | None = None


@dataclass
class RunContext:
    """One run of the rules for an authority and a period."""

    authority_id: int
    period_start: datetime.date
    period_end: datetime.date
    dialect: Dialect
    scope: tuple[int, ...] = ()  # providers with production data or a live agreement
    params: dict[str, dict[str, float]] = field(default_factory=dict)  # rule -> resolved thresholds
    today: datetime.date = field(default_factory=clock.today)

    @property
    def previous_start(self) -> datetime.date:
        return shift_year(self.period_start, -1)

    @property
    def previous_end(self) -> datetime.date:
        return shift_year(self.period_end, -1)

    @property
    def days(self) -> int:
        return (self.period_end - self.period_start).days + 1

    def base_params(self) -> dict[str, Any]:
        return {
            "authority": self.authority_id,
            "start": self.period_start,
            "end": self.period_end,
            "previous_start": self.previous_start,
            "previous_end": self.previous_end,
        }

    def scope_sql(self, params: dict[str, Any]) -> str:
        """An IN list of the providers in scope, adding its parameters to ``params``."""
        if not self.scope:
            return "(NULL)"
        names = []
        for i, provider_id in enumerate(self.scope):
            params[f"scope_{i}"] = provider_id
            names.append(f"%(scope_{i})s")
        return f"({', '.join(names)})"


def shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass
class Finding:
    provider_id: int
    score: Decimal
    severity: str
    evidence: dict[str, Any]


def number(value: Any, places: int = 2) -> float | int:
    """A JSON number with a fixed precision, the same on PostgreSQL (Decimal) and SQLite (float)."""
    if value is None:
        return 0
    if places == 0:
        return int(round(float(value)))
    return round(float(value), places)


def show(value: Any, places: int = 0) -> str:
    """A number for an explanation, formatted for the active language (1.234,5 in Dutch)."""
    return formats.number_format(round(float(value), places), places, use_l10n=True, force_grouping=True)


def period_label(run: "RunContext") -> str:
    return f"{run.period_start:%d-%m-%Y} – {run.period_end:%d-%m-%Y}"


class Rule:
    code: str
    title: Any
    description: Any
    source: str = ""
    params: tuple[Param, ...] = ()

    def defaults(self) -> dict[str, float]:
        return {p.name: p.default for p in self.params}

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        raise NotImplementedError

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        raise NotImplementedError

    def explain(self, evidence: dict[str, Any]) -> str:
        raise NotImplementedError

    def detect(self, run: RunContext) -> list[Finding]:
        sql, params = self.sql(run)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return self.findings(run, rows)

    def p(self, run: RunContext) -> dict[str, float]:
        return run.params.get(self.code) or self.defaults()


def _rows_to_findings(rows: Iterable[dict[str, Any]], build) -> list[Finding]:
    return [build(row) for row in rows]


# --------------------------------------------------------------------------- transaction rules


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


def _revenue_cte() -> str:
    return f"""
        revenue AS (
            SELECT provider_id,
                   SUM(CASE WHEN period_start >= %(start)s THEN amount ELSE 0 END) AS current_amount,
                   SUM(CASE WHEN period_start <= %(previous_end)s THEN amount ELSE 0 END) AS previous_amount
            FROM {D}
            WHERE authority_id = %(authority)s
              AND (period_start BETWEEN %(start)s AND %(end)s
                   OR period_start BETWEEN %(previous_start)s AND %(previous_end)s)
            GROUP BY provider_id
        )"""  # noqa: S608


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
        WITH {_revenue_cte()},
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


class ImplausibleHoursPerFte(Rule):
    code = "implausible_hours_per_fte"
    title = gettext_lazy("Care hours per FTE physically implausible")
    description = gettext_lazy(
        "Hours of individual care declared (units minute and hour), converted to a year, divided by the "
        "provider's FTE. A full-time employee has about 1,872 paid hours a year (36 × 52) of which not all "
        "can be spent with clients. Group care (day parts) and stays (24 hours) are left out."
    )
    source = "DESIGN.md 'care hours per FTE that are physically implausible'"
    params = (
        Param("max_hours_per_fte", 1500, gettext_lazy("Maximum plausible hours of care per FTE per year")),
    )
    units = ("01", "04")

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {
            "max_hours": p["max_hours_per_fte"],
            "year_factor": 365.25 / run.days,
            "unit_a": self.units[0],
            "unit_b": self.units[1],
        }
        sql = f"""
        WITH hours AS (
            SELECT d.provider_id, SUM(d.volume * u.minutes) / 60.0 AS hours
            FROM {D} d JOIN {UNIT} u ON u.id = d.unit_id
            WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(start)s AND %(end)s
              AND u.code IN (%(unit_a)s, %(unit_b)s)
            GROUP BY d.provider_id
        )
        SELECT h.provider_id, h.hours, p.fte, h.hours * %(year_factor)s / p.fte AS hours_per_fte
        FROM hours h JOIN {PROVIDER} p ON p.id = h.provider_id
        WHERE p.fte > 0 AND h.hours * %(year_factor)s / p.fte > %(max_hours)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        result = []
        for row in rows:
            per_fte = float(row["hours_per_fte"])
            evidence = {
                "hours": number(row["hours"], 0),
                "fte": number(row["fte"], 1),
                "hoursPerFteYear": number(per_fte, 0),
                "maxHoursPerFte": number(self.p(run)["max_hours_per_fte"], 0),
                "period": period_label(run),
            }
            severity = SignalSeverity.HIGH if per_fte > 52 * 40 else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(per_fte, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s %(hours)s hours of individual care were declared with %(fte)s FTE: %(per_fte)s "
            "hours per FTE per year, more than the %(max)s that are plausible."
        ) % {
            "period": e["period"],
            "hours": show(e["hours"]),
            "fte": show(e["fte"], 1),
            "per_fte": show(e["hoursPerFteYear"]),
            "max": show(e["maxHoursPerFte"]),
        }


class ClientMultipleProviders(Rule):
    code = "client_multiple_providers"
    title = gettext_lazy("One client billed by many providers at the same time")
    description = gettext_lazy(
        "Clients for whom several providers declared the same product category in the same calendar "
        "month. Each provider involved gets the signal."
    )
    source = "DESIGN.md; fraud_indicators.csv 'double funding'"
    params = (
        Param(
            "min_providers", 3, gettext_lazy("Providers billing one client in the same month and category")
        ),
        Param("min_clients", 3, gettext_lazy("Minimum number of such clients of the provider")),
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        month = run.dialect.month_key("d.period_start")
        params = run.base_params() | {"min_providers": p["min_providers"], "min_clients": p["min_clients"]}
        sql = f"""
        WITH candidates AS (
            SELECT client_hash, category_id
            FROM {D}
            WHERE authority_id = %(authority)s AND period_start BETWEEN %(start)s AND %(end)s
            GROUP BY client_hash, category_id
            HAVING MIN(provider_id) <> MAX(provider_id)
        ), months AS (
            SELECT d.client_hash, d.category_id, {month} AS month, d.provider_id
            FROM {D} d JOIN candidates c ON c.client_hash = d.client_hash AND c.category_id = d.category_id
            WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(start)s AND %(end)s
            GROUP BY d.client_hash, d.category_id, {month}, d.provider_id
        ), crowded AS (
            SELECT client_hash, category_id, month, COUNT(*) AS providers
            FROM months GROUP BY client_hash, category_id, month
            HAVING COUNT(*) >= %(min_providers)s
        )
        SELECT m.provider_id, COUNT(DISTINCT m.client_hash) AS clients, COUNT(*) AS client_months,
               MAX(c.providers) AS max_providers
        FROM months m
        JOIN crowded c ON c.client_hash = m.client_hash AND c.category_id = m.category_id AND c.month = m.month
        GROUP BY m.provider_id
        HAVING COUNT(DISTINCT m.client_hash) >= %(min_clients)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        result = []
        for row in rows:
            clients, most = int(row["clients"]), int(row["max_providers"])
            evidence = {
                "clients": clients,
                "clientMonths": number(row["client_months"], 0),
                "maxProviders": most,
                "period": period_label(run),
            }
            severity = SignalSeverity.HIGH if most >= 4 or clients >= 10 else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(clients), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s %(clients)s clients of this provider were billed in the same month and product "
            "category by other providers as well (up to %(most)s providers at once, %(months)s client months)."
        ) % {
            "period": e["period"],
            "clients": show(e["clients"]),
            "most": show(e["maxProviders"]),
            "months": show(e["clientMonths"]),
        }


# --------------------------------------------------------------------------- organisation rules


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
                    "due": e["oldestDueDate"],
                }
            )
        if e["repeatedlyRejectedDocuments"]:
            parts.append(
                _("%(n)s documents were rejected repeatedly (up to %(most)s times)")
                % {"n": show(e["repeatedlyRejectedDocuments"]), "most": show(e["mostRejections"])}
            )
        return _("On %(date)s: %(parts)s.") % {"date": e["referenceDate"], "parts": "; ".join(parts)}


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
        WITH {_revenue_cte()},
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
                    "founded": e["foundedOn"],
                    "amount": show(e["amount"]),
                    "period": e["period"],
                    "previous": show(e["previousAmount"]),
                }
            )
        if e["boardChangesFrequent"]:
            parts.append(_("%(n)s changes in the board") % {"n": show(e["boardChanges"])})
        return _("Young or unsettled organisation: %(parts)s.") % {"parts": "; ".join(parts)}


RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        DeclaredAboveAllocated(),
        DeclaredOutsideAllocation(),
        RevenueGrowthOutlier(),
        CostPerClientOutlier(),
        ImplausibleHoursPerFte(),
        ClientMultipleProviders(),
        ProfitMarginAboveCap(),
        ExecutivePayAboveWnt(),
        LowWageRatio(),
        DocumentsOverdueOrRejected(),
        YoungOrganisationRisk(),
    )
}


def rule_title(code: str) -> str:
    rule = RULES.get(code)
    return str(rule.title) if rule else code


def validate_thresholds(code: str, thresholds: dict[str, Any]) -> dict[str, float]:
    """The thresholds as floats; raises ValueError naming unknown or out-of-range parameters."""
    rule = RULES.get(code)
    if rule is None:
        raise ValueError(_("Unknown rule: %(rule)s.") % {"rule": code})
    if not isinstance(thresholds, dict):
        raise ValueError(_("The thresholds must be an object of parameter names and numbers."))
    known = {p.name: p for p in rule.params}
    unknown = sorted(set(thresholds) - set(known))
    if unknown:
        raise ValueError(
            _("Unknown parameters for %(rule)s: %(names)s (known: %(known)s).")
            % {"rule": code, "names": ", ".join(unknown), "known": ", ".join(known)}
        )
    result = {}
    for name, value in thresholds.items():
        param = known[name]
        try:
            value = float(value)
        except (TypeError, ValueError):
            raise ValueError(_("%(name)s must be a number.") % {"name": name}) from None
        if value < param.minimum or (param.maximum is not None and value > param.maximum):
            raise ValueError(_("%(name)s is out of range.") % {"name": name})
        result[name] = value
    return result
