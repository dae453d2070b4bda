"""Send today's reminder digests about documents (before the due date, overdue, rejected): at most one
e-mail per provider user per day, never the same item twice. Safe to run more than once."""

import datetime

from django.core.management.base import BaseCommand

from compliance.documents.reminders import document_reminders_send


class Command(BaseCommand):
    help = "Send the daily reminder e-mails about accountability documents (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, default=None, help="Act as if today were this day."
        )

    def handle(self, *args, **options):
        sent = document_reminders_send(today=options["date"])
        self.stdout.write(f"reminders_sent={sent}")
