"""Spend per agreement × municipality × lot × month, in the database (one aggregation per kind of line, no
loop over lines in Python).

How a line finds its agreement and lot:

- **agreement**: an agreement of the line's authority with the line's provider (or with a coalition the
  provider is a member of) whose term (start to end date) holds the start of the line's period, in any
  state after the offer (active, suspended, terminating, ended, expired);
- **lot**: the lot of that agreement's sub-agreements whose products include the line's product; a line
  without a product code, or with a product in none of the lots, has no lot (``None``: *lot not
  determined*);
- **municipality**: the line's own (see docs/import-format.md); ``None`` is *municipality not given*.

**Declared** is the sum of the declared amounts by the month in which a line's period starts. **Allocated**
is each allocation's amount spread over its period by days: its budget when the file gave one, else its
allocated volume times the authority's tariff of the product for the year of each month; an allocation
without either has no amount and is counted in ``allocations_without_amount``.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils.translation import gettext_lazy

from coalitions.models import Membership
from compliance.fraud.rules.base import Dialect
from compliance.fraud.rules.contract import parties_cte
from compliance.models import AllocationLine, DeclarationLine
from contracting.models import Agreement, AgreementStatus, Lot, SubAgreement, Tariff

D = DeclarationLine._meta.db_table
A = AllocationLine._meta.db_table
AGREEMENT = Agreement._meta.db_table
MEMBERSHIP = Membership._meta.db_table
SUB = SubAgreement._meta.db_table
LOT_PRODUCTS = Lot.products.through._meta.db_table
TARIFF = Tariff._meta.db_table
COUNTED_STATES = (
    AgreementStatus.ACTIVE,
    AgreementStatus.SUSPENDED,
    AgreementStatus.TERMINATING,
    AgreementStatus.ENDED,
    AgreementStatus.EXPIRED,
)
CENT = Decimal("0.01")

Key = tuple[int, int | None, int | None]  # agreement, municipality, lot


@dataclass
class MonthlyFigures:
    """Per (agreement, municipality, lot): twelve monthly amounts of ``year`` and of the year before."""

    year: int
    declared: dict[Key, list[Decimal]] = field(default_factory=dict)
    declared_last_year: dict[Key, list[Decimal]] = field(default_factory=dict)
    allocated: dict[Key, list[Decimal]] = field(default_factory=dict)
    allocations_without_amount: int = 0


def _months() -> list[Decimal]:
    return [Decimal(0)] * 12


def _amount(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(CENT) if value is not None else Decimal(0)


def _parties_and_lots(params: dict[str, Any]) -> str:
    return parties_cte()


def declared_by_month(authority_id: int, year: int, dialect: Dialect) -> dict[tuple[Key, int], Decimal]:
    """(key, YYYYMM) -> declared amount, for ``year`` and the year before."""
    params: dict[str, Any] = {
        "authority": authority_id,
        "first": datetime.date(year - 1, 1, 1),
        "last": datetime.date(year, 12, 31),
    }
    sql = f"""
        WITH {_parties_and_lots(params)}
        SELECT p.agreement_id, d.municipality_id, l.lot_id, {dialect.month_key("d.period_start")} AS month_key,
               SUM(d.amount) AS amount
        FROM {D} d
        JOIN parties p ON p.provider_id = d.provider_id
                      AND d.period_start >= p.start_date AND d.period_start <= p.end_date
        LEFT JOIN lots l ON l.agreement_id = p.agreement_id AND l.product_id = d.product_id
        WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(first)s AND %(last)s
        GROUP BY p.agreement_id, d.municipality_id, l.lot_id, {dialect.month_key("d.period_start")}
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {((a, m, lot), int(month)): _amount(amount) for a, m, lot, month, amount in cursor.fetchall()}


def declared_per_agreement(
    authority_id: int, first: datetime.date, last: datetime.date, agreement_ids: list[int] | None = None
) -> dict[int, Decimal]:
    """agreement -> declared amount of the lines whose period starts from ``first`` to ``last``, found by
    the same rule as the monthly figures (the agreement's parties and term); only ``agreement_ids`` when
    given (a relationship page needs a few of the authority's thousands)."""
    params: dict[str, Any] = {"authority": authority_id, "first": first, "last": last}
    only = ""
    if agreement_ids is not None:
        # integers from the database, written into the statement (SQLite has no array parameter)
        only = f"AND p.agreement_id IN ({', '.join(str(int(pk)) for pk in agreement_ids) or 'NULL'})"
    sql = f"""
        WITH {_parties_and_lots(params)}
        SELECT p.agreement_id, SUM(d.amount) AS amount
        FROM {D} d
        JOIN parties p ON p.provider_id = d.provider_id
                      AND d.period_start >= p.start_date AND d.period_start <= p.end_date
        WHERE d.authority_id = %(authority)s AND d.period_start BETWEEN %(first)s AND %(last)s {only}
        GROUP BY p.agreement_id
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {agreement_id: _amount(amount) for agreement_id, amount in cursor.fetchall()}


SPEND_NOTE = gettext_lazy(
    "Spend: the amounts declared to this authority for periods starting in the report period and within "
    "the agreement's term, by the agreement's provider (or the coalition's members)."
)


def spend_per_agreement(
    agreements: list[Agreement], first: datetime.date, last: datetime.date
) -> dict[int, Decimal]:
    """Spend of each agreement from ``first`` to ``last`` (see ``SPEND_NOTE``), one query per authority;
    an agreement without declared lines is absent."""
    wanted = {a.pk for a in agreements}
    spend: dict[int, Decimal] = {}
    for authority_id in sorted({a.authority_id for a in agreements}):
        ids = sorted(a.pk for a in agreements if a.authority_id == authority_id)
        for agreement_id, amount in declared_per_agreement(authority_id, first, last, ids).items():
            if agreement_id in wanted:
                spend[agreement_id] = amount
    return spend


def allocated_by_month(
    authority_id: int, year: int, dialect: Dialect
) -> tuple[dict[tuple[Key, int], Decimal], int]:
    """(key, YYYYMM) -> allocated amount in that month of ``year``; and the number of allocations in the
    year without a budget or a tariff (no amount)."""
    params: dict[str, Any] = {
        "authority": authority_id,
        "first": datetime.date(year, 1, 1),
        "last": datetime.date(year, 12, 31),
        "year": year,
    }
    cast = "::date" if dialect.postgres else ""
    rows = []
    for month in range(1, 13):
        params[f"f{month}"] = datetime.date(year, month, 1)
        params[f"l{month}"] = datetime.date(year, month, calendar.monthrange(year, month)[1])
        rows.append(
            f"SELECT {year * 100 + month} AS month_key, %(f{month})s{cast} AS first_day, %(l{month})s{cast} AS last_day"
        )
    months = " UNION ALL ".join(rows)
    overlap = dialect.days(
        dialect.greatest("al.period_start", "mo.first_day"), dialect.least("al.period_end", "mo.last_day")
    )
    length = dialect.days("al.period_start", "al.period_end")
    amount = "COALESCE(al.budget, al.total_volume * t.amount)"
    sql = f"""
        WITH {_parties_and_lots(params)},
        months AS ({months})
        SELECT p.agreement_id, al.municipality_id, l.lot_id, mo.month_key,
               SUM({amount} * ({overlap} + 1) / ({length} + 1)) AS amount
        FROM {A} al
        JOIN parties p ON p.provider_id = al.provider_id
                      AND al.period_start >= p.start_date AND al.period_start <= p.end_date
        JOIN months mo ON al.period_start <= mo.last_day AND al.period_end >= mo.first_day
        LEFT JOIN {TARIFF} t ON t.authority_id = al.authority_id AND t.product_id = al.product_id
                            AND t.year = %(year)s
        LEFT JOIN lots l ON l.agreement_id = p.agreement_id AND l.product_id = al.product_id
        WHERE al.authority_id = %(authority)s AND al.period_start <= %(last)s AND al.period_end >= %(first)s
        GROUP BY p.agreement_id, al.municipality_id, l.lot_id, mo.month_key
    """  # noqa: S608
    missing_sql = f"""
        SELECT COUNT(*) FROM {A} al
        LEFT JOIN {TARIFF} t ON t.authority_id = al.authority_id AND t.product_id = al.product_id
                            AND t.year = %(year)s
        WHERE al.authority_id = %(authority)s AND al.period_start <= %(last)s AND al.period_end >= %(first)s
          AND al.budget IS NULL AND t.amount IS NULL
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = {((a, m, lot), int(month)): _amount(value) for a, m, lot, month, value in cursor.fetchall()}
        cursor.execute(missing_sql, params)
        missing = cursor.fetchone()[0]
    return result, missing


def monthly_figures(authority_id: int, year: int) -> MonthlyFigures:
    dialect = Dialect(connection.vendor)
    figures = MonthlyFigures(year)
    for (key, month_key), amount in declared_by_month(authority_id, year, dialect).items():
        target = figures.declared if month_key // 100 == year else figures.declared_last_year
        target.setdefault(key, _months())[month_key % 100 - 1] += amount
    allocated, figures.allocations_without_amount = allocated_by_month(authority_id, year, dialect)
    for (key, month_key), amount in allocated.items():
        figures.allocated.setdefault(key, _months())[month_key % 100 - 1] += amount
    return figures


def roll_up(amounts: dict[Key, list[Decimal]], level) -> dict[Any, list[Decimal]]:
    """Sum twelve-month series over the keys that ``level(key)`` maps to the same value."""
    result: dict[Any, list[Decimal]] = defaultdict(_months)
    for key, months in amounts.items():
        target = result[level(key)]
        for i, amount in enumerate(months):
            target[i] += amount
    return dict(result)
