"""Background work through real worker processes: `manage.py db_worker` (django-tasks' database backend) on
PostgreSQL, and `manage.py rqworker` (django-tasks-rq) on the local Redis, pick up an export and a
re-evaluation that a request queued, and make them; a worker killed in the middle of an export leaves nothing
half-done. Runs in the PostgreSQL pass and the worker step of .ci/run (a worker is another process: it needs a
database both can reach)."""

import datetime
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import django_rq
import psycopg
import pytest
import redis
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from django.conf import settings as django_settings
from django.db import connection

from audit.models import AuditEvent
from audit.services import verify_chain
from compliance.conditions.tasks import reevaluate_provider_task
from compliance.models import Export, ExportStatus
from compliance.models.reports import export_upload_to
from compliance.reports.services import export_request, export_restart, export_run, exports_abandon_stuck
from contracting.models import Provider
from core import clock
from tests import factories
from tests.e2e.conftest import load_reference_data, reference_data_restored_afterwards  # noqa: F401


def database_url() -> str:
    p = connection.settings_dict
    return f"postgres://{p['USER']}@{p['HOST'] or '127.0.0.1'}:{p['PORT'] or 5432}/{p['NAME']}"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_worker_process_makes_the_queued_export_and_reevaluation(settings, tmp_path):
    load_reference_data()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    officer = factories.officer()
    provider = factories.ProviderFactory()
    # given an export and a re-evaluation queued by the app (committed task rows)
    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer
    )
    reevaluate_provider_task.enqueue(provider_id=provider.pk)
    assert Export.objects.get(pk=export.pk).status == ExportStatus.QUEUED
    assert DBTaskResult.objects.ready().count() == 2
    # when a worker process runs everything outstanding
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "MEDIA_ROOT": settings.MEDIA_ROOT,
    }
    manage = str(Path(django_settings.BASE_DIR) / "manage.py")
    done = subprocess.run(
        [sys.executable, manage, "db_worker", "--batch", "--no-startup-delay"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # then both tasks succeeded and the export has its file
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.sha256
    assert (Path(settings.MEDIA_ROOT) / export.file.name).stat().st_size == export.size


# --------------------------------------------------------------------------- the Redis (RQ) backend

RQ_TEST_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
RQ_BACKEND = "django_tasks_rq.RQBackend"
DB_BACKEND = "django_tasks_db.DatabaseBackend"


def use_backend(settings: Any, backend: str, media: Path) -> dict[str, str]:
    """Point this process and the worker processes at the same backend, database and files."""
    settings.TASKS = {"default": {"BACKEND": backend, "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": RQ_TEST_URL, "DEFAULT_TIMEOUT": 600}}
    settings.MEDIA_ROOT = str(media)
    if backend == RQ_BACKEND:
        redis.Redis.from_url(RQ_TEST_URL).flushdb()  # a database of its own: nothing of another run
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "TASKS_BACKEND": backend,
        "REDIS_URL": RQ_TEST_URL,
        "MEDIA_ROOT": str(media),
    }


def worker_command(backend: str, *, burst: bool) -> list[str]:
    manage = str(Path(django_settings.BASE_DIR) / "manage.py")
    if backend == RQ_BACKEND:
        return [sys.executable, manage, "rqworker", "--job-class", "django_tasks_rq.Job", "default"] + (
            ["--burst"] if burst else []
        )
    return [sys.executable, manage, "db_worker", "--no-startup-delay"] + (["--batch"] if burst else [])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_rq_worker_on_redis_makes_the_queued_export_and_reevaluation(settings, tmp_path):
    load_reference_data()
    env = use_backend(settings, RQ_BACKEND, tmp_path / "media")
    officer = factories.officer()
    provider = factories.ProviderFactory()
    factories.AgreementFactory(provider=provider)
    # given an export and a re-evaluation queued in Redis by the app
    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer
    )
    reevaluation = reevaluate_provider_task.enqueue(provider_id=provider.pk)
    assert django_rq.get_queue("default").count == 2
    # when an RQ worker process (another process, as on another machine) works the queue empty
    done = subprocess.run(
        worker_command(RQ_BACKEND, burst=True), env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # then both ran: the export has its file; the re-evaluation went over the provider's one live agreement
    reevaluation.refresh()
    assert reevaluation.status == TaskResultStatus.SUCCESSFUL and reevaluation.return_value == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.sha256
    assert hashlib.sha256((tmp_path / "media" / export.file.name).read_bytes()).hexdigest() == export.sha256


def export_folder(export: Export, media: Path) -> Path:
    return media / export_upload_to(export, "")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", [RQ_BACKEND, DB_BACKEND], ids=["rq", "database"])
def test_a_worker_killed_during_an_export_leaves_nothing_half_done(settings, tmp_path, backend):
    load_reference_data()
    media = tmp_path / "media"
    env = use_backend(settings, backend, media)
    officer = factories.officer()
    provider = factories.ProviderFactory()
    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer
    )
    # given a worker that has started the export (RUNNING is committed) and is making the file: another
    # connection holds the providers table, so the worker waits inside the generation, where we kill it
    blocker = psycopg.connect(database_url(), autocommit=False)
    blocker.execute(f"LOCK TABLE {Provider._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    worker = subprocess.Popen(
        worker_command(backend, burst=False),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: RQ's work horse is a child of the worker
    )
    try:
        deadline = time.monotonic() + 120
        while Export.objects.get(pk=export.pk).status != ExportStatus.RUNNING:
            assert time.monotonic() < deadline, "the worker did not start the export"
            assert worker.poll() is None, "the worker stopped by itself"
            time.sleep(0.05)
        time.sleep(0.5)  # the worker is now waiting for the providers table inside the generation
        # when the worker (and its work horse) is killed outright, as by the OOM killer or a lost machine
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        blocker.rollback()
        blocker.close()
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    # then nothing is half-done: the export is still RUNNING without a file, no file in storage, no
    # completion in the trail, and the trail is intact
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING and not export.file and not export.sha256
    assert not export_folder(export, media).exists() or not any(export_folder(export, media).iterdir())
    assert not AuditEvent.objects.filter(event="export.completed").exists()
    assert list(verify_chain()) == []
    # and it recovers: after the timeout the hourly job marks it failed, the officer starts it again, and a
    # new worker makes it whole
    with clock.travel(clock.now() + datetime.timedelta(minutes=settings.EXPORT_TIMEOUT_MINUTES + 1)):
        assert exports_abandon_stuck() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    export_restart(export=export, actor=officer)
    done = subprocess.run(
        worker_command(backend, burst=True), env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    files = list(export_folder(export, media).iterdir())
    assert [f.name for f in files] == [Path(export.file.name).name]
    assert hashlib.sha256(files[0].read_bytes()).hexdigest() == export.sha256
    assert AuditEvent.objects.filter(event="export.completed").count() == 1
    assert list(verify_chain()) == []


@pytest.mark.django_db
def test_a_rerun_export_removes_the_file_a_killed_attempt_left(settings, tmp_path):
    # a worker killed after storing the file but before recording it leaves a file nobody points to
    load_reference_data()
    settings.MEDIA_ROOT = str(tmp_path)
    officer = factories.officer()
    provider = factories.ProviderFactory()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # queued, not made
    export = export_request(
        kind="provider_dossier", parameters={"provider": str(provider.uuid)}, actor=officer
    )
    folder = tmp_path / export_upload_to(export, "")
    folder.mkdir(parents=True)
    (folder / "dossier-half.pdf").write_bytes(b"%PDF-1.7 half")
    export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert sorted(f.name for f in folder.iterdir()) == [Path(export.file.name).name]
