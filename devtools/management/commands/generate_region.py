"""``manage.py generate_region --scale {small,region} [--declarations N] [--seed 1] [--reset --no-input]``

Builds a whole region at the scale of DESIGN.md (``region``: 1,000 providers, 50 procedures, 5,000
agreements, 20 coalitions with 400 memberships, 200,000 documents, 10 million declaration lines and 1
million audit events with a valid hash chain) or about 1/50 of it (``small``), set-based, and prints the
time of every phase. See devtools.region. It refuses a database that already holds providers,
procedures, agreements, documents, declarations or audit events; ``--reset`` empties the WHOLE database
first (flush) and runs the data migrations again, as ``seed_demo --reset`` does.
"""

import time
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from audit.services import verify_trail
from devtools.management.commands.seed_demo import quiet, rerun_data_migrations
from devtools.region import SCALES, RegionGenerator, RegionRefused


class Command(BaseCommand):
    help = "Generate a region at the scale of DESIGN.md (or 1/50 of it) through bulk paths."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "region"], default="small")
        parser.add_argument(
            "--declarations",
            type=int,
            help="declaration lines to generate and import (default: the scale's: 200,000 or 10 million; 0: none)",
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--production-dir",
            type=Path,
            help="keep the generated allocation and declaration files here (default: a temporary directory)",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the WHOLE database first (flush), reload the reference data, then generate.",
        )
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask before --reset."
        )
        parser.add_argument("--verify", action="store_true", help="verify the audit trail afterwards (timed)")

    def handle(self, *args, **options):
        started = time.monotonic()
        if options["reset"]:
            call_command("flush", interactive=options["interactive"], verbosity=0)
            rerun_data_migrations()
            self.stdout.write(
                f"reset: database emptied, reference data loaded ({time.monotonic() - started:.1f}s)"
            )
        scale = SCALES[options["scale"]]

        def report(phase: str, seconds: float, what: str) -> None:
            self.stdout.write(f"{phase:<13} {seconds:8.1f}s  {what}")

        generator = RegionGenerator(scale, seed=options["seed"], report=report)
        try:
            with quiet("compliance.fraud.importer"):
                generator.run(
                    declarations=options["declarations"], declarations_dir=options["production_dir"]
                )
        except RegionRefused as exc:
            raise CommandError(
                f"The database already holds data ({exc}). generate_region builds a region in an empty "
                "database only; run it with --reset to empty the WHOLE database first."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Region generated in {time.monotonic() - started:.1f}s."))
        if options["verify"]:
            verified = time.monotonic()
            trail = verify_trail()
            state = "intact" if trail.intact else f"BROKEN: {'; '.join(map(str, trail.problems[:5]))}"
            self.stdout.write(
                f"audit trail   {time.monotonic() - verified:8.1f}s  {trail.events:,} events, {state}"
            )
            if not trail.intact:
                raise CommandError("The generated audit trail does not verify.")
