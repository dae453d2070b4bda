"""Background work through a real worker process: `manage.py db_worker` (django-tasks' database backend) on
PostgreSQL picks up an export and a re-evaluation that a request queued, and makes them. Runs in the
PostgreSQL pass of .ci/run (the worker is another process: it needs a database both can reach)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from django.conf import settings as django_settings
from django.db import connection

from compliance.conditions.tasks import reevaluate_provider_task
from compliance.models import Export, ExportStatus
from compliance.reports.services import export_request
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
