"""Capacity rules: more care declared than a provider's staff can give, or than one client can receive
(several providers billing the same client in the same month)."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.fraud.rules.base import (
    PROVIDER,
    UNIT,
    D,
    Finding,
    Param,
    Rule,
    RunContext,
    number,
    period_label,
    show,
)
from compliance.models import SignalSeverity


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
