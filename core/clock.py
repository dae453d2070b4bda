"""The one place that reads the time.

Every date and time the domain uses comes from here: ``now()`` (aware, UTC) and ``today()`` (the
calendar day in Europe/Amsterdam, the project's TIME_ZONE). Model defaults point at these functions,
so a date default follows the same clock as the code.

To move the clock (the demo seed's simulated history, tests that need a date) use ``travel()``. It
moves every clock the process can read (``time.time``, ``datetime.now``, so also Django's
``auto_now`` fields and session expiry) through time-machine, never by patching Django.
"""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

import time_machine

from django.utils import timezone


def now() -> datetime.datetime:
    """The current moment, timezone-aware."""
    return timezone.now()


def today() -> datetime.date:
    """Today's date in the project's time zone (Europe/Amsterdam)."""
    return timezone.localdate(now())


def localdate(moment: datetime.datetime) -> datetime.date:
    """The calendar day of ``moment`` in the project's time zone."""
    return timezone.localdate(moment)


def start_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment of ``day`` in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The last moment of ``day`` in the project's time zone: 'as of a date' includes the whole day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))


@contextmanager
def travel(moment: datetime.datetime | datetime.date, *, tick: bool = True) -> Iterator[object]:
    """Run the block as if the clock showed ``moment`` (a date means 12:00 local time that day).

    With ``tick`` the clock runs on from there (events keep their order); without it, it stands still.
    Yields the time-machine traveller, whose ``shift()`` and ``move_to()`` move it further.
    """
    if not isinstance(moment, datetime.datetime):
        moment = timezone.make_aware(datetime.datetime.combine(moment, datetime.time(12)))
    with time_machine.travel(moment, tick=tick) as traveller:
        yield traveller
