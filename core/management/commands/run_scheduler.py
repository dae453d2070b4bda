"""``manage.py run_scheduler``: runs the jobs of ``SCHEDULED_JOBS`` once per period (see core.scheduler).
Start it on every app server (it loops), or call it with ``--once`` from cron every few minutes."""

import time

from django.core.management.base import BaseCommand

from core.scheduler import run_due


class Command(BaseCommand):
    help = "Run the daily and hourly jobs that are due, once per period across all servers."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run what is due now and stop.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between two looks (loop).")

    def handle(self, *args, **options):
        while True:
            for run in run_due():
                self.stdout.write(f"{run.job} {run.period}: {run.get_outcome_display()}")
            if options["once"]:
                return
            time.sleep(options["interval"])
