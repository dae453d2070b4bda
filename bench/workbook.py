"""Benchmark: the auditor's workbook at 200,000 document rows.

    python -m bench.workbook [--rows 50000 200000] [--keep DB]
    BENCH_WORKBOOK_ROWS="5000 20000" python -m bench workbook     (a quick run through the runner)

Builds a throwaway SQLite database (migrated, with one authority per size: providers with an agreement
each and N accountability documents), then measures in one run:

- the export: ``compliance.reports.workbook.write_workbook`` for the authority (every sheet; the
  documents sheet dominates), streamed to a temporary file;
- the baseline: a bare openpyxl write-only loop appending the same document rows (already in memory,
  plain values, no styles) to one sheet;
- speed ratio = baseline time / export time (target >= 0.7), on CPU time of this process
  (``time.process_time``: the database is SQLite in-process, so its work counts too), which other load on
  the machine does not distort; wall-clock times are reported alongside;
- peak Python memory (tracemalloc) of the export at each size: flat when the 200k peak is about the 50k
  peak (rows are streamed from ``QuerySet.iterator()``; openpyxl's write-only mode spools to disk).

Timing runs without tracemalloc; memory is measured in a second, separate pass.
"""

import argparse
import datetime
import gc
import hashlib
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from core import clock

DEFAULT_ROWS = (50_000, 200_000)
PROVIDERS = 1_000


def setup_django(database: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DEBUG", "false")  # no query log: memory must stay the export's own
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("PSEUDONYMISATION_KEY", "bench-only-pseudonymisation-key-5c1e08b7d94a")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def build(rows: int, label: str) -> Any:
    """An authority with PROVIDERS providers (an agreement each) and ``rows`` documents among them."""
    from django.contrib.auth import get_user_model

    from compliance.models import AccountabilityDocument, DocumentType
    from contracting.models import Agreement, ContractingAuthority, Law, Provider

    year = clock.today().year
    authority = ContractingAuthority.objects.create(name=f"Bench {label}", kind="region")
    reviewer, _created = get_user_model().objects.get_or_create(username="bench-reviewer")
    offset = ContractingAuthority.objects.count() * 10_000_000
    providers = Provider.objects.bulk_create(
        Provider(
            name=f"Aanbieder {label} {i:05d}",
            kvk_number=f"{offset + i:08d}"[-8:],
            agb_code=f"{offset + 50_000_000 + i:08d}"[-8:],
            legal_form=Provider.LegalForm.FOUNDATION,
            city="Utrecht",
        )
        for i in range(PROVIDERS)
    )
    providers = list(Provider.objects.filter(name__startswith=f"Aanbieder {label} ").order_by("pk"))
    Agreement.objects.bulk_create(
        Agreement(
            reference=f"B{label}-{i:05d}",
            authority=authority,
            provider=p,
            law=Law.WMO,
            start_date=datetime.date(year, 1, 1),
            end_date=datetime.date(year + 3, 1, 1),
        )
        for i, p in enumerate(providers)
    )
    types = list(DocumentType.objects.order_by("pk"))
    statuses = ["requested", "submitted", "in_review", "accepted", "rejected", "expired"]
    batch = []
    for i in range(rows):
        status = statuses[i % len(statuses)]
        reviewed = status in ("accepted", "rejected", "expired")
        month = i % 12 + 1
        batch.append(
            AccountabilityDocument(
                provider=providers[i % PROVIDERS],
                document_type=types[i % len(types)],
                period_key=f"{year}-{i}",
                period_start=datetime.date(year, month, 1),
                period_end=datetime.date(year, month, 28),
                due_date=datetime.date(year, month, 28) + datetime.timedelta(days=30),
                status=status,
                valid_from=datetime.date(year, month, 1) if reviewed else None,
                valid_until=datetime.date(year + 1, month, 1) if reviewed else None,
                reviewed_by=reviewer if reviewed else None,
                reviewed_at=datetime.datetime(year, month, 15, 10, 30, tzinfo=datetime.UTC)
                if reviewed
                else None,
                verdict_reason="Onvolledig" if status == "rejected" else "",
                sha256=hashlib.sha256(f"{label}{i}".encode()).hexdigest(),
            )
        )
        if len(batch) == 5_000:
            AccountabilityDocument.objects.bulk_create(batch)
            batch = []
    AccountabilityDocument.objects.bulk_create(batch)
    return authority


class Timer:
    def __enter__(self) -> "Timer":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def export_seconds(authority: Any) -> tuple[Timer, dict[str, int]]:
    from compliance.reports.meta import ReportMeta
    from compliance.reports.workbook import write_workbook

    year = clock.today().year
    with tempfile.TemporaryFile() as out, Timer() as timer:
        counts = write_workbook(
            out,
            authority=authority,
            start=datetime.date(year, 1, 1),
            end=datetime.date(year, 12, 31),
            meta=ReportMeta.now(),
        )
    return timer, counts


def export_peak_bytes(authority: Any) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        export_seconds(authority)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def baseline_seconds(authority: Any) -> tuple[Timer, int]:
    """A bare write-only loop over the same document rows, materialised beforehand (plain values)."""
    from openpyxl import Workbook

    from compliance.models import DocumentStatus
    from compliance.reports.workbook import document_rows

    year = clock.today().year
    labels = {value: str(label) for value, label in DocumentStatus.choices}
    rows = []
    for row in document_rows(authority, datetime.date(year, 1, 1), datetime.date(year, 12, 31)):
        values = list(row)
        values[7] = labels.get(values[7], values[7])
        if values[9] is not None:
            values[9] = values[9].replace(tzinfo=None)
        rows.append(tuple(values))
    header = (
        "provider",
        "kvk",
        "type",
        "period",
        "start",
        "end",
        "due",
        "status",
        "reviewer",
        "at",
        "until",
        "sha",
    )
    with tempfile.TemporaryFile() as out, Timer() as timer:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Documents")
        ws.append(header)
        for row in rows:
            ws.append(row)
        wb.save(out)
    return timer, len(rows)


def run(sizes: tuple[int, ...] = DEFAULT_ROWS, database: Path | None = None) -> list[dict[str, Any]]:
    owned = database is None
    if owned:
        database = Path(tempfile.mkdtemp(prefix="bench-workbook-")) / "bench.sqlite3"
    setup_django(database)
    from django.db import connection

    results = []
    try:
        authorities = {rows: build(rows, f"{rows // 1000}k") for rows in sizes}
        for rows, authority in authorities.items():
            baseline, written = baseline_seconds(authority)
            export, counts = export_seconds(authority)
            peak = export_peak_bytes(authority)
            results.append(
                {
                    "rows": rows,
                    "documentRows": written,
                    "sheetRows": counts,
                    "exportCpuSeconds": round(export.cpu, 2),
                    "baselineCpuSeconds": round(baseline.cpu, 2),
                    "exportWallSeconds": round(export.wall, 2),
                    "baselineWallSeconds": round(baseline.wall, 2),
                    "speedRatio": round(baseline.cpu / export.cpu, 3),
                    "exportRowsPerCpuSecond": round(written / export.cpu),
                    "peakMiB": round(peak / 2**20, 1),
                }
            )
    finally:
        connection.close()
        if owned:
            for path in database.parent.glob("*"):
                path.unlink()
            database.parent.rmdir()
    return results


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "workbook export (all sheets; documents dominate) vs. bare openpyxl write-only loop, same rows",
        "(CPU seconds of this process; wall-clock in brackets)",
        f"{'rows':>8} {'export s':>16} {'bare s':>16} {'ratio':>6} {'rows/s':>7} {'peak MiB':>9}",
    ]
    for r in results:
        export = f"{r['exportCpuSeconds']} ({r['exportWallSeconds']})"
        bare = f"{r['baselineCpuSeconds']} ({r['baselineWallSeconds']})"
        lines.append(
            f"{r['documentRows']:>8} {export:>16} {bare:>16} {r['speedRatio']:>6} "
            f"{r['exportRowsPerCpuSecond']:>7} {r['peakMiB']:>9}"
        )
    if len(results) >= 2:
        small, large = results[0], results[-1]
        growth = large["peakMiB"] / small["peakMiB"] if small["peakMiB"] else float("inf")
        lines.append(
            f"memory: peak at {large['documentRows']} rows is {growth:.2f}x the peak at {small['documentRows']} rows"
            f" ({'flat' if growth < 1.5 else 'NOT flat'}); speed ratio target >= 0.7: "
            f"{'met' if large['speedRatio'] >= 0.7 else 'NOT met'}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.workbook", description=__doc__.split("\n")[0])
    default = [int(n) for n in os.environ.get("BENCH_WORKBOOK_ROWS", "").split()] or list(DEFAULT_ROWS)
    parser.add_argument("--rows", type=int, nargs="+", default=default)
    parser.add_argument(
        "--keep", type=Path, help="Use (and keep) this SQLite file instead of a temporary one."
    )
    args = parser.parse_args(argv)
    print(report(run(tuple(sorted(args.rows)), args.keep)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
