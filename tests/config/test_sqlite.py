"""The embedded default database (SQLite, config/settings/base.py): write-ahead log, a busy timeout and
transactions that take the write lock when they begin, so that concurrent failed logins (each one counted
by axes and by the bounded failed-login window of the audit trail) wait in turn instead of failing with
"database is locked" (a 500)."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

# Run in a fresh process on a file database (a copy of the test database), as a server would: 24 threads
# fail to log in at once, as a known account and as unknown names, through the real authentication path.
CONCURRENT_FAILED_LOGINS = """
import json, sys, threading
import django
django.setup()
from django.contrib.auth import authenticate, get_user_model
from django.db import connection, connections
from django.test import RequestFactory
from audit.models import AuditEvent
from axes.models import AccessAttempt

get_user_model().objects.create_user("inkoper-x", password="correct horse battery staple")
errors, barrier = [], threading.Barrier(24)

def attempt(n):
    barrier.wait()
    try:
        for i in range(3):
            request = RequestFactory().post("/admin/login/", REMOTE_ADDR=f"10.0.{n}.{i}")
            username = "inkoper-x" if n % 2 else f"onbekend-{n}"
            authenticate(request=request, username=username, password="wrong password")
    except Exception as exc:  # the 500 of the issue: OperationalError("database is locked")
        errors.append(repr(exc))
    finally:
        connections.close_all()

threads = [threading.Thread(target=attempt, args=(n,)) for n in range(24)]
for t in threads: t.start()
for t in threads: t.join()
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    mode = cursor.fetchone()[0]
print(json.dumps({
    "errors": errors,
    "journal": mode,
    "failures": sum(AccessAttempt.objects.values_list("failures_since_start", flat=True)),
    "events": AuditEvent.objects.filter(event="user.login_failed").count(),
}))
"""


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)  # no open transaction: the backup copies at once
def test_concurrent_failed_logins_wait_in_turn_on_sqlite(tmp_path):
    # given: a file copy of the migrated test database
    assert connection.vendor == "sqlite"
    connection.ensure_connection()
    database = tmp_path / "zorginkoop.sqlite3"
    with sqlite3.connect(database) as copy:
        connection.connection.backup(copy)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    # when
    process = subprocess.run(
        [sys.executable, "-c", CONCURRENT_FAILED_LOGINS], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    # then: no failure, every attempt counted, the trail within its window design (one event per bucket)
    assert process.returncode == 0, process.stderr[-3000:]
    result = json.loads(process.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert result["journal"] == "wal"
    # every attempt on an unknown name is counted (12 names, 3 addresses each), and the account's at
    # least up to its lockout (axes refuses the rest before counting)
    assert result["failures"] >= 12 * 3 + 5
    assert result["events"] <= 2  # the account's bucket and the unknown names' bucket
