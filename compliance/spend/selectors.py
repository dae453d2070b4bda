"""Spend and depletion (budgetuitputting) of an authority's agreements, the warnings they raise, and the
waiting times and durations of care. Reads only; shared by the API, the workbook, the portal and the
officer's worklist.

A **depletion** is one budget ceiling of one year: the ceiling of an agreement for one participating
municipality (compared with the lines of that municipality), or the agreement's total ceiling (compared
with all its lines). Its months run January to December; a month counts as *known* once it is over
(``clock.today()``), and the forecasts use the known months only.
"""

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q

from compliance.models import AllocationLine, CareEvent, CareMessage, SpendWarningSetting, StopReason
from compliance.spend import forecast
from compliance.spend.figures import Key, MonthlyFigures, monthly_figures, roll_up
from contracting.models import Agreement, BudgetCeiling, ContractingAuthority, Lot
from core import clock


class WarningLevel:
    EXCEEDED = "ceiling_exceeded"
    THRESHOLD = "threshold_reached"
    FORECAST = "forecast_runs_out"


@dataclass
class Depletion:
    agreement: Agreement
    municipality: ContractingAuthority | None  # None: the agreement's total ceiling
    year: int
    ceiling: Decimal
    declared: list[Decimal]  # twelve months
    allocated: list[Decimal]
    last_year: list[Decimal]
    known_months: int
    lots: dict[int | None, Decimal] = field(default_factory=dict)  # declared in the year per lot
    linear: forecast.Forecast = forecast.Forecast(forecast.ForecastState.NO_DATA)
    seasonal: forecast.Forecast = forecast.Forecast(forecast.ForecastState.NO_DATA)
    warning: str | None = None

    @property
    def declared_total(self) -> Decimal:
        return sum(self.declared, Decimal(0))

    @property
    def allocated_total(self) -> Decimal:
        return sum(self.allocated, Decimal(0))

    @property
    def remaining(self) -> Decimal:
        return self.ceiling - self.declared_total

    @property
    def used_pct(self) -> Decimal | None:
        """Declared as a percentage of the ceiling (None for a ceiling of zero)."""
        if not self.ceiling:
            return None
        return (self.declared_total * 100 / self.ceiling).quantize(Decimal("0.1"))

    @property
    def cumulative(self) -> list[Decimal]:
        return forecast.cumulative(self.declared)

    @property
    def earliest_run_out(self) -> int | None:
        months = [m for m in (self.linear.runs_out_before, self.seasonal.runs_out_before) if m is not None]
        return min(months) if months else None


def known_months(year: int, today: datetime.date) -> int:
    if year < today.year:
        return 12
    if year > today.year:
        return 0
    return today.month - 1


def warning_setting(authority: ContractingAuthority) -> SpendWarningSetting:
    """The authority's own thresholds, else the default row (loaded by a migration)."""
    setting = SpendWarningSetting.objects.filter(Q(authority=authority) | Q(authority__isnull=True)).order_by(
        "authority_id"
    )
    found = list(setting)
    own = [s for s in found if s.authority_id == authority.pk]
    return (own or found)[0]


def warning_level(depletion: Depletion, setting: SpendWarningSetting) -> str | None:
    used = depletion.used_pct
    if used is not None and used >= setting.exceeded_pct:
        return WarningLevel.EXCEEDED
    if used is not None and used >= setting.warning_pct:
        return WarningLevel.THRESHOLD
    month = depletion.earliest_run_out
    if month is not None and month < setting.forecast_before_month:
        return WarningLevel.FORECAST
    return None


def depletion_list(
    authority: ContractingAuthority, year: int, *, agreements: Iterable[int] | None = None
) -> list[Depletion]:
    """Every budget ceiling of the authority's agreements for ``year`` with its spend and forecasts
    (``agreements``: only these agreement ids, e.g. a provider's own). Ordered by agreement, then the
    total ceiling before the municipalities by name."""
    ceilings = BudgetCeiling.objects.filter(agreement__authority=authority, year=year).select_related(
        "agreement", "agreement__provider", "agreement__coalition", "municipality"
    )
    if agreements is not None:
        ceilings = ceilings.filter(agreement_id__in=list(agreements))
    ceilings = list(ceilings)
    if not ceilings:
        return []
    figures = monthly_figures(authority.pk, year)
    setting = warning_setting(authority)
    known = known_months(year, clock.today())
    result = [_depletion(c, figures, known) for c in ceilings]
    for item in result:
        item.warning = warning_level(item, setting)
    result.sort(key=lambda d: (d.agreement.reference, d.municipality is not None, str(d.municipality or "")))
    return result


def _depletion(ceiling: BudgetCeiling, figures: MonthlyFigures, known: int) -> Depletion:
    agreement_id, municipality_id = ceiling.agreement_id, ceiling.municipality_id

    def mine(key: Key) -> bool:
        return key[0] == agreement_id and (municipality_id is None or key[1] == municipality_id)

    def total(amounts: dict[Key, list[Decimal]]) -> list[Decimal]:
        return roll_up({k: v for k, v in amounts.items() if mine(k)}, lambda k: 0).get(0, [Decimal(0)] * 12)

    declared = total(figures.declared)
    last_year = total(figures.declared_last_year)
    lots = {
        lot: sum(months, Decimal(0))
        for lot, months in roll_up(
            {k: v for k, v in figures.declared.items() if mine(k)}, lambda k: k[2]
        ).items()
    }
    return Depletion(
        agreement=ceiling.agreement,
        municipality=ceiling.municipality,
        year=ceiling.year,
        ceiling=ceiling.amount,
        declared=declared,
        allocated=total(figures.allocated),
        last_year=last_year,
        known_months=known,
        lots=lots,
        linear=forecast.linear(declared, known, ceiling.amount),
        seasonal=forecast.seasonal(declared, known, ceiling.amount, last_year),
    )


def depletion_warnings(
    authorities: Iterable[ContractingAuthority], year: int | None = None
) -> list[Depletion]:
    """The ceilings of the current year (or ``year``) that raise a warning, most urgent first: for the
    officer's worklist and the e-mail."""
    year = year or clock.today().year
    found = [d for authority in authorities for d in depletion_list(authority, year) if d.warning]
    order = {WarningLevel.EXCEEDED: 0, WarningLevel.THRESHOLD: 1, WarningLevel.FORECAST: 2}
    return sorted(found, key=lambda d: (order[d.warning], d.earliest_run_out or 13, d.agreement.reference))


def lot_names(depletions: Iterable[Depletion]) -> dict[int, str]:
    ids = {lot for d in depletions for lot in d.lots if lot is not None}
    return {lot.pk: str(lot) for lot in Lot.objects.filter(pk__in=ids)}


# --------------------------------------------------------------------------- waiting times and duration


@dataclass
class CareFigures:
    """Per provider, product category and municipality: waiting times (allocation start -> 305) and
    durations (305 -> 307) in days, and the stops by reason."""

    provider_id: int
    category_id: int
    municipality_id: int | None
    waiting_days: list[int] = field(default_factory=list)
    duration_days: list[int] = field(default_factory=list)
    stops: int = 0
    stops_planned: int = 0

    @property
    def waiting_median(self) -> float | None:
        return statistics.median(self.waiting_days) if self.waiting_days else None

    @property
    def waiting_p90(self) -> float | None:
        return percentile(self.waiting_days, 90)

    @property
    def duration_median(self) -> float | None:
        return statistics.median(self.duration_days) if self.duration_days else None

    @property
    def planned_pct(self) -> Decimal | None:
        if not self.stops:
            return None
        return (Decimal(self.stops_planned) * 100 / self.stops).quantize(Decimal("0.1"))


def percentile(values: list[int], pct: int) -> float | None:
    """The ``pct``-th percentile with linear interpolation between the closest ranks (as PostgreSQL's
    percentile_cont and a spreadsheet's PERCENTILE)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * pct / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def care_figures(
    authority: ContractingAuthority,
    start: datetime.date,
    end: datetime.date,
    *,
    providers: Iterable[int] | None = None,
) -> list[CareFigures]:
    """Starts of care in [start, end] with their waiting time from the allocation's first day, and stops
    of care in [start, end] with the duration from their start; grouped by provider, category and
    municipality (those of the allocation the message refers to)."""
    days_of = _days_sql()
    params: dict[str, Any] = {"authority": authority.pk, "start": start, "end": end, "s": CareMessage.START,
                              "t": CareMessage.STOP}  # fmt: skip
    provider_filter = ""
    if providers is not None:
        ids = list(providers) or [0]
        for i, pk in enumerate(ids):
            params[f"p{i}"] = pk
        provider_filter = f"AND a.provider_id IN ({', '.join(f'%(p{i})s' for i in range(len(ids)))})"
    planned = list(StopReason.objects.filter(planned=True).values_list("code", flat=True)) or [""]
    for i, code in enumerate(planned):
        params[f"r{i}"] = code
    planned_sql = ", ".join(f"%(r{i})s" for i in range(len(planned)))
    table_a, table_c = AllocationLine._meta.db_table, CareEvent._meta.db_table
    sql = f"""
        SELECT a.provider_id, a.category_id, a.municipality_id, 'w' AS kind, {days_of("a.period_start", "s.date")}
        FROM {table_a} a JOIN {table_c} s
          ON s.authority_id = a.authority_id AND s.allocation_number = a.allocation_number AND s.message = %(s)s
        WHERE a.authority_id = %(authority)s AND s.date BETWEEN %(start)s AND %(end)s {provider_filter}
        UNION ALL
        SELECT a.provider_id, a.category_id, a.municipality_id,
               CASE WHEN t.reason IN ({planned_sql}) THEN 'p' ELSE 'd' END, {days_of("s.date", "t.date")}
        FROM {table_a} a
        JOIN {table_c} t
          ON t.authority_id = a.authority_id AND t.allocation_number = a.allocation_number AND t.message = %(t)s
        LEFT JOIN {table_c} s
          ON s.authority_id = a.authority_id AND s.allocation_number = a.allocation_number AND s.message = %(s)s
        WHERE a.authority_id = %(authority)s AND t.date BETWEEN %(start)s AND %(end)s {provider_filter}
    """  # noqa: S608
    groups: dict[tuple, CareFigures] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for provider_id, category_id, municipality_id, kind, days in cursor.fetchall():
            key = (provider_id, category_id, municipality_id)
            item = groups.get(key)
            if item is None:
                item = groups[key] = CareFigures(provider_id, category_id, municipality_id)
            if kind == "w":
                if days is not None and days >= 0:
                    item.waiting_days.append(int(days))
                continue
            item.stops += 1
            item.stops_planned += kind == "p"
            if days is not None and days >= 0:
                item.duration_days.append(int(days))
    return sorted(groups.values(), key=lambda g: (g.provider_id, g.category_id, g.municipality_id or 0))


def _days_sql():
    postgres = connection.vendor == "postgresql"

    def days(start: str, end: str) -> str:
        return f"({end} - {start})" if postgres else f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"

    return days


def waiting_by_category(figures: Iterable[CareFigures]) -> dict[int, dict[str, Any]]:
    """Median and 90th percentile of the waiting days per product category over every provider and
    municipality (the council monitor's figure)."""
    pooled: dict[int, list[int]] = defaultdict(list)
    for item in figures:
        pooled[item.category_id].extend(item.waiting_days)
    return {
        category: {"starts": len(days), "median": statistics.median(days), "p90": percentile(days, 90)}
        for category, days in pooled.items()
        if days
    }
