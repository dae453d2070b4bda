"""When does a budget ceiling run out? Two forecasts from the declared amounts per month (pure functions:
amounts in, month numbers out; no database, no clock).

- **linear**: the average of the months known so far continues for the rest of the year;
- **seasonal**: the rest of the year follows last year's profile (each month's share of last year's
  declarations), scaled to what was declared so far this year.

A month is 1-12; ``None`` means the ceiling does not run out within the year. A forecast that cannot be
made says why (``ForecastState``), never silently falls back to the other one.
"""

from dataclasses import dataclass
from decimal import Decimal

MONTHS = 12


class ForecastState:
    RUNS_OUT = "runs_out"  # month: the first month at the end of which the ceiling is used up
    WITHIN = "within_ceiling"  # the year ends within the ceiling
    EXCEEDED = "exceeded"  # already used up (month: the month it happened)
    NO_DATA = "no_data"  # no month of the year is complete yet
    NO_PROFILE = "no_profile"  # seasonal: nothing declared last year (or not up to this point of it)
    NO_CEILING = "no_ceiling"


@dataclass(frozen=True)
class Forecast:
    state: str
    month: int | None = None

    @property
    def runs_out_before(self) -> int | None:
        """The month the ceiling is used up within the year, or None."""
        return self.month if self.state in (ForecastState.RUNS_OUT, ForecastState.EXCEEDED) else None


def cumulative(months: list[Decimal]) -> list[Decimal]:
    total = Decimal(0)
    result = []
    for amount in months:
        total += amount
        result.append(total)
    return result


def _exceeded(declared: list[Decimal], known: int, ceiling: Decimal) -> Forecast | None:
    for month, total in enumerate(cumulative(declared[:known]), start=1):
        if total >= ceiling:
            return Forecast(ForecastState.EXCEEDED, month)
    return None


def linear(declared: list[Decimal], known: int, ceiling: Decimal | None) -> Forecast:
    """``declared``: twelve monthly amounts; ``known``: how many months (from January) are complete."""
    if ceiling is None:
        return Forecast(ForecastState.NO_CEILING)
    done = _exceeded(declared, known, ceiling)
    if done is not None:
        return done
    if known == 0:
        return Forecast(ForecastState.NO_DATA)
    so_far = sum(declared[:known], Decimal(0))
    for month in range(known + 1, MONTHS + 1):
        if so_far * month / known >= ceiling:  # multiplied before dividing: exact for whole months
            return Forecast(ForecastState.RUNS_OUT, month)
    return Forecast(ForecastState.WITHIN)


def seasonal(
    declared: list[Decimal], known: int, ceiling: Decimal | None, last_year: list[Decimal]
) -> Forecast:
    """Like ``linear``, but the months to come follow last year's monthly profile."""
    if ceiling is None:
        return Forecast(ForecastState.NO_CEILING)
    done = _exceeded(declared, known, ceiling)
    if done is not None:
        return done
    if known == 0:
        return Forecast(ForecastState.NO_DATA)
    profile = cumulative(last_year)
    if profile[known - 1] <= 0:
        return Forecast(ForecastState.NO_PROFILE)
    so_far = sum(declared[:known], Decimal(0))
    for month in range(known + 1, MONTHS + 1):
        if profile[month - 1] * so_far / profile[known - 1] >= ceiling:
            return Forecast(ForecastState.RUNS_OUT, month)
    return Forecast(ForecastState.WITHIN)
