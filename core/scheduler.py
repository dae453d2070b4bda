"""The scheduler: runs the daily and hourly jobs (``SCHEDULED_JOBS``: management commands) exactly once
per period, however many app servers run ``manage.py run_scheduler``.

A run claims its period by inserting the unique (job, period) row of ``ScheduledRun``; a server that
loses the race skips the job. A run whose server died (no ``finished_at`` after ``SCHEDULER_LEASE_MINUTES``)
is taken over by the next server (the jobs are idempotent, so running one again is safe). The rows are
the record of what ran, when, where and with what outcome."""

import datetime
import io
import logging
import socket
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from core import clock
from core.models import ScheduledRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    command: str
    every: str  # "hour" or "day"
    at: int = 0  # the minute of the hour (hourly) or the hour of the day (daily), local time
    args: tuple[str, ...] = ()

    def period(self, moment: datetime.datetime) -> str | None:
        """The period ``moment`` falls in, once the job is due in it (else None)."""
        local = timezone.localtime(moment)
        if self.every == "hour":
            return f"{local:%Y-%m-%dT%H}" if local.minute >= self.at else None
        if self.every == "day":
            return f"{local:%Y-%m-%d}" if local.hour >= self.at else None
        raise ValueError(f"unknown period {self.every!r} of job {self.name}")


def jobs() -> list[Job]:
    configured: list[dict[str, Any]] = settings.SCHEDULED_JOBS
    return [
        Job(
            name=str(j["name"]),
            command=str(j["command"]),
            every=str(j["every"]),
            at=int(j.get("at", 0)),
            args=tuple(str(a) for a in j.get("args", ())),
        )
        for j in configured
    ]


def _claim(job: Job, period: str, now: datetime.datetime) -> ScheduledRun | None:
    host = socket.gethostname()[:100]
    try:
        with transaction.atomic():
            return ScheduledRun.objects.create(job=job.name, period=period, started_at=now, host=host)
    except IntegrityError:
        pass
    lease = now - datetime.timedelta(minutes=settings.SCHEDULER_LEASE_MINUTES)
    with transaction.atomic():
        run = ScheduledRun.objects.select_for_update().get(job=job.name, period=period)
        if run.outcome != ScheduledRun.Outcome.RUNNING or run.started_at >= lease:
            return None  # done, failed (an officer looks at it), or still running elsewhere
        run.started_at, run.host, run.attempts = now, host, run.attempts + 1
        run.save(update_fields=["started_at", "host", "attempts"])
        logger.warning("scheduler_takeover job=%s period=%s attempt=%s", job.name, period, run.attempts)
        return run


def run_due(now: datetime.datetime | None = None) -> list[ScheduledRun]:
    """Run every job that is due now and not yet run (or claimed) for its period. Returns the runs made."""
    now = now or clock.now()
    made = []
    for job in jobs():
        period = job.period(now)
        if period is None:
            continue
        run = _claim(job, period, now)
        if run is None:
            continue
        out = io.StringIO()
        try:
            call_command(job.command, *job.args, stdout=out, stderr=out)
        except Exception:  # recorded on the run and logged; the other jobs still run
            logger.exception("scheduler_job_failed job=%s period=%s", job.name, period)
            run.outcome = ScheduledRun.Outcome.FAILED
        else:
            run.outcome = ScheduledRun.Outcome.DONE
        run.finished_at, run.output = clock.now(), out.getvalue()[-5000:]
        run.save(update_fields=["outcome", "finished_at", "output"])
        logger.info("scheduler_job job=%s period=%s outcome=%s", job.name, period, run.outcome)
        made.append(run)
    return made
