"""Requesting and running exports: who may export what, background work, failures, idempotence."""

import pytest

from audit.models import AuditEvent
from compliance.models import Export, ExportStatus
from compliance.reports import pdf
from compliance.reports.services import ExportForbidden, export_request, export_run
from contracting.models import Provider
from core.exceptions import InvalidInput
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
    assert (export.status, export.error, export.sha256, bool(export.file)) == (
        ExportStatus.FAILED,
        "schijf vol",
        "",
        False,
    )
    event = AuditEvent.objects.get(event="export.failed")
    assert (event.actor, event.to_state, event.data["error"]) == (officer, "failed", "schijf vol")


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
