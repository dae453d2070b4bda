import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Every domain row: an integer pk for joins, a uuid for the outside world, timestamps."""

    uuid = models.UUIDField(_("uuid"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScheduledRun(models.Model):
    """One run of a scheduled job for one period (an hour or a day). The unique (job, period) row is the
    lock that makes a job run once per period across every app server that runs the scheduler."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=60)
    period = models.CharField(_("period"), max_length=20, help_text=_("The hour or day the run is for."))
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.RUNNING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=1)
    host = models.CharField(_("host"), max_length=100, blank=True)
    output = models.TextField(_("output"), blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="one_run_per_job_and_period")]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"
