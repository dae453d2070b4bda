"""manage.py generate_production --lines 10000000 --seed 1 --out DIR [--year 2025] [--import]

Writes synthetic allocations.csv and declarations.csv (the import format) and manifest.json for two
calendar years, streaming (constant memory), with planted anomalies of every fraud rule; puts the
authority, products and providers of the manifest in the database (unless --files-only); with --import
also imports both files (a progress bar each). See devtools.production_generator.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand

from compliance.fraud.importer import production_import
from compliance.fraud.progress import ProgressBar
from devtools.production_generator import Config, generate_files, install_world


class Command(BaseCommand):
    help = "Generate synthetic production data with planted fraud anomalies."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=20_000, help="declaration lines (about)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--out", type=Path, required=True, help="directory for the files")
        parser.add_argument("--year", type=int, default=2025, help="the second of the two years")
        parser.add_argument("--providers", type=int, help="number of providers (default: from --lines)")
        parser.add_argument("--files-only", action="store_true", help="write the files, touch no database")
        parser.add_argument("--import", dest="do_import", action="store_true", help="import the files too")

    def handle(self, *args, **options):
        config = Config(
            lines=options["lines"], seed=options["seed"], year=options["year"], providers=options["providers"]
        )
        started = time.monotonic()
        manifest = generate_files(config, options["out"])
        self.stdout.write(
            f"Wrote {manifest.allocations:,} allocations and {manifest.lines:,} declaration lines of "
            f"{len(manifest.providers)} providers to {options['out']} in {time.monotonic() - started:.1f}s."
        )
        planted = sorted(manifest.expected_signals(), key=lambda item: (item[1], item[0]))
        self.stdout.write(
            f"Planted anomalies ({len(planted)}): " + ", ".join(f"{r} ({a})" for a, r in planted)
        )
        if options["files_only"]:
            return
        authority = install_world(manifest)
        self.stdout.write(
            f"Authority {authority} (uuid {authority.uuid}) and {len(manifest.providers)} providers ready."
        )
        if not options["do_import"]:
            return
        for kind in ("allocations", "declarations"):
            path = Path(options["out"]) / manifest.files[kind]
            bar = ProgressBar(f"{kind}")
            with path.open("rb") as fh:
                result = production_import(
                    file=fh, file_name=path.name, kind=kind, authority=authority, actor=None, progress=bar
                )
            bar.done()
            batch = result.batch
            self.stdout.write(
                f"{kind}: {batch.rows_imported:,} stored, {batch.rows_rejected:,} rejected"
                + ("" if result.created else " (imported before)")
            )
        self.stdout.write(
            f"Now run: manage.py run_fraud_rules --period {manifest.period} --authority {authority.uuid}"
        )
