"""``manage.py verify_audit_trail [--anchor EVENTS:HASH ...] [--anchor-file FILE ...]``

Checks every link of the hash chain, the head of the chain (number of events, newest event, signature)
and the anchors: the daily ones (the AuditAnchor table and AUDIT_ANCHOR_FILE) and those given here, e.g.
the head printed in an export (``--anchor-file report.pdf``) or copied from one (``--anchor 1234:<hash>``).
An anchor that holds proves the trail up to its position is the trail the export was made from. Exits
non-zero with every problem found, each with its code (audit.services.PROBLEMS)."""

from django.core.management.base import BaseCommand, CommandError

from audit.anchors import Anchor, anchor_from_argument, anchors_from_file
from audit.services import verify_trail

SHOWN = 50  # problems listed; the rest are counted


class Command(BaseCommand):
    help = (
        "Verify the audit trail: the hash chain, its head and the anchors (daily anchors and those given); "
        "lists every problem and exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="EVENTS:HASH",
            help="An anchor printed in an export (<number of events>:<hash>) or a bare hash; repeatable.",
        )
        parser.add_argument(
            "--anchor-file",
            action="append",
            default=[],
            metavar="FILE",
            help="An export (PDF, XLSX), an anchor file (JSON lines) or a text file holding anchors; repeatable.",
        )

    def given(self, options) -> list[Anchor]:
        anchors = []
        for value in options["anchor"]:
            try:
                anchors.append(anchor_from_argument(value))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        for path in options["anchor_file"]:
            try:
                found = anchors_from_file(path)
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
            if not found:
                raise CommandError(f"No audit-trail anchor found in {path}.")
            anchors += found
        return anchors

    def handle(self, *args, **options):
        given = self.given(options)
        report = verify_trail(given)
        for confirmed in report.confirmed:
            if any(confirmed.anchor is anchor for anchor in given):
                self.stdout.write(
                    f"Anchor {confirmed.anchor.text()} ({confirmed.anchor.source}) holds: event id="
                    f"{confirmed.event_id} at position {confirmed.position}."
                )
        if report.problems:
            lines = [f"- {problem}" for problem in report.problems[:SHOWN]]
            if len(report.problems) > SHOWN:
                lines.append(f"- ... and {len(report.problems) - SHOWN} more")
            raise CommandError(
                f"Audit trail broken ({len(report.problems)} problems, {report.events} events read):\n"
                + "\n".join(lines)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {report.events} events verified; head {report.head.anchor} "
                f"(event id={report.head.event_id}); {len(report.confirmed)} anchors hold."
            )
        )
