"""``manage.py backup DIR``: the database and every stored file together, with a manifest (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from core.backup import backup


class Command(BaseCommand):
    help = "Back up the database and every stored file (documents, exports) into a new folder under DIR."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, **options):
        folder = backup(options["directory"])
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
