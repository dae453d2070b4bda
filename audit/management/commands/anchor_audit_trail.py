"""``manage.py anchor_audit_trail``: run daily (cron or a scheduled task). Verifies the whole trail, then
stores its head as a signed anchor in the append-only AuditAnchor table and appends it to
``AUDIT_ANCHOR_FILE`` (another disk or host). A later rewrite of the chain is then found by
``verify_audit_trail``. A trail that does not verify is not anchored: the command fails and lists why."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.services import AuditTrailBroken, audit_anchor_create


class Command(BaseCommand):
    help = "Verify the audit trail and store its head as a signed anchor (table and AUDIT_ANCHOR_FILE)."

    def handle(self, *args, **options):
        try:
            anchor, created = audit_anchor_create()
        except AuditTrailBroken as exc:
            problems = "\n".join(f"- {problem}" for problem in exc.report.problems[:50])
            raise CommandError(f"Audit trail broken; no anchor written:\n{problems}") from exc
        if anchor is None:
            self.stdout.write("Audit trail empty: nothing to anchor.")
        elif not created:
            self.stdout.write(
                f"Head unchanged since the anchor of {anchor.created_at:%Y-%m-%d %H:%M}: {anchor}."
            )
        else:
            where = f" and appended to {settings.AUDIT_ANCHOR_FILE}" if settings.AUDIT_ANCHOR_FILE else ""
            self.stdout.write(
                self.style.SUCCESS(f"Anchor {anchor} (event id={anchor.event_id}) stored{where}.")
            )
