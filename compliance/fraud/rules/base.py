"""The shared machinery of the fraud rules: the SQL dialect, a rule's parameters, one run's context,
the ``Rule`` base class and its findings, and helpers for evidence and explanations.

Table names are taken from the models, so the rules' SQL follows a renamed table.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import formats

from audit.models import AuditEvent
from compliance.models import (
    AccountabilityDocument,
    AllocationLine,
    DeclarationLine,
    ProviderAnnualFigures,
)
from contracting.models import BoardMember, ProductCategory, Provider, Unit, WntNorm
from core import clock, formatting

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


def show_date(value: str | None) -> str:
    """A date stored in the evidence (ISO, as data) for an explanation: ``02-03-2025``."""
    return formatting.date_short(datetime.date.fromisoformat(value)) if value else formatting.MISSING


def period_label(run: "RunContext") -> str:
    return f"{formatting.date_short(run.period_start)} – {formatting.date_short(run.period_end)}"


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


def revenue_cte() -> str:
    """A ``revenue`` CTE: per provider the declared amount in the period and in the year before it."""
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
