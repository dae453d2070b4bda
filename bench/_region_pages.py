"""Queries and time per page on a database made by `manage.py generate_region --scale region` (DESIGN.md
scale), in-process through Django's test client as ``region-officer-1``, each beside GET /health measured
in the same run (the cost of the stack itself). Not part of `make bench` (it needs the generated region):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/zorginkoop_region \\
        DJANGO_SETTINGS_MODULE=config.settings.test python bench/_region_pages.py [repetitions]

(The region is generated with config.settings.test; the audit head's signature needs the same SECRET_KEY.)
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from contracting.models import Provider  # noqa: E402

REPETITIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 7


def measure(client: Client, url: str) -> tuple[int, int, float, float]:
    seen: list[str] = []

    def count(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        status = client.get(url).status_code
    times = []
    for _ in range(REPETITIONS):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return status, len(seen), statistics.median(times), times[-1]


def main() -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="region-officer-1"))
    provider = Provider.objects.filter(agreements__status="active").order_by("pk").first()
    pages = {
        "/health (reference)": "/health",
        "start page": reverse("workspace:start"),
        "relationship page": reverse("workspace:provider", args=[provider.uuid]),
        "calendar": reverse("workspace:calendar"),
        "agreements changelist": reverse("admin:contracting_agreement_changelist"),
        "documents changelist": reverse("admin:compliance_accountabilitydocument_changelist"),
        "GET /api/v1/agreements": "/api/v1/agreements",
    }
    reference = None
    print(f"{'page':26s} {'status':>6s} {'queries':>7s} {'p50 ms':>8s} {'max ms':>8s} {'× /health':>9s}")
    for name, url in pages.items():
        status, queries, p50, worst = measure(client, url)
        reference = reference or p50
        print(f"{name:26s} {status:6d} {queries:7d} {p50:8.1f} {worst:8.1f} {p50 / reference:9.1f}")


if __name__ == "__main__":
    main()
