"""Daily run of the contract calendar (cron / a scheduled task): expire the agreements whose term ended
(through the state machine, as the system, audited) and send the officers their calendar alarms.
Idempotent: running it twice on a day does nothing more."""

import datetime

from django.core.management.base import BaseCommand

from contracting.services import agreements_expire_ended
from workspace.services import calendar_alarms_send


class Command(BaseCommand):
    help = "Expire agreements whose term ended and send the calendar alarms."

    def add_arguments(self, parser):
        parser.add_argument("--no-alarms", action="store_true", help="Do not send alarm e-mails.")
        parser.add_argument(
            "--date", type=datetime.date.fromisoformat, default=None, help="Act as if today were this day."
        )

    def handle(self, *args, **options):
        today = options["date"]
        expired = agreements_expire_ended(today=today)
        sent = 0 if options["no_alarms"] else calendar_alarms_send(today=today)
        self.stdout.write(f"agreements_expired={expired} alarms_sent={sent}")
