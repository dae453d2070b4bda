"""Daily run of the document flow (cron / a scheduled task): request the documents the requirements
call for, expire accepted documents whose validity ended (their conditions are re-evaluated), delete
orphan files and send the reminder digests. Idempotent: running it twice does nothing more."""

import datetime

from django.core.management.base import BaseCommand

from compliance.documents.reminders import document_reminders_send
from compliance.documents.services import (
    document_files_sweep,
    document_generate_requests,
    documents_expire_lapsed,
)


class Command(BaseCommand):
    help = "Request due documents, expire lapsed ones, sweep orphan files and send reminder e-mails."

    def add_arguments(self, parser):
        parser.add_argument("--no-reminders", action="store_true", help="Do not send reminder e-mails.")
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, default=None, help="Act as if today were this day."
        )

    def handle(self, *args, **options):
        today = options["date"]
        requested = document_generate_requests(today=today)
        expired = documents_expire_lapsed(today=today)
        swept = document_files_sweep()
        sent = 0 if options["no_reminders"] else document_reminders_send(today=today)
        self.stdout.write(
            f"documents requested={requested} expired={expired} orphan_files_deleted={swept} "
            f"reminders_sent={sent}"
        )
