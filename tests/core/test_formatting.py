import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from django.template import Context, Template
from django.utils import translation

from core import formatting


@pytest.fixture(autouse=True)
def dutch():
    with translation.override("nl"):
        yield


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("1234.56"), "€\u00a01.234,56"),
        (Decimal("31.93"), "€\u00a031,93"),
        (Decimal("33725175"), "€\u00a033.725.175,00"),
        (Decimal("-5.5"), "−€\u00a05,50"),
        (0, "€\u00a00,00"),
        (None, "–"),
    ],
)
def test_money_is_written_the_dutch_way(value, expected):
    assert formatting.money(value) == expected


def test_percent_and_number():
    assert formatting.percent(Decimal("12.5")) == "12,5%"
    assert formatting.percent(Decimal("0")) == "0,0%"
    assert formatting.percent(Decimal("3.944"), 3) == "3,944%"
    assert formatting.percent(Decimal("0.125"), fraction=True) == "12,5%"
    assert formatting.percent(None) == "–"
    assert formatting.number(Decimal("412.5")) == "412,5"
    assert formatting.number(Decimal("1234567")) == "1.234.567"
    assert formatting.number(Decimal("115700.00"), 2) == "115.700,00"


def test_dates_and_times_are_local_and_dutch():
    day = datetime.date(2026, 12, 3)
    assert formatting.date_long(day) == "3 december 2026"
    assert formatting.date_short(day) == "03-12-2026"
    assert formatting.month_year(day) == "december 2026"
    moment = datetime.datetime(2026, 12, 3, 16, 0, tzinfo=datetime.UTC)
    assert formatting.time_local(moment) == "17:00"
    assert formatting.datetime_local(moment) == "3 december 2026 17:00"
    assert formatting.datetime_short(moment) == "03-12-2026 17:00"
    late = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)
    assert formatting.date_short(late) == "04-12-2026"
    summer = datetime.datetime(2026, 7, 1, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert formatting.time_local(summer) == "12:00"
    assert formatting.period(day, None) == "vanaf 3 december 2026"
    assert formatting.period(datetime.date(2026, 1, 1), day) == "1 januari 2026 t/m 3 december 2026"


def test_english_is_available():
    with translation.override("en"):
        assert formatting.money(Decimal("1234.56")) == "€\u00a01,234.56"
        assert formatting.date_long(datetime.date(2026, 12, 3)) == "3 December 2026"


def test_template_filters():
    rendered = Template("{% load nl %}{{ a|money }} {{ p|percent }} {{ d|date_long }} {{ n|yes_no }}").render(
        Context({"a": Decimal("1234.5"), "p": Decimal("4.7"), "d": datetime.date(2026, 3, 1), "n": None})
    )
    assert rendered == "€\u00a01.234,50 4,7% 1 maart 2026 –"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), "2025"),
        (datetime.date(2025, 1, 1), datetime.date(2025, 1, 31), "januari 2025"),
        (datetime.date(2025, 4, 1), datetime.date(2025, 6, 30), "K2 2025"),
        (datetime.date(2025, 1, 10), datetime.date(2025, 3, 15), "10-01-2025 – 15-03-2025"),
    ],
)
def test_a_period_the_short_way(start, end, expected):
    with translation.override("nl"):
        assert formatting.period_short(start, end) == expected
