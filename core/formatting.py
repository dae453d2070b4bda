"""The one formatting layer: how amounts, percentages, numbers, dates and times reach a user.

Every surface (admin, portal, PDFs, e-mails, error messages, API ``detail`` texts) writes values
through these functions, never with an f-string of a Decimal or ``date.isoformat()``. They follow
the active language (nl by default: ``€ 1.234,56``, ``12,5%``, ``3 december 2026``, ``03-12-2026``,
``17:00`` in Europe/Amsterdam); ``None`` becomes a visible dash, never the word "None".

Workbooks keep numbers as numbers and use ``WORKBOOK_*`` number formats, so a spreadsheet can still
add them up while Excel/LibreOffice shows them in the reader's locale.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.translation import gettext as _

#: what a missing value looks like on every surface
MISSING = "–"

WORKBOOK_MONEY = '"€" #,##0.00'
WORKBOOK_PERCENT = "0.0##%"  # a fraction: 0.02345 shows as 2,345%
WORKBOOK_NUMBER = "#,##0.##"
WORKBOOK_DATE = "dd-mm-yyyy"
WORKBOOK_DATETIME = "dd-mm-yyyy hh:mm"


def _decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def number(value: object, places: int | None = None) -> str:
    """A number with grouping: ``1.234,5`` (``places`` fixes the decimals; None keeps them, trimmed)."""
    amount = _decimal(value)
    if amount is None:
        return MISSING
    if places is None:
        amount = amount.normalize() if amount == amount.to_integral() else amount
        text = format(amount, "f")
        places = len(text.split(".")[1]) if "." in text else 0
    return formats.number_format(amount, places, use_l10n=True, force_grouping=True)


def money(value: object, places: int = 2) -> str:
    """An amount in euros: ``€ 1.234,56`` (a non-breaking space keeps sign and amount together)."""
    amount = _decimal(value)
    if amount is None:
        return MISSING
    sign = "−" if amount < 0 else ""
    return f"{sign}€\u00a0{number(abs(amount), places)}"


def percent(value: object, places: int = 1, *, fraction: bool = False) -> str:
    """A percentage: ``12,5%``. ``value`` is in percent points unless ``fraction`` (0.125 → 12,5%)."""
    amount = _decimal(value)
    if amount is None:
        return MISSING
    if fraction:
        amount *= 100
    return f"{number(amount, places)}%"


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def date_long(value: datetime.date | datetime.datetime | None) -> str:
    """``3 december 2026``."""
    if value is None:
        return MISSING
    return formats.date_format(_as_date(value), "j F Y", use_l10n=True)


def date_short(value: datetime.date | datetime.datetime | None) -> str:
    """``03-12-2026``."""
    if value is None:
        return MISSING
    return formats.date_format(_as_date(value), "d-m-Y", use_l10n=True)


def month_year(value: datetime.date | None) -> str:
    """``december 2026``."""
    if value is None:
        return MISSING
    return formats.date_format(value, "F Y", use_l10n=True)


def time_local(value: datetime.datetime | None) -> str:
    """``17:00`` in Europe/Amsterdam."""
    if value is None:
        return MISSING
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return formats.time_format(moment, "H:i", use_l10n=True)


def datetime_local(value: datetime.datetime | None) -> str:
    """``3 december 2026 17:00`` in Europe/Amsterdam."""
    if value is None:
        return MISSING
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_long(moment.date())} {time_local(moment)}"


def datetime_short(value: datetime.datetime | None) -> str:
    """``03-12-2026 17:00`` in Europe/Amsterdam."""
    if value is None:
        return MISSING
    moment = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{date_short(moment.date())} {time_local(moment)}"


def period(start: datetime.date | None, end: datetime.date | None) -> str:
    """``1 januari 2026 t/m 31 december 2026`` (open end: ``vanaf 1 januari 2026``)."""
    if start is None and end is None:
        return MISSING
    if end is None:
        return _("from %(start)s") % {"start": date_long(start)}
    if start is None:
        return _("until %(end)s") % {"end": date_long(end)}
    return _("%(start)s to %(end)s") % {"start": date_long(start), "end": date_long(end)}


def yes_no(value: bool | None) -> str:
    if value is None:
        return MISSING
    return _("yes") if value else _("no")


def period_short(start: datetime.date | None, end: datetime.date | None) -> str:
    """A period the short way: a whole calendar year ``2025``, a whole month ``januari 2025``, a
    whole quarter ``K1 2025``, otherwise ``01-01-2025 – 15-03-2025``."""
    if start is None or end is None:
        return period(start, end) if (start or end) else MISSING
    next_day = end + datetime.timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        months = (next_day.year - start.year) * 12 + next_day.month - start.month
        if months == 12 and start.month == 1:
            return str(start.year)
        if months == 1:
            return month_year(start)
        if months == 3 and start.month in (1, 4, 7, 10):
            return _("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return f"{date_short(start)} – {date_short(end)}"
