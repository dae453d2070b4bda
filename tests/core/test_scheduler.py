"""The scheduler runs each due job once per period, across servers; a dead server's run is taken over."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from django.core.management import call_command

from core import clock
from core.models import ScheduledRun
from core.scheduler import run_due

AMS = ZoneInfo("Europe/Amsterdam")
JOBS = [
    {"name": "hourly", "command": "check", "every": "hour", "at": 5},
    {"name": "daily", "command": "check", "every": "day", "at": 3},
]


@pytest.fixture
def jobs(settings):
    settings.SCHEDULED_JOBS = JOBS
    settings.SCHEDULER_LEASE_MINUTES = 60


@pytest.mark.django_db
def test_a_job_runs_once_per_period_however_often_the_scheduler_looks(jobs):
    # given 03:10 local time: the hourly job (from minute 5) and the daily job (from 03:00) are due
    moment = datetime.datetime(2026, 12, 5, 3, 10, tzinfo=AMS)
    # when two servers look at the same moment, and again a minute later
    first = run_due(moment)
    second = run_due(moment)
    third = run_due(moment + datetime.timedelta(minutes=1))
    # then each job ran once, for its own period
    assert sorted((r.job, r.period) for r in first) == [("daily", "2026-12-05"), ("hourly", "2026-12-05T03")]
    assert second == [] and third == []
    assert ScheduledRun.objects.filter(outcome=ScheduledRun.Outcome.DONE).count() == 2


@pytest.mark.django_db
def test_jobs_wait_for_their_hour_and_minute(jobs):
    # at 02:04 neither is due; at 04:07 the hourly job runs for 04:00 and the daily job for the day
    assert run_due(datetime.datetime(2026, 12, 5, 2, 4, tzinfo=AMS)) == []
    runs = run_due(datetime.datetime(2026, 12, 5, 4, 7, tzinfo=AMS))
    assert sorted(r.period for r in runs) == ["2026-12-05", "2026-12-05T04"]


@pytest.mark.django_db
def test_a_run_whose_server_died_is_taken_over_after_the_lease(jobs):
    # given a daily run claimed at 03:00 by a server that died (never finished)
    moment = datetime.datetime(2026, 12, 5, 3, 0, tzinfo=AMS)
    ScheduledRun.objects.create(job="daily", period="2026-12-05", started_at=moment, host="dead")
    ScheduledRun.objects.create(job="hourly", period="2026-12-05T03", started_at=moment, host="dead")
    # when: within the lease nothing happens; after it, another server takes the daily run over
    assert [r.job for r in run_due(moment + datetime.timedelta(minutes=30))] == []
    later = moment + datetime.timedelta(minutes=66)  # 04:06
    taken = {r.job: r for r in run_due(later)}
    # then
    assert taken["daily"].outcome == ScheduledRun.Outcome.DONE and taken["daily"].attempts == 2
    assert "hourly" in taken and taken["hourly"].period == "2026-12-05T04"


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_the_others_still_run(settings):
    settings.SCHEDULED_JOBS = [
        {"name": "broken", "command": "no_such_command", "every": "day", "at": 0},
        {"name": "fine", "command": "check", "every": "day", "at": 0},
    ]
    runs = {r.job: r for r in run_due(datetime.datetime(2026, 12, 5, 1, 0, tzinfo=AMS))}
    assert runs["broken"].outcome == ScheduledRun.Outcome.FAILED
    assert runs["fine"].outcome == ScheduledRun.Outcome.DONE


@pytest.mark.django_db
def test_the_command_runs_what_is_due_on_the_one_clock(jobs, capsys):
    with clock.travel(datetime.datetime(2026, 12, 5, 3, 30, tzinfo=AMS)):
        call_command("run_scheduler", "--once")
    assert ScheduledRun.objects.count() == 2


def test_every_configured_job_is_a_command(settings):
    from django.core.management import get_commands

    assert {job["command"] for job in settings.SCHEDULED_JOBS} <= set(get_commands())
