"""Serving: /health, the request id on responses and log lines, JSON logs, static files by whitenoise."""

import json
import logging

import pytest

from django.test import Client

from core import health as health_module
from core.request_id import RequestIdFilter


@pytest.mark.django_db
def test_health_answers_ok_when_database_storage_and_tasks_answer():
    response = Client().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "storage": "ok", "tasks": "ok"}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_503_and_names_the_part_but_no_secret(monkeypatch, caplog, settings):
    def down():
        raise OSError(f"connection refused to {settings.SECRET_KEY}@db.internal:5432")

    monkeypatch.setitem(health_module.CHECKS, "database", down)
    response = Client().get("/health")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "storage": "ok", "tasks": "ok"}
    assert (
        settings.SECRET_KEY not in response.content.decode()
        and "db.internal" not in response.content.decode()
    )
    assert "health_check_failed part=database" in caplog.text


@pytest.mark.django_db
def test_health_with_the_database_task_backend_asks_its_queue(settings, django_assert_num_queries):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with django_assert_num_queries(2):  # SELECT 1, and the queue table
        assert Client().get("/health").json()["checks"]["tasks"] == "ok"


@pytest.mark.django_db
def test_health_with_the_redis_task_backend_pings_its_queue(settings):
    # the local Redis of the machine (CI has one); a closed port is reported unavailable, without the address
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/15"}}
    assert Client().get("/health").json()["checks"]["tasks"] == "ok"
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/15"}}
    response = Client().get("/health")
    assert response.status_code == 503 and response.json()["checks"]["tasks"] == "unavailable"
    assert "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_a_proxys_well_formed_id_is_kept():
    client = Client()
    fresh = client.get("/health")["X-Request-ID"]
    assert len(fresh) == 32
    assert client.get("/health", HTTP_X_REQUEST_ID="proxy-abc-12345")["X-Request-ID"] == "proxy-abc-12345"
    assert client.get("/health", HTTP_X_REQUEST_ID="<script>x")["X-Request-ID"] != "<script>x"


def test_log_lines_are_json_objects_with_the_request_id(settings):
    from django.utils.module_loading import import_string

    spec = settings.LOGGING["formatters"]["json"]
    formatter = import_string(spec["()"])(**{k: v for k, v in spec.items() if k != "()"})
    record = logging.LogRecord(
        "zorginkoop.test", logging.INFO, __file__, 1, "export_done export=%s", ("u",), None
    )
    RequestIdFilter().filter(record)
    line = json.loads(formatter.format(record))
    assert line["message"] == "export_done export=u"
    assert line["level"] == "INFO" and line["logger"] == "zorginkoop.test" and line["request_id"] == "-"


def test_static_files_are_served_by_whitenoise(settings):
    assert settings.MIDDLEWARE.index("whitenoise.middleware.WhiteNoiseMiddleware") == 2
    assert settings.STORAGES["staticfiles"]["BACKEND"].startswith("whitenoise.")
