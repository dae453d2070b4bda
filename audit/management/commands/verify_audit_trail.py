from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail; reports the first broken link and exits non-zero."

    def handle(self, *args, **options):
        total = AuditEvent.objects.count()
        for event, problem in verify_chain():
            raise CommandError(
                f"Audit trail broken at event id={event.pk} ({event.event}, {event.occurred_at:%Y-%m-%d %H:%M:%S}, "
                f"subject {event.subject_repr!r}): {problem}."
            )
        self.stdout.write(self.style.SUCCESS(f"Audit trail intact: {total} events verified."))
