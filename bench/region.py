"""Benchmark: the application at region scale (DESIGN.md), on PostgreSQL, under load.

    python -m bench.region                      (make bench runs it with the others)
    BENCH_REGION_DATABASE_URL=postgres://postgres@127.0.0.1:5432/zorginkoop_region   (the default)
    BENCH_REGION_SCALE=small|region             (when the database is empty it is generated first; region)
    BENCH_USERS=10 BENCH_SECONDS=8              (concurrent users and seconds of load per page)

What it measures, each beside a reference measured in the same run:

1. **Pages and API under load.** gunicorn (``config/gunicorn.py``, its own worker count) on loopback with
   the region database; ``BENCH_USERS`` threads, each a keep-alive connection with a logged-in session,
   request one page for ``BENCH_SECONDS``. Reported per page: the queries of one request (counted
   in-process), p50 and p95 in ms, p95 as a multiple of the p95 of ``GET /health`` under the same load (the
   cost of the stack itself), requests and errors (any answer but 200 counts). Target: p95 <= 150 ms.
2. **The nightly re-evaluation** (``evaluate_conditions``) of every live subject of the region, against
   reading those subjects (``live_subjects``), the floor of any re-evaluation. Target: <= 60 s.
3. **Audit verification** (``verify_trail``) over the whole trail, against (a) SHA-256 over the same
   canonical bytes in a loop (hashing only) and (b) reading the rows, making their canonical bytes and
   hashing them (the floor of any verifier that reads from the database). Target: <= 2x (a).

The database is generated with ``config.settings.test`` (its SECRET_KEY signs the trail's head); this
benchmark uses the same settings. It changes nothing in the region but the evaluations of step 2.
"""

import http.client
import os
import platform
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/zorginkoop_region"
TARGET_P95_MS = 150


def configure() -> str:
    url = os.environ.get("BENCH_REGION_DATABASE_URL", DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
    sys.path.insert(0, str(ROOT))
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    import logging
    import warnings

    import django

    django.setup()
    logging.disable(logging.INFO)  # the logins of the benchmark's users are not its report
    warnings.filterwarnings("ignore", message="No directory at")
    return url


def ensure_region() -> None:
    from django.core.management import call_command

    from contracting.models import Agreement

    call_command("migrate", verbosity=0)
    if not Agreement.objects.exists():
        scale = os.environ.get("BENCH_REGION_SCALE", "region")
        print(
            f"The region database is empty: generating it (--scale {scale}), this takes minutes.", flush=True
        )
        call_command("generate_region", scale=scale, no_input=True)


def machine() -> str:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, PostgreSQL {pg}"


# --------------------------------------------------------------------------- pages under load


@dataclass
class Load:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)

    def p(self, pct: int) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))] if ordered else float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "DEBUG": "false",
        # nothing is uploaded in this benchmark; the production check refuses to start without a scanner
        "DOCUMENT_VIRUS_SCAN_WAIVED": "true",
        "DOCUMENT_VIRUS_SCAN_WAIVER_REASON": "benchmark on loopback: no uploads",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise SystemExit("gunicorn did not answer /health within 60 s")


def load(port: int, path: str, cookie: str, users: int, seconds: float) -> Load:
    result = Load()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {"Cookie": cookie, "Host": "127.0.0.1", "Accept": "text/html,application/json"}

    def user() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        errors, statuses = 0, {}
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status = 0
            mine.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            errors += status != 200
        conn.close()
        with lock:
            result.latencies.extend(mine)
            result.errors += errors
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def count_queries(client, path: str) -> tuple[int, int]:
    from django.db import connection

    seen: list[str] = []

    def counter(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    client.get(path)  # warm: caches and lazily built things are not what a page costs
    with connection.execute_wrapper(counter):
        status = client.get(path).status_code
    return status, len(seen)


def pages() -> tuple[dict[str, tuple[str, str]], dict[str, str], dict[str, Any]]:
    """(name -> (audience, path)), the session cookie and a logged-in test client per audience."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from contracting.models import Agreement, Provider

    users = get_user_model().objects
    officer = users.get(username="region-officer-1")
    provider = Provider.objects.filter(agreements__status="active").order_by("pk").first()
    provider_user = provider.users.order_by("pk").first()
    agreement = Agreement.objects.filter(provider=provider).order_by("pk").first()
    cookies = {}
    clients = {}
    for audience, user in (("officer", officer), ("provider", provider_user)):
        client = Client()
        client.force_login(user)
        clients[audience] = client
        cookies[audience] = f"sessionid={client.cookies['sessionid'].value}"
    listed = {
        "GET /health (reference)": ("officer", "/health"),
        "officer start page": ("officer", reverse("workspace:start")),
        "agreements changelist": ("officer", reverse("admin:contracting_agreement_changelist")),
        "documents changelist": ("officer", reverse("admin:compliance_accountabilitydocument_changelist")),
        "provider relationship page": ("officer", reverse("workspace:provider", args=[provider.uuid])),
        "compliance matrix": ("officer", reverse("admin:compliance_matrix")),
        "contract calendar": ("officer", reverse("workspace:calendar")),
        "portal overview": ("provider", reverse("portal:dashboard")),
        "API GET /agreements": ("officer", "/api/v1/agreements"),
        "API GET /agreements/{uuid}": ("officer", f"/api/v1/agreements/{agreement.uuid}"),
        "API GET /documents": ("officer", "/api/v1/documents"),
        "API GET /providers": ("officer", "/api/v1/providers"),
    }
    return listed, cookies, clients


def bench_pages(users: int, seconds: float) -> list[str]:
    listed, cookies, clients = pages()
    queries = {name: count_queries(clients[audience], path) for name, (audience, path) in listed.items()}
    port = free_port()
    server = start_server(port)
    missed = []
    try:
        print(f"\n1. Pages and API: {users} concurrent users, {seconds:g} s per page, gunicorn on loopback")
        print(
            f"{'page':30s} {'status':>6s} {'queries':>7s} {'p50 ms':>8s} {'p95 ms':>8s} "
            f"{'p95 × /health':>13s} {'requests':>8s} {'errors':>6s}"
        )
        reference = None
        for name, (audience, path) in listed.items():
            load(port, path, cookies[audience], users, min(2.0, seconds))  # warm the workers
            result = load(port, path, cookies[audience], users, seconds)
            p95 = result.p(95)
            reference = reference or p95
            status, count = queries[name]
            print(
                f"{name:30s} {status:6d} {count:7d} {result.p(50):8.1f} {p95:8.1f} {p95 / reference:13.1f} "
                f"{len(result.latencies):8d} {result.errors:6d}",
                flush=True,
            )
            if result.errors:
                missed.append(f"{name}: {result.errors} errors ({result.statuses})")
            if p95 > TARGET_P95_MS and "reference" not in name:
                missed.append(
                    f"{name}: p95 {p95:.0f} ms, {p95 - TARGET_P95_MS:.0f} ms over {TARGET_P95_MS} ms"
                )
    finally:
        server.terminate()
        server.wait(timeout=30)
    return missed


# --------------------------------------------------------------------------- nightly re-evaluation


def bench_evaluation() -> list[str]:
    from django.core.management import call_command

    from compliance.conditions.services import live_subjects

    started = time.perf_counter()
    subjects = live_subjects()
    floor = time.perf_counter() - started
    started = time.perf_counter()
    call_command("evaluate_conditions", verbosity=0)
    took = time.perf_counter() - started
    print("\n2. Nightly re-evaluation of the region (evaluate_conditions)")
    print(
        f"   {len(subjects):,} live subjects: {took:,.1f} s ({took / max(len(subjects), 1) * 1000:.1f} ms each)"
    )
    print(f"   reference, reading the live subjects: {floor:,.2f} s; ratio {took / floor:,.1f}×")
    return [] if took <= 60 else [f"re-evaluation: {took:.0f} s, {took - 60:.0f} s over 60 s"]


# --------------------------------------------------------------------------- audit verification


def bench_verification() -> list[str]:
    import hashlib

    from audit.models import AuditEvent
    from audit.services import canonical, verify_trail

    started = time.perf_counter()
    report = verify_trail()
    verify = time.perf_counter() - started
    events = AuditEvent.objects.count()
    hashing = 0.0
    started = time.perf_counter()
    batch: list[bytes] = []
    prev = ""

    def flush() -> None:
        nonlocal hashing, prev
        t = time.perf_counter()
        for payload in batch:
            prev = hashlib.sha256(prev.encode() + payload).hexdigest()
        hashing += time.perf_counter() - t
        batch.clear()

    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        batch.append(canonical(event).encode())
        if len(batch) == 2000:
            flush()
    flush()
    read_and_hash = time.perf_counter() - started
    print("\n3. Audit verification (verify_trail)")
    print(f"   {events:,} events: {verify:,.1f} s, {'intact' if report.intact else 'NOT intact'}")
    print(f"   (a) SHA-256 over the same bytes in a loop: {hashing:,.2f} s; ratio {verify / hashing:,.1f}×")
    print(
        f"   (b) reading the rows + canonical bytes + SHA-256: {read_and_hash:,.1f} s; ratio {verify / read_and_hash:,.2f}×"
    )
    return (
        []
        if verify <= 2 * hashing
        else [f"verification: {verify / hashing:.1f}× the hashing loop (target 2×)"]
    )


def main(argv: list[str] | None = None) -> int:
    url = configure()
    ensure_region()
    from contracting.models import Agreement, Provider

    print(
        f"Region benchmark on {url.rsplit('@', 1)[-1]}: {Provider.objects.count():,} providers, "
        f"{Agreement.objects.count():,} agreements"
    )
    print(f"Machine: {machine()}")
    users = int(os.environ.get("BENCH_USERS", 10))
    seconds = float(os.environ.get("BENCH_SECONDS", 8))
    missed = bench_pages(users, seconds) + bench_verification() + bench_evaluation()
    print("\nTargets missed:" if missed else "\nEvery target met.")
    for line in missed:
        print(f"   - {line}")
    return 0  # a missed target is a finding to report, not a failure of the benchmark


if __name__ == "__main__":
    sys.exit(main())
