"""Pure date rules of document requirements: periods, due dates and validity. No database, no clock."""

import datetime
from dataclasses import dataclass

from core.dates import add_months

ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    key: str  # "" (once), "2025" (yearly), "2025-Q2" (quarterly)
    start: datetime.date | None
    end: datetime.date | None


def period_containing(recurrence: str, day: datetime.date) -> Period:
    if recurrence == "yearly":
        return Period(str(day.year), datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31))
    if recurrence == "quarterly":
        quarter = (day.month - 1) // 3
        start = datetime.date(day.year, quarter * 3 + 1, 1)
        return Period(f"{day.year}-Q{quarter + 1}", start, add_months(start, 3) - ONE_DAY)
    return Period("", None, None)


def periods_between(recurrence: str, first: datetime.date, last: datetime.date) -> list[Period]:
    """The periods of a recurrence that overlap [first, last], oldest first."""
    if recurrence == "once" or first > last:
        return []
    periods, period = [], period_containing(recurrence, first)
    while period.start <= last:
        periods.append(period)
        period = period_containing(recurrence, period.end + ONE_DAY)
    return periods


def next_day_month(after: datetime.date, month: int, day: int, *, inclusive: bool) -> datetime.date:
    """The first date with this day and month on (inclusive) or after ``after``; 29 February falls back
    to the 28th in other years."""
    for year in (after.year, after.year + 1):
        candidate = _date(year, month, day)
        if candidate > after or (inclusive and candidate == after):
            return candidate
    raise AssertionError("unreachable")


def _date(year: int, month: int, day: int) -> datetime.date:
    for d in (day, 30, 29, 28):
        try:
            return datetime.date(year, month, d)
        except ValueError:
            continue
    raise ValueError((year, month, day))


def due_date(
    *,
    rule: str,
    due_days: int,
    due_day: int | None,
    due_month: int | None,
    period: Period,
    anchor: datetime.date,
) -> datetime.date:
    """When a document is due. For a period: after its end; for a one-off document: after ``anchor``
    (the day the obligation started)."""
    if period.end is None:
        if rule == "fixed_date":
            return next_day_month(anchor, due_month, due_day, inclusive=True)
        return anchor + datetime.timedelta(days=due_days)
    if rule == "fixed_date":
        return next_day_month(period.end, due_month, due_day, inclusive=False)
    return period.end + datetime.timedelta(days=due_days)


def validity(
    *,
    validity_months: int | None,
    accepted_on: datetime.date,
    issued_on: datetime.date | None,
    period_end: datetime.date | None,
) -> tuple[datetime.date, datetime.date | None]:
    """(valid_from, valid_until) of an accepted document: it counts from its acceptance; for as many
    months as its type says, counted from the date of the document when known (a KvK extract is valid
    for 6 months from its date), else from the acceptance; a type without a validity counts until the
    end of its period (or indefinitely for a one-off document)."""
    if validity_months:
        base = issued_on or accepted_on
        return accepted_on, add_months(base, validity_months) - ONE_DAY
    return accepted_on, period_end


def oldest_allowed_issue_date(max_age_months: int, received_on: datetime.date) -> datetime.date:
    return add_months(received_on, -max_age_months)
