"""``manage.py restore FOLDER``: load a backup (core/backup.py) into an empty database and the configured
storage, then verify the audit trail and every stored file (``verify_installation``, run against the
restored database). The target database is DATABASE_URL, or ``--database-url``."""

import os
import subprocess
import sys
from pathlib import Path

import environ

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backup import restore_database, restore_files


class Command(BaseCommand):
    help = "Restore a backup folder into an empty database and the document storage, then verify both."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--database-url", default="", help="The empty target database (default: DATABASE_URL)."
        )

    def handle(self, *args, **options):
        folder: Path = options["folder"]
        url = options["database_url"] or os.environ.get("DATABASE_URL", "")
        target = environ.Env.db_url_config(url) if url else dict(connection.settings_dict)
        try:
            restore_database(folder, target)
            restored = restore_files(folder)
        except (ValueError, OSError, subprocess.CalledProcessError) as exc:
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(f"Database and {restored} files restored; verifying ...")
        env = dict(os.environ)  # the same settings module, pointed at the restored database and files
        if url:
            env["DATABASE_URL"] = url
        env["MEDIA_ROOT"] = str(settings.MEDIA_ROOT)
        check = subprocess.run(
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_installation"],
            env=env,
            capture_output=True,
            text=True,
        )
        self.stdout.write(check.stdout)
        if check.returncode:
            raise CommandError(f"The restored installation does not verify:\n{check.stderr}")
