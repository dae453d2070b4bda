"""Contract checks: declarations compared with the agreements of the provider (its lots, term, tariffs and
budget ceilings per municipality). Set-based like the other rules: one statement per rule, one finding
per provider, the same engine, idempotency and per-authority thresholds.

A provider is checked when it has an agreement with the authority (directly or through a coalition it is
a member of) in a state after the offer; a provider without any agreement is not contracted at all and
is left to the volume rules. An agreement *covers* a declaration line when the start of the line's period
falls within the agreement's term.
"""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalitions.models import Membership
from compliance.fraud.rules.base import D, Finding, Param, Rule, RunContext, number, period_label, show
from compliance.models import SignalSeverity
from contracting.models import Agreement, AgreementStatus, BudgetCeiling, Lot, Product, SubAgreement, Tariff

AGREEMENT = Agreement._meta.db_table
MEMBERSHIP = Membership._meta.db_table
SUB = SubAgreement._meta.db_table
LOT_PRODUCTS = Lot.products.through._meta.db_table
PRODUCT = Product._meta.db_table
TARIFF = Tariff._meta.db_table
CEILING = BudgetCeiling._meta.db_table
COUNTED_STATES = (
    AgreementStatus.ACTIVE,
    AgreementStatus.SUSPENDED,
    AgreementStatus.TERMINATING,
    AgreementStatus.ENDED,
    AgreementStatus.EXPIRED,
)


def parties_cte() -> str:
    """``parties``: (agreement_id, provider_id, start_date, end_date) of the authority's counted
    agreements, a coalition's agreement once per member; ``lots``: per agreement the products of its
    lots (the lowest lot number's lot when a product is in several). Needs ``%(authority)s``."""
    states = ", ".join(f"'{s}'" for s in COUNTED_STATES)
    return f"""
        parties AS (
            SELECT a.id AS agreement_id, a.provider_id, a.start_date, a.end_date
            FROM {AGREEMENT} a
            WHERE a.authority_id = %(authority)s AND a.provider_id IS NOT NULL AND a.status IN ({states})
            UNION ALL
            SELECT a.id, m.provider_id, a.start_date, a.end_date
            FROM {AGREEMENT} a JOIN {MEMBERSHIP} m ON m.coalition_id = a.coalition_id
            WHERE a.authority_id = %(authority)s AND a.coalition_id IS NOT NULL AND a.status IN ({states})
        ),
        lots AS (
            SELECT s.agreement_id, lp.product_id, pr.category_id, MIN(lp.lot_id) AS lot_id
            FROM {SUB} s JOIN {LOT_PRODUCTS} lp ON lp.lot_id = s.lot_id JOIN {PRODUCT} pr ON pr.id = lp.product_id
            GROUP BY s.agreement_id, lp.product_id, pr.category_id
        )"""  # noqa: S608


LINES = f"""
    FROM {D} d
    WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(start)s AND %(end)s
      AND d.provider_id IN (SELECT provider_id FROM parties)"""  # noqa: S608
COVERED = (
    "SELECT 1 FROM parties p WHERE p.provider_id = d.provider_id "
    "AND d.period_start >= p.start_date AND d.period_start <= p.end_date"
)
MIN_AMOUNT = Param("min_amount", 0, gettext_lazy("Minimum amount of the lines found (EUR)"))
HIGH_AMOUNT = Param("high_amount", 10_000, gettext_lazy("Amount from which the signal is high (EUR)"))


class _CountRule(Rule):
    """A rule whose finding is the number and amount of the provider's lines that fail the check."""

    params = (MIN_AMOUNT, HIGH_AMOUNT)

    def condition(self, run: RunContext, params: dict[str, Any]) -> str:
        raise NotImplementedError

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        params = run.base_params() | {"min_amount": self.p(run)["min_amount"]}
        sql = f"""
        WITH {parties_cte()}
        SELECT d.provider_id, COUNT(*) AS lines, SUM(d.amount) AS amount,
               MIN(d.period_start) AS first_day, MAX(d.period_start) AS last_day
        {LINES} AND {self.condition(run, params)}
        GROUP BY d.provider_id
        HAVING SUM(d.amount) >= %(min_amount)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        high = self.p(run)["high_amount"]
        result = []
        for row in rows:
            amount = float(row["amount"] or 0)
            evidence = {
                "lines": number(row["lines"], 0),
                "amount": number(amount),
                "firstDay": str(row["first_day"])[:10],
                "lastDay": str(row["last_day"])[:10],
                "period": period_label(run),
            }
            severity = SignalSeverity.HIGH if amount >= high else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(amount, 2))), severity, evidence))
        return result


class ProductNotContracted(_CountRule):
    code = "product_not_contracted"
    title = gettext_lazy("Product not contracted with the provider")
    description = gettext_lazy(
        "Declaration lines under an agreement with lots whose product (or, without a product code, whose "
        "product category) is in none of the lots of the provider's agreements covering the line."
    )
    source = "Agreement and its sub-agreements (lots)"

    def condition(self, run: RunContext, params: dict[str, Any]) -> str:
        return """EXISTS (SELECT 1 FROM parties p JOIN lots l ON l.agreement_id = p.agreement_id
                           WHERE p.provider_id = d.provider_id
                             AND d.period_start >= p.start_date AND d.period_start <= p.end_date)
            AND NOT EXISTS (SELECT 1 FROM parties p JOIN lots l ON l.agreement_id = p.agreement_id
                            WHERE p.provider_id = d.provider_id
                              AND d.period_start >= p.start_date AND d.period_start <= p.end_date
                              AND (l.product_id = d.product_id
                                   OR (d.product_id IS NULL AND l.category_id = d.category_id)))"""

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s %(lines)s declaration lines (€ %(amount)s) are for products that are in none of "
            "the lots contracted with this provider."
        ) % {"period": e["period"], "lines": show(e["lines"]), "amount": show(e["amount"], 2)}


class DeclaredOutsideAgreementTerm(_CountRule):
    code = "declared_outside_agreement_term"
    title = gettext_lazy("Declared outside any agreement term")
    description = gettext_lazy(
        "Declaration lines of a contracted provider whose period starts outside the term of every agreement "
        "of the provider with the authority (before its start or after its end)."
    )
    source = "Agreement start and end dates"

    def condition(self, run: RunContext, params: dict[str, Any]) -> str:
        return f"NOT EXISTS ({COVERED})"

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s %(lines)s declaration lines (€ %(amount)s, %(first)s to %(last)s) fall outside the "
            "term of every agreement with this provider."
        ) % {
            "period": e["period"],
            "lines": show(e["lines"]),
            "amount": show(e["amount"], 2),
            "first": e["firstDay"],
            "last": e["lastDay"],
        }


class MunicipalityNotCovered(_CountRule):
    code = "municipality_not_covered"
    title = gettext_lazy("Declared for a municipality the agreement does not cover")
    description = gettext_lazy(
        "An agreement with budget ceilings per municipality for a year covers those municipalities: "
        "declaration lines of that year for another municipality are found. An agreement without ceilings "
        "per municipality covers every municipality of the authority."
    )
    source = "Budget ceilings per participating municipality"

    def condition(self, run: RunContext, params: dict[str, Any]) -> str:
        year = f"({run.dialect.month_key('d.period_start')} / 100)"
        return f"""d.municipality_id IS NOT NULL AND EXISTS (
                SELECT 1 FROM parties p
                WHERE p.provider_id = d.provider_id
                  AND d.period_start >= p.start_date AND d.period_start <= p.end_date
                  AND EXISTS (SELECT 1 FROM {CEILING} c WHERE c.agreement_id = p.agreement_id
                              AND c.year = {year} AND c.municipality_id IS NOT NULL)
                  AND NOT EXISTS (SELECT 1 FROM {CEILING} c WHERE c.agreement_id = p.agreement_id
                                  AND c.year = {year} AND c.municipality_id = d.municipality_id))"""  # noqa: S608

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s %(lines)s declaration lines (€ %(amount)s) are for a municipality for which the "
            "agreement has no budget ceiling."
        ) % {"period": e["period"], "lines": show(e["lines"]), "amount": show(e["amount"], 2)}


class TariffDeviation(Rule):
    code = "tariff_deviation"
    title = gettext_lazy("Price per unit differs from the contracted tariff")
    description = gettext_lazy(
        "Per declaration line with a product: the amount against the volume times the authority's tariff of "
        "the product for the year of the line; a difference beyond the tolerance is found (above and below)."
    )
    source = "Tariffs per product and year"
    params = (
        Param("tolerance_pct", 5, gettext_lazy("Tolerance around the tariff (%)")),
        Param("min_lines", 1, gettext_lazy("Minimum number of lines off the tariff")),
        HIGH_AMOUNT,
    )

    def sql(self, run: RunContext) -> tuple[str, dict[str, Any]]:
        p = self.p(run)
        params = run.base_params() | {"tolerance": p["tolerance_pct"] / 100, "min_lines": p["min_lines"]}
        year = f"({run.dialect.month_key('d.period_start')} / 100)"
        expected = "(d.volume * t.amount)"
        off = f"(d.amount > {expected} * (1 + %(tolerance)s) OR d.amount < {expected} * (1 - %(tolerance)s))"
        sql = f"""
        WITH {parties_cte()}
        SELECT d.provider_id, COUNT(*) AS checked,
               SUM(CASE WHEN {off} THEN 1 ELSE 0 END) AS off_tariff,
               SUM(CASE WHEN {off} THEN d.amount - {expected} ELSE 0 END) AS difference,
               SUM(CASE WHEN {off} THEN d.amount ELSE 0 END) AS amount
        FROM {D} d
        JOIN {TARIFF} t ON t.authority_id = d.authority_id AND t.product_id = d.product_id AND t.year = {year}
        WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(start)s AND %(end)s
          AND d.provider_id IN (SELECT provider_id FROM parties)
        GROUP BY d.provider_id
        HAVING SUM(CASE WHEN {off} THEN 1 ELSE 0 END) >= %(min_lines)s
        """  # noqa: S608
        return sql, params

    def findings(self, run: RunContext, rows: list[dict[str, Any]]) -> list[Finding]:
        high = self.p(run)["high_amount"]
        result = []
        for row in rows:
            difference = float(row["difference"] or 0)
            share = float(row["off_tariff"]) * 100 / float(row["checked"])
            evidence = {
                "linesChecked": number(row["checked"], 0),
                "linesOffTariff": number(row["off_tariff"], 0),
                "sharePct": number(share, 1),
                "amount": number(row["amount"]),
                "difference": number(difference),
                "tolerancePct": number(self.p(run)["tolerance_pct"], 1),
                "period": period_label(run),
            }
            severity = SignalSeverity.HIGH if abs(difference) >= high else SignalSeverity.MEDIUM
            result.append(Finding(row["provider_id"], Decimal(str(round(share, 3))), severity, evidence))
        return result

    def explain(self, e: dict[str, Any]) -> str:
        return _(
            "In %(period)s %(off)s of %(checked)s declaration lines (%(share)s%%) differ more than %(tolerance)s%% "
            "from the contracted tariff: € %(difference)s more than the tariff in total."
        ) % {
            "period": e["period"],
            "off": show(e["linesOffTariff"]),
            "checked": show(e["linesChecked"]),
            "share": show(e["sharePct"], 1),
            "tolerance": show(e["tolerancePct"], 1),
            "difference": show(e["difference"], 2),
        }


CONTRACT_RULES = (
    ProductNotContracted(),
    DeclaredOutsideAgreementTerm(),
    TariffDeviation(),
    MunicipalityNotCovered(),
)
