"""A server process killed (SIGKILL) in the middle of an API import leaves nothing behind: no temporary file
with the clear BSNs of the upload (production imports keep the file in memory, core.uploads), no batch and
no lines. A real server on PostgreSQL (another process: it needs a database both can reach); runs in the
PostgreSQL pass of .ci/run."""

import datetime
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from django.conf import settings as django_settings
from django.contrib.auth import get_user_model

from accounts.services import api_token_create
from compliance.models import DeclarationLine, ImportBatch
from core import clock
from tests import factories
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import DECLARATION_HEADER
from tests.e2e.conftest import load_reference_data, reference_data_restored_afterwards  # noqa: F401
from tests.test_worker import database_url

BOUNDARY = "zorginkoop-killed-upload"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_serving(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read().decode()[-2000:] if process.stderr else ""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2):  # noqa: S310
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not start within 60 s")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_killed_server_leaves_no_file_with_clear_bsns_and_no_batch(tmp_path):
    load_reference_data()
    world = fraud_fixtures.World()
    officer = factories.officer()
    admin = get_user_model().objects.create_superuser("beheer-kill", "beheer@example.org", "x")
    _row, token = api_token_create(
        actor=admin,
        user=officer,
        name="Declaratiesysteem",
        scopes=["read", "write"],
        expires_on=clock.today() + datetime.timedelta(days=30),
    )
    # a declaration file of about 3 MB (over the 2,5 MB from which Django spools an upload to disk)
    line = ",".join(world.declaration(allocation_number="T-1")).encode()
    rows = b"\n".join([",".join(DECLARATION_HEADER).encode(), *[line] * (3_000_000 // len(line))]) + b"\n"
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="authority"\r\n\r\n{world.authority.uuid}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ndeclarations\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="declaraties.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    body = head + rows + f"\r\n--{BOUNDARY}--\r\n".encode()
    spool = tmp_path / "spool"
    spool.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TMPDIR": str(spool),  # where Django would spool a large upload (tempfile's folder)
        "DOCUMENT_VIRUS_SCAN_WAIVED": "true",
        "DOCUMENT_VIRUS_SCAN_WAIVER_REASON": "Test server: this test uploads production data, no documents.",
    }
    manage = str(Path(django_settings.BASE_DIR) / "manage.py")
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, manage, "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_until_serving(port, server)
        before = sorted(p.name for p in spool.iterdir())
        # when the upload is two thirds on its way and the server is killed
        with socket.create_connection(("127.0.0.1", port)) as conn:
            conn.sendall(
                (
                    "POST /api/v1/declarations/imports HTTP/1.1\r\n"
                    f"Host: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
                    f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
            )
            conn.sendall(body[: len(body) * 2 // 3])
            time.sleep(1.0)  # the server has read what was sent
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
    # then nothing of the upload is on disk, and nothing was stored
    assert sorted(p.name for p in spool.iterdir()) == before
    assert not ImportBatch.objects.exists()
    assert not DeclarationLine.objects.exists()
