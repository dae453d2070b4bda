"""Requesting and running exports: who may export what, background work, failures, idempotence."""

import datetime

import pytest

from django.core.management import call_command
from django.db import DatabaseError

from audit.models import AuditEvent
from compliance.models import Export, ExportStatus
from compliance.reports import pdf
from compliance.reports import services as report_services
from compliance.reports.services import (
    ABANDONED_MESSAGE,
    FAILED_MESSAGE,
    ExportForbidden,
    export_request,
    export_restart,
    export_run,
    exports_abandon_stuck,
)
from contracting.models import Provider
from core import clock
from core.exceptions import GuardFailed, InvalidInput
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def dossier(provider, **extra):
    return {"provider": str(provider.uuid), "language": "en", **extra}


def test_an_export_runs_as_background_work_once_the_request_commits(
    officer, provider, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = export_request(kind="provider_dossier", parameters=dossier(provider), actor=officer)
        assert export.status == ExportStatus.QUEUED  # nothing is made inside the request's transaction
    # then the task backend (in-process by default) made it
    assert len(callbacks) == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert export.finished_at >= export.started_at >= export.created_at
    assert export.content_type == "application/pdf" and export.filename.endswith(".pdf")


def test_auditors_and_officers_export_everything(auditor, officer, provider):
    authority = factories.MunicipalityFactory()
    for user in (auditor, officer):
        assert export_request(
            kind="provider_dossier", parameters=dossier(provider), actor=user, background=False
        )
        export = export_request(
            kind="period_report", parameters={"authority": str(authority.uuid)}, actor=user, background=False
        )
        assert export.status == ExportStatus.DONE


def test_a_provider_user_exports_the_dossier_of_their_own_organisation(provider, provider_user):
    export = export_request(
        kind="provider_dossier", parameters=dossier(provider), actor=provider_user, background=False
    )
    assert export.status == ExportStatus.DONE
    assert AuditEvent.objects.get(event="export.completed").actor == provider_user


def test_for_a_provider_user_another_organisation_does_not_exist(provider_user):
    other = factories.ProviderFactory()
    with pytest.raises(Provider.DoesNotExist):
        export_request(kind="provider_dossier", parameters=dossier(other), actor=provider_user)
    assert not Export.objects.exists()


@pytest.mark.parametrize("kind", ["workbook", "period_report"])
def test_a_provider_user_cannot_export_an_authority(provider_user, kind):
    authority = factories.MunicipalityFactory()
    with pytest.raises(ExportForbidden) as exc:
        export_request(kind=kind, parameters={"authority": str(authority.uuid)}, actor=provider_user)
    assert exc.value.code == "export_forbidden"


@pytest.mark.parametrize(
    ("kind", "parameters", "field"),
    [
        ("nonsense", {}, "kind"),
        ("workbook", {}, "authority"),
        ("workbook", {"authority": "not-a-uuid"}, "authority"),
        (
            "provider_dossier",
            {"provider": "6a3a1c2e-8a8e-4d5b-9d35-1f6f2a6b8c11", "as_of": "gisteren"},
            "as_of",
        ),
        ("provider_dossier", {"language": "fr"}, "language"),
    ],
)
def test_invalid_parameters_are_refused_and_name_the_field(officer, kind, parameters, field):
    with pytest.raises((InvalidInput, Provider.DoesNotExist)) as exc:
        export_request(kind=kind, parameters=parameters, actor=officer)
    if isinstance(exc.value, InvalidInput):
        assert exc.value.extra["field"] == field


def test_the_period_must_not_end_before_it_starts(officer):
    authority = factories.MunicipalityFactory()
    with pytest.raises(InvalidInput) as exc:
        export_request(
            kind="workbook",
            parameters={
                "authority": str(authority.uuid),
                "period_start": "2026-06-01",
                "period_end": "2026-01-01",
            },
            actor=officer,
        )
    assert exc.value.extra["field"] == "period_end"


def test_a_failing_export_is_recorded_as_failed(officer, monkeypatch):
    procedure = factories.ProcedureFactory()

    def broken(*args, **kwargs):
        raise RuntimeError("schijf vol")

    monkeypatch.setattr(pdf, "procedure_report", broken)
    export = export_request(
        kind="procedure_report",
        parameters={"procedure": str(procedure.uuid)},
        actor=officer,
        background=False,
    )
    # the requester reads what happened in words, never Python's own error text (only the log has it)
    assert (export.status, export.error, export.sha256, bool(export.file)) == (
        ExportStatus.FAILED,
        str(FAILED_MESSAGE),
        "",
        False,
    )
    event = AuditEvent.objects.get(event="export.failed")
    assert (event.actor, event.to_state, event.data["errorType"]) == (officer, "failed", "RuntimeError")
    assert "schijf vol" not in str(event.data)


def test_running_an_export_twice_makes_one_file(officer, provider):
    export = export_request(
        kind="provider_dossier", parameters=dossier(provider), actor=officer, background=False
    )
    again = export_run(export_id=export.pk)
    assert (again.sha256, again.file.name) == (export.sha256, export.file.name)
    assert AuditEvent.objects.filter(event="export.completed").count() == 1


def test_with_the_database_task_backend_a_worker_makes_the_export(
    officer, provider, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # when the request commits, the export is only queued, as a task row for the worker
    with django_capture_on_commit_callbacks(execute=True):
        export = export_request(kind="provider_dossier", parameters=dossier(provider), actor=officer)
    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED
    queued = DBTaskResult.objects.ready().get()
    assert queued.task_path == "compliance.reports.tasks.run_export_task"
    # then the worker runs it (what ``manage.py db_worker`` does with the row, minus its connection handling)
    assert queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"]) == "done"
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.sha256


def test_an_export_whose_worker_died_is_abandoned_after_the_timeout_and_can_be_started_again(
    officer, provider, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.EXPORT_TIMEOUT_MINUTES = 30
    start = clock.now()

    # given an export whose worker lost its database connection while making the file: the failure
    # cannot even be written, so the export stays 'running' (what a killed worker leaves too)
    def connection_lost(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(pdf, "provider_dossier", connection_lost)
    monkeypatch.setattr(report_services, "audit_record", connection_lost)
    export = export_request(
        kind="provider_dossier", parameters=dossier(provider), actor=officer, background=True
    )
    with pytest.raises(DatabaseError):
        export_run(export_id=export.pk)
    export.refresh_from_db()
    assert export.status == ExportStatus.RUNNING
    monkeypatch.undo()
    # when the hourly job looks before and after the timeout
    with clock.travel(start + datetime.timedelta(minutes=29)):
        assert exports_abandon_stuck() == 0
    with clock.travel(start + datetime.timedelta(minutes=31)):
        call_command("exports_recover")
        assert exports_abandon_stuck() == 0  # idempotent
    # then it is failed, with the reason in words and an audit event
    export.refresh_from_db()
    assert (export.status, export.error) == (ExportStatus.FAILED, str(ABANDONED_MESSAGE))
    event = AuditEvent.objects.get(event="export.abandoned", subject_uuid=export.uuid)
    assert (event.from_state, event.to_state, event.data["timeoutMinutes"]) == ("running", "failed", 30)
    # and whoever may make it starts it again: same record, made this time
    with django_capture_on_commit_callbacks(execute=True):
        export_restart(export=export, actor=officer)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE and export.sha256
    assert AuditEvent.objects.filter(event="export.restarted", subject_uuid=export.uuid).count() == 1


def test_a_queued_export_whose_task_was_lost_is_abandoned_too(officer, provider, settings):
    export = Export.objects.create(
        kind="provider_dossier", parameters=dossier(provider), requested_by=officer
    )
    with clock.travel(clock.now() + datetime.timedelta(minutes=settings.EXPORT_TIMEOUT_MINUTES + 1)):
        assert exports_abandon_stuck() == 1
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED


def test_only_a_failed_export_is_started_again_and_only_by_who_may_make_it(officer, provider, provider_user):
    done = export_request(
        kind="provider_dossier", parameters=dossier(provider), actor=officer, background=False
    )
    with pytest.raises(GuardFailed):
        export_restart(export=done, actor=officer)
    other = factories.ProviderFactory()
    failed = Export.objects.create(
        kind="provider_dossier", parameters=dossier(other), requested_by=officer, status=ExportStatus.FAILED
    )
    with pytest.raises(Provider.DoesNotExist):
        export_restart(export=failed, actor=provider_user)
    failed.refresh_from_db()
    assert failed.status == ExportStatus.FAILED
