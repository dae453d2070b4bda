"""``manage.py verify_installation``: the audit chain verifies and every stored file matches the SHA-256
its row records (after a restore, or any time). Exits non-zero and lists every problem otherwise."""

from django.core.management.base import BaseCommand, CommandError

from core.backup import verify_installation


class Command(BaseCommand):
    help = "Verify the audit trail and every stored file's SHA-256."

    def handle(self, *args, **options):
        result = verify_installation()
        if result.problems:
            shown = "\n".join(f"- {p}" for p in result.problems[:100])
            raise CommandError(f"{len(result.problems)} problems:\n{shown}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Intact: {result.events} audit events and {result.files} stored files verified."
            )
        )
