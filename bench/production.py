"""Benchmark: the production import and the full fraud rule run, at 1 and 10 million declaration lines.

    python -m bench.production [--lines 1000000 10000000] [--database-url URL] [--workdir DIR]
    BENCH_LINES=100000 python -m bench.production          # a quick run (make bench BENCH_LINES=100000)

Runs on PostgreSQL: ``--database-url``, else ``BENCH_DATABASE_URL``, else ``DATABASE_URL`` when it points
at PostgreSQL, else postgres://postgres@127.0.0.1:5432/zorginkoop_bench (created and migrated when
missing; its production tables are emptied for every size). For each size it

1. generates the synthetic data (``manage.py generate_production``: two years, planted anomalies);
2. import: loads ``declarations.csv`` with a plain PostgreSQL ``COPY ... FROM STDIN (FORMAT csv)`` into a
   table with the file's columns typed (the reference), then with ``manage.py import_production`` (BSNs
   checked and hashed, every value validated, provider/product/unit codes resolved, rejected rows
   reported); the ratio is the import's speed as a fraction of COPY's (target >= 0.5). Informative: COPY of
   the rows as stored into a copy of the declaration table (same columns, key and types);
3. rules: ``manage.py run_fraud_rules`` for the second year (every rule, signals upserted, explanations
   written), against the reference: the same aggregations, each rule's SQL run directly on one
   connection with the same ``work_mem``; ratio = rule run time / reference time (target <= 2).

Time is wall-clock, measured by the commands around the import or rule run itself (the Python start-up
of the command, about a second, is printed apart); peak memory is the maximum resident set size of the child process (``wait4``), which
should stay flat as the lines grow (both the import and the rules stream or aggregate in the database).
Before each timed load a ``CHECKPOINT`` flushes the previous step's dirty pages, so that no step pays for
the one before it. On a shared machine the timings vary: ``--repeat N`` (or ``BENCH_REPEAT``) runs every
timed step N times and keeps the best of each, the usual way to take noise out of a benchmark. Results are printed and written to ``var/bench/production-<time>.json``.
"""

import argparse
import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LINES = (1_000_000, 10_000_000)
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zorginkoop_bench"
SEED = 1
YEAR = 2025
TARGET_IMPORT = 0.5  # import speed >= half of COPY's
TARGET_RULES = 2.0  # rule run time <= twice the reference

REFERENCE_TABLE = "bench_reference_declarations"
REFERENCE_COLUMNS = """
    municipality text, provider_agb text, client_bsn text, allocation_number text, product_category text,
    product_code text,
    period_start date, period_end date, volume integer, unit text, amount numeric(12, 2)
"""
STORED_COPY_TABLE = "bench_reference_stored"


# --------------------------------------------------------------------------- plumbing


def database_url(explicit: str | None) -> str:
    if explicit:
        return explicit
    if os.environ.get("BENCH_DATABASE_URL"):
        return os.environ["BENCH_DATABASE_URL"]
    current = os.environ.get("DATABASE_URL", "")
    return current if current.startswith(("postgres://", "postgresql://")) else DEFAULT_URL


def child_env(url: str) -> dict[str, str]:
    env = os.environ.copy()
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DEBUG="false",  # no query log in memory
        SECRET_KEY=env.get("SECRET_KEY", "bench-only"),
        PSEUDONYMISATION_KEY=env.get("PSEUDONYMISATION_KEY", "bench-only-pseudonymisation-key-5c1e08b7d94a"),
        ALLOWED_HOSTS="localhost",
        LOG_LEVEL="WARNING",
    )
    return env


class Child(subprocess.Popen):
    """A child process reaped with ``wait4``, which keeps its resource usage (peak RSS)."""

    peak_rss = 0

    def _try_wait(self, wait_flags):  # CPython's POSIX Popen waits through this method
        try:
            pid, status, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return self.pid, 0
        if pid == self.pid:
            self.peak_rss = usage.ru_maxrss * 1024  # kilobytes on Linux
        return pid, status


def run_child(args: list[str], url: str) -> tuple[float, int, str]:
    """Run ``manage.py args`` and return (seconds, peak RSS in bytes, stdout)."""
    started = time.perf_counter()
    process = Child(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=child_env(url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    out, err = process.communicate()
    seconds = time.perf_counter() - started
    if process.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({process.returncode}):\n{err[-3000:]}")
    return seconds, process.peak_rss, out


def connect(url: str, dbname: str | None = None):
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    info = conninfo_to_dict(url)
    if dbname:
        info["dbname"] = dbname
    return psycopg.connect(make_conninfo(**info), autocommit=True)


def ensure_database(url: str) -> None:
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    name = conninfo_to_dict(url)["dbname"]
    with connect(url, "postgres") as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}", flush=True)
    run_child(["migrate", "--no-input", "--verbosity", "0"], url)


def reset(conn) -> None:
    conn.execute(
        "TRUNCATE compliance_declarationline, compliance_allocationline, compliance_importrejection, "
        f"compliance_ikzinformationrequest, compliance_ikzreport, compliance_fraudsignal, {REFERENCE_TABLE}, "
        f"{STORED_COPY_TABLE}"
    )
    conn.execute("DELETE FROM compliance_importbatch")
    conn.execute("VACUUM ANALYZE compliance_declarationline")
    conn.execute("VACUUM ANALYZE compliance_allocationline")


def prepare_reference_tables(conn) -> None:
    conn.execute(f"CREATE TABLE IF NOT EXISTS {REFERENCE_TABLE} ({REFERENCE_COLUMNS})")
    conn.execute(
        f"CREATE TABLE IF NOT EXISTS {STORED_COPY_TABLE} (LIKE compliance_declarationline INCLUDING ALL)"
    )


def checkpoint(conn) -> None:
    conn.execute("CHECKPOINT")


# --------------------------------------------------------------------------- measurements


def copy_file(conn, path: Path, table: str, options: str) -> float:
    """COPY a file into ``table`` through psycopg (the client streams it, as the import does)."""
    started = time.perf_counter()
    with (
        conn.cursor() as cursor,
        cursor.copy(f"COPY {table} FROM STDIN ({options})") as copy,
        path.open("rb") as fh,
    ):
        while chunk := fh.read(1 << 20):
            copy.write(chunk)
    return time.perf_counter() - started


def stored_rows_copy(conn, workdir: Path) -> float:
    """COPY the declaration lines as stored (exported first, untimed) into a copy of their table."""
    dump = workdir / "declarationline.copy"
    with (
        conn.cursor() as cursor,
        cursor.copy("COPY compliance_declarationline TO STDOUT") as copy,
        dump.open("wb") as fh,
    ):
        for data in copy:
            fh.write(data)
    checkpoint(conn)
    seconds = copy_file(conn, dump, STORED_COPY_TABLE, "FORMAT text")
    dump.unlink()
    return seconds


def reference_rules(url: str, authority_id: int, repeat: int = 1) -> tuple[float, dict[str, float]]:
    """Every rule's SQL, run directly with the same parameters and work_mem as the rule run."""
    import django

    os.environ.update(child_env(url))
    django.setup()
    from django.db import connection

    from compliance.fraud.engine import providers_in_scope, resolve_settings
    from compliance.fraud.rules import RULES, Dialect, RunContext

    resolved = resolve_settings(authority_id)
    run = RunContext(
        authority_id=authority_id,
        period_start=datetime.date(YEAR, 1, 1),
        period_end=datetime.date(YEAR, 12, 31),
        dialect=Dialect("postgresql"),
        params={code: params for code, (enabled, params) in resolved.items() if enabled},
    )
    best: tuple[float, dict[str, float]] | None = None
    for _attempt in range(repeat):
        timings = {}
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET work_mem = '256MB'")
            began = time.perf_counter()
            run.scope = providers_in_scope(authority_id, run.period_start, run.period_end)
            timings["scope"] = time.perf_counter() - began
            for code in run.params:
                sql, params = RULES[code].sql(run)
                began = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                timings[code] = time.perf_counter() - began
        total = time.perf_counter() - started
        if best is None or total < best[0]:
            best = (total, timings)
    return best


def in_process_seconds(output: str) -> float:
    """The time the command measured around the service itself (without interpreter start-up)."""
    match = re.search(r" in ([0-9.]+)s", output)
    if match is None:
        raise RuntimeError(f"no timing in the command's output: {output[-500:]}")
    return float(match.group(1))


def authority_uuid(conn) -> tuple[int, str]:
    row = conn.execute(
        "SELECT id, uuid FROM contracting_contractingauthority WHERE name = %s",
        ["Synthetische regio (generator)"],
    ).fetchone()
    return row[0], str(row[1])


def measure(lines: int, url: str, workdir: Path, repeat: int = 1) -> dict[str, Any]:
    out = workdir / f"lines-{lines}"
    result: dict[str, Any] = {"lines": lines}
    print(f"\n--- {lines:,} declaration lines", flush=True)
    seconds, rss, _ = run_child(
        [
            "generate_production",
            "--lines",
            str(lines),
            "--seed",
            str(SEED),
            "--year",
            str(YEAR),
            "--out",
            str(out),
        ],
        url,
    )
    manifest = json.loads((out / "manifest.json").read_text())
    result.update(
        generated_lines=manifest["lines"],
        allocations=manifest["allocations"],
        generate_seconds=seconds,
        generate_rss=rss,
    )
    declarations = out / "declarations.csv"
    result["file_bytes"] = declarations.stat().st_size
    print(
        f"generated {manifest['lines']:,} lines ({result['file_bytes'] / 1e6:,.0f} MB) in {seconds:,.1f}s",
        flush=True,
    )

    with connect(url) as conn:
        prepare_reference_tables(conn)
        reset(conn)
        authority_id, authority = authority_uuid(conn)

        # import: the reference COPY of the raw file, then the import itself (best of --repeat runs)
        copies = []
        for _attempt in range(repeat):
            conn.execute(f"TRUNCATE {REFERENCE_TABLE}")
            checkpoint(conn)
            copies.append(copy_file(conn, declarations, REFERENCE_TABLE, "FORMAT csv, HEADER true"))
        result["copy_seconds"] = min(copies)
        print(f"reference COPY of the file: {', '.join(f'{c:.2f}s' for c in copies)}", flush=True)
        conn.execute(f"TRUNCATE {REFERENCE_TABLE}")
        checkpoint(conn)
        seconds, rss, text = run_child(
            ["import_production", str(out / "allocations.csv"), "--kind", "allocations", "--authority", authority,
             "--no-progress"],
            url,
        )  # fmt: skip
        result.update(allocations_import_seconds=in_process_seconds(text))
        imports, peaks = [], []
        for attempt in range(repeat):
            if attempt:
                conn.execute("TRUNCATE compliance_declarationline")
                conn.execute(
                    "DELETE FROM compliance_importrejection WHERE batch_id IN "
                    "(SELECT id FROM compliance_importbatch WHERE kind = 'declarations')"
                )
                conn.execute("DELETE FROM compliance_importbatch WHERE kind = 'declarations'")
            checkpoint(conn)
            seconds, rss, text = run_child(
                ["import_production", str(declarations), "--kind", "declarations", "--authority", authority,
                 "--no-progress"],
                url,
            )  # fmt: skip
            imports.append(in_process_seconds(text))
            peaks.append(rss)
        result.update(import_seconds=min(imports), import_process_seconds=seconds, import_rss=max(peaks))
        stored = conn.execute("SELECT count(*) FROM compliance_declarationline").fetchone()[0]
        assert stored == manifest["lines"], (stored, manifest["lines"], text)
        print(
            f"import_production: {', '.join(f'{i:.2f}s' for i in imports)}, peak {max(peaks) / 1e6:,.0f} MB "
            f"({text.strip().splitlines()[-1]})",
            flush=True,
        )
        result["stored_copy_seconds"] = stored_rows_copy(conn, out)
        print(
            f"COPY of the stored rows into a copy of the table: {result['stored_copy_seconds']:,.2f}s",
            flush=True,
        )
        conn.execute(f"TRUNCATE {REFERENCE_TABLE}, {STORED_COPY_TABLE}")
        conn.execute("VACUUM ANALYZE compliance_declarationline")
        conn.execute("VACUUM ANALYZE compliance_allocationline")

    # rules: the full run (every signal new), then the same aggregations as plain SQL (best of --repeat)
    runs, peaks = [], []
    for attempt in range(repeat):
        if attempt:
            with connect(url) as conn:
                conn.execute(
                    "TRUNCATE compliance_ikzinformationrequest, compliance_ikzreport, compliance_fraudsignal"
                )
        seconds, rss, text = run_child(
            ["run_fraud_rules", "--period", f"{YEAR}-01..{YEAR}-12", "--authority", authority], url
        )
        runs.append(in_process_seconds(text))
        peaks.append(rss)
    result.update(
        rules_seconds=min(runs),
        rules_process_seconds=seconds,
        rules_rss=max(peaks),
        rules_output=text.strip(),
    )
    print(
        f"run_fraud_rules: {', '.join(f'{r:.2f}s' for r in runs)}, peak {max(peaks) / 1e6:,.0f} MB",
        flush=True,
    )
    reference = subprocess.run(
        [
            sys.executable,
            "-c",
            "import bench.production as b, json; "
            f"print(json.dumps(b.reference_rules({url!r}, {authority_id}, {repeat})))",
        ],
        cwd=ROOT,
        env=child_env(url),
        capture_output=True,
        text=True,
        check=True,
    )
    total, timings = json.loads(reference.stdout.strip().splitlines()[-1])
    result.update(rules_reference_seconds=total, rules_reference_timings=timings)
    print(f"reference (the rules' SQL run directly): {total:,.2f}s", flush=True)

    with connect(url) as conn:
        signals = conn.execute("SELECT count(*) FROM compliance_fraudsignal").fetchone()[0]
        found = {
            (agb, rule)
            for agb, rule in conn.execute(
                "SELECT p.agb_code, s.rule FROM compliance_fraudsignal s JOIN contracting_provider p ON p.id = s.provider_id"
            ).fetchall()
        }
    expected = {(p["agb_code"], rule) for p in manifest["providers"] for rule in p["expected_rules"]}
    result.update(
        signals=signals,
        planted=len(expected),
        planted_found=len(expected & found),
        extra_signals=len(found - expected),
    )
    print(
        f"signals: {signals} ({len(expected & found)} of {len(expected)} planted anomalies found, {len(found - expected)} other)",
        flush=True,
    )
    return result


# --------------------------------------------------------------------------- report


def report(results: list[dict[str, Any]]) -> str:
    lines = [
        "",
        "Production import and fraud rule run on PostgreSQL (wall-clock; peak RSS of the child process)",
        "",
        f"{'lines':>12}  {'step':<22} {'time':>9} {'reference':>11} {'ratio':>8} {'target':>9}  {'peak RSS':>9}",
    ]
    ok = True
    for r in results:
        speed = r["copy_seconds"] / r["import_seconds"]
        slow = r["rules_seconds"] / r["rules_reference_seconds"]
        import_ok, rules_ok = speed >= TARGET_IMPORT, slow <= TARGET_RULES
        ok = ok and import_ok and rules_ok
        lines += [
            f"{r['lines']:>12,}  {'import (declarations)':<22} {r['import_seconds']:>8.1f}s "
            f"{r['copy_seconds']:>10.1f}s {speed:>7.2f}x {'>= 0.5x':>9}  {r['import_rss'] / 1e6:>6.0f} MB"
            f"  {'ok' if import_ok else 'MISSED'}",
            f"{'':>12}  {'  vs COPY stored rows':<22} {'':>9} {r['stored_copy_seconds']:>10.1f}s "
            f"{r['stored_copy_seconds'] / r['import_seconds']:>7.2f}x {'(info)':>9}",
            f"{'':>12}  {'rule run (11 rules)':<22} {r['rules_seconds']:>8.1f}s "
            f"{r['rules_reference_seconds']:>10.1f}s {slow:>7.2f}x {'<= 2x':>9}  {r['rules_rss'] / 1e6:>6.0f} MB"
            f"  {'ok' if rules_ok else 'MISSED'}",
            f"{'':>12}  signals {r['signals']}: {r['planted_found']}/{r['planted']} planted anomalies found, "
            f"{r['extra_signals']} other; allocations import {r['allocations_import_seconds']:.1f}s",
        ]
    if len(results) > 1:
        first, last = results[0], results[-1]
        lines.append(
            f"\nmemory from {first['lines']:,} to {last['lines']:,} lines: import {first['import_rss'] / 1e6:.0f} -> "
            f"{last['import_rss'] / 1e6:.0f} MB, rules {first['rules_rss'] / 1e6:.0f} -> {last['rules_rss'] / 1e6:.0f} MB"
        )
    lines.append(
        "import ratio = COPY time / import time (speed as a fraction of COPY's); rules ratio = run / reference."
    )
    lines.append("all targets met" if ok else "some targets were missed")
    return "\n".join(lines)


def sizes_from(argv_lines: list[int] | None) -> list[int]:
    if argv_lines:
        return argv_lines
    text = os.environ.get("BENCH_LINES", "").replace(",", " ").split()
    return [int(v) for v in text] if text else list(DEFAULT_LINES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.production", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--lines", type=int, nargs="+", help="sizes (default 1000000 10000000, or BENCH_LINES)"
    )
    parser.add_argument("--database-url", help=f"PostgreSQL database (default {DEFAULT_URL})")
    parser.add_argument(
        "--repeat",
        type=int,
        default=int(os.environ.get("BENCH_REPEAT", "1")),
        help="run each timed step this many times and keep the best (default 1, or BENCH_REPEAT)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="where the generated files go (default: a temporary dir)"
    )
    args = parser.parse_args(argv)
    url = database_url(args.database_url)
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench.production needs PostgreSQL (--database-url postgres://...).", file=sys.stderr)
        return 2
    sizes = sizes_from(args.lines)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench-production-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"database {url.rsplit('@', 1)[-1]}, sizes {', '.join(f'{s:,}' for s in sizes)}, files in {workdir}",
        flush=True,
    )
    ensure_database(url)
    results = [measure(lines, url, workdir, max(1, args.repeat)) for lines in sizes]
    text = report(results)
    print(text)
    target = ROOT / "var" / "bench"
    target.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    (target / f"production-{stamp}.json").write_text(json.dumps(results, indent=2, default=str))
    if not args.workdir:
        for path in sorted(workdir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
