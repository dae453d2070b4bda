"""manage.py run_fraud_rules --period 2025-01..2025-12 [--authority X] [--rule CODE ...] [--background]

Runs the fraud rules set-based in the database for one authority (or every authority with production
data) and upserts the signals: a second run with the same data changes nothing.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from compliance.fraud.cli import authority_from
from compliance.fraud.engine import fraud_rules_run, parse_period
from compliance.fraud.rules import RULES
from compliance.fraud.tasks import run_fraud_rules_task
from contracting.models import ContractingAuthority
from core.exceptions import DomainError


class Command(BaseCommand):
    help = "Run the fraud signal rules for a period."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", required=True, help="e.g. 2025-01..2025-12, 2025-01-01..2025-06-30 or 2025"
        )
        parser.add_argument("--authority", help="uuid, CBS code or name (default: every authority with data)")
        parser.add_argument(
            "--rule", action="append", choices=sorted(RULES), help="only this rule (repeatable)"
        )
        parser.add_argument("--background", action="store_true", help="enqueue a task per authority instead")

    def handle(self, *args, **options):
        try:
            start, end = parse_period(options["period"])
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        if options["authority"]:
            authorities = [authority_from(options["authority"])]
        else:
            authorities = list(ContractingAuthority.objects.filter(import_batches__isnull=False).distinct())
            if not authorities:
                raise CommandError("No authority has production data; import some first.")
        for authority in authorities:
            if options["background"]:
                if options["rule"]:
                    raise CommandError("--rule cannot be combined with --background.")
                run_fraud_rules_task.enqueue(
                    authority_id=authority.pk, period_start=start.isoformat(), period_end=end.isoformat()
                )
                self.stdout.write(f"{authority}: rule run for {start}..{end} enqueued.")
                continue
            started = time.monotonic()
            try:
                summary = fraud_rules_run(
                    authority=authority, period_start=start, period_end=end, rules=options["rule"]
                )
            except DomainError as exc:
                raise CommandError(exc.detail) from exc
            timings = ", ".join(f"{k} {v:.2f}s" for k, v in summary.seconds.items())
            self.stdout.write(
                f"{authority} {start}..{end}: {len(summary.rules)} rules, {summary.created} new, "
                f"{summary.updated} updated, {summary.unchanged} unchanged, {summary.withdrawn} withdrawn "
                f"signals in {time.monotonic() - started:.2f}s ({timings})."
            )
