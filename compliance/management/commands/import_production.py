"""manage.py import_production FILE --kind declarations|allocations --authority X [--strict] [--user U]

Imports allocation or declaration lines from a CSV or XLSX file (format: docs/import-format.md) with a
progress bar. Valid rows are stored and every rejected row is listed with its row number and reason;
with --strict one rejected row rejects the file. Importing the same file again changes nothing.
Exit status: 0 when rows were stored (or the file had been imported before), 1 when nothing was stored.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.fraud.cli import authority_from, user_from
from compliance.fraud.importer import production_import
from compliance.fraud.progress import ProgressBar
from compliance.models import ImportStatus, ProductionKind
from core.exceptions import DomainError


class Command(BaseCommand):
    help = "Import allocation or declaration lines (CSV or XLSX) for an authority."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=ProductionKind.values)
        parser.add_argument("--authority", required=True, help="uuid, CBS code or name of the authority")
        parser.add_argument(
            "--strict", action="store_true", help="all or nothing: one bad row rejects the file"
        )
        parser.add_argument("--user", help="username recorded as the importer (default: system)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--show", type=int, default=50, help="rejected rows to print (default 50)")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        authority = authority_from(options["authority"])
        bar = ProgressBar(f"{options['kind']} {path.name}", enabled=not options["no_progress"])
        started = time.monotonic()
        try:
            with path.open("rb") as fh:
                result = production_import(
                    file=fh,
                    file_name=path.name,
                    kind=options["kind"],
                    authority=authority,
                    actor=user_from(options["user"]),
                    strict=options["strict"],
                    progress=None if options["no_progress"] else bar,
                )
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
        finally:
            bar.done()
        batch = result.batch
        if not result.created:
            self.stdout.write(
                f"{path.name} was imported before ({batch.started_at:%Y-%m-%d %H:%M}, batch {batch.uuid}): "
                "nothing changed."
            )
            return
        for item in result.rejections[: options["show"]]:
            self.stdout.write(
                f"row {item['row']}: {item['column'] or '-'}: {item['reason']} [{item['code']}]"
            )
        if batch.rows_rejected > options["show"]:
            self.stdout.write(
                f"... and more: {batch.rows_rejected} rows were rejected in total (see the admin)."
            )
        summary = (
            f"{batch.rows_total:,} rows read, {batch.rows_imported:,} stored, {batch.rows_rejected:,} rejected "
            f"(batch {batch.uuid}) in {time.monotonic() - started:.2f}s."
        )
        if batch.status == ImportStatus.REJECTED:
            self.stderr.write(self.style.ERROR(f"Nothing stored: {batch.error} {summary}"))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(summary))
