"""core/clock.py is the only reader of the time; the clock is moved with clock.travel, never by patching."""

import datetime
import pathlib
import re

import pytest

from core import clock

ROOT = pathlib.Path(__file__).resolve().parents[2]
CODE = [
    "accounts",
    "api",
    "audit",
    "coalitions",
    "compliance",
    "config",
    "contracting",
    "core",
    "devtools",
    "portal",
    "tests",
]
READS = re.compile(
    r"timezone\.now\(|timezone\.localdate\(|date\.today\(|datetime\.now\(|datetime\.utcnow\(|(?<![\w.])time\.time\("
)
PATCHES = re.compile(r"patch\(\s*[\"']django\.utils\.timezone|patch\.object\(\s*timezone")


def python_files():
    for folder in CODE:
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts and path != ROOT / "core" / "clock.py":
                yield path


def test_the_code_base_has_python_files_to_check():
    assert sum(1 for _ in python_files()) > 100


@pytest.mark.parametrize("pattern", [READS, PATCHES], ids=["reads the time", "patches Django's clock"])
def test_only_the_clock_reads_the_time(pattern):
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files()
        if path != pathlib.Path(__file__)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_travel_moves_today_and_now_and_stops_when_asked():
    with clock.travel(datetime.date(2031, 2, 28), tick=False):
        assert clock.today() == datetime.date(2031, 2, 28)
        assert clock.localdate(clock.now()) == datetime.date(2031, 2, 28)
        assert clock.now() == clock.now()  # frozen


def test_today_is_the_amsterdam_day_not_the_utc_day():
    # 23:30 UTC on 31 December is already 1 January in Amsterdam
    with clock.travel(datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC), tick=False):
        assert clock.today() == datetime.date(2027, 1, 1)


def test_end_of_day_includes_the_whole_local_day():
    end = clock.end_of_day(datetime.date(2026, 6, 1))
    assert clock.localdate(end) == datetime.date(2026, 6, 1)
    assert clock.localdate(end + datetime.timedelta(microseconds=1)) == datetime.date(2026, 6, 2)
