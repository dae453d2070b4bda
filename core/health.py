"""``GET /health``: can this app server do its work? The database answers, the document storage answers,
the task backend answers. 200 when all do, 503 when one does not; the answer names only the parts and
"ok"/"unavailable", never a host, a path, a key or an error text (those go to the log)."""

import logging
import time

import django_rq
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import RQBackend

from django.core.files.storage import storages
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _storage() -> None:
    storages["documents"].exists("health-probe")  # a HEAD on object storage, a stat on disk


def _tasks() -> None:
    # the database backend's queue is a table, the RQ backend's queues are in Redis; the in-process
    # (immediate) backend has nothing to ask. (The backend itself, not the `default_task_backend` proxy, which
    # is no instance of any backend class.)
    backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
    if isinstance(backend, DatabaseBackend):
        DBTaskResult.objects.exists()
    elif isinstance(backend, RQBackend):
        for queue in backend.queues:
            django_rq.get_connection(queue).ping()


CHECKS = {"database": _database, "storage": _storage, "tasks": _tasks}


@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception:  # reported as unavailable; the reason goes to the log, not to the caller
            logger.exception("health_check_failed part=%s", name)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
        logger.debug("health_check part=%s ms=%.1f", name, (time.monotonic() - started) * 1000)
    healthy = all(v == "ok" for v in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", "checks": results}, status=200 if healthy else 503
    )
