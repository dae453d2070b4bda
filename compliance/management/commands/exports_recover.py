"""``manage.py exports_recover``: mark exports that were queued or running for longer than
``EXPORT_TIMEOUT_MINUTES`` as failed (audited), so that they can be started again. Hourly (SCHEDULED_JOBS)."""

from django.core.management.base import BaseCommand

from compliance.reports.services import exports_abandon_stuck


class Command(BaseCommand):
    help = "Mark stuck exports (worker or database connection died) as failed, so they can be restarted."

    def handle(self, *args, **options):
        self.stdout.write(f"exports_abandoned={exports_abandon_stuck()}")
