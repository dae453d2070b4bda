"""Exports: request one (checked, queued, run in the background) and run one (file on the default storage
under ``exports/``, its SHA-256 and size, and an ``export.completed`` audit event carrying the checksum).

Who may export what: officers, auditors and administrators (``can_read_everything``) every report; a
provider user only the dossier of a provider they act for. Another provider's dossier is "not found"
for them, like everything else they cannot see.
"""

import datetime
import hashlib
import logging
import tempfile
from dataclasses import dataclass
from typing import IO, Any, overload
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_record
from compliance.models import Export, ExportKind, ExportStatus
from compliance.models.reports import export_upload_to
from compliance.reports import pdf, workbook
from compliance.reports.meta import ReportMeta
from compliance.reports.tasks import run_export_task
from contracting.models import ContractingAuthority, Procedure, Provider
from contracting.roles import can_read_everything, provider_ids_for
from core import clock
from core.actors import SYSTEM, Actor, stored_user
from core.exceptions import GuardFailed, InvalidInput, TransitionForbidden

logger = logging.getLogger(__name__)

CONTENT_TYPES: dict[str, str] = {  # by Export.kind
    ExportKind.WORKBOOK: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportKind.PROVIDER_DOSSIER: "application/pdf",
    ExportKind.PROCEDURE_REPORT: "application/pdf",
    ExportKind.PERIOD_REPORT: "application/pdf",
}
EXTENSIONS = {ExportKind.WORKBOOK: "xlsx"}
LANGUAGES = ("nl", "en")


FAILED_MESSAGE = gettext_lazy("The file could not be made. The failure is recorded; try again later.")
ABANDONED_MESSAGE = gettext_lazy(
    "The file was not finished in time (the background work stopped). Start the export again."
)


class ExportForbidden(TransitionForbidden):
    code = "export_forbidden"
    title = gettext_lazy("You are not allowed to make this export.")


@dataclass(frozen=True)
class Resolved:
    """The validated parameters of an export, with the objects they name."""

    parameters: dict[str, Any]
    authority: ContractingAuthority | None = None
    provider: Provider | None = None
    procedure: Procedure | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    as_of: datetime.date | None = None


@overload
def _date(parameters: dict[str, Any], name: str, default: datetime.date) -> datetime.date: ...
@overload
def _date(parameters: dict[str, Any], name: str, default: None) -> datetime.date | None: ...
def _date(parameters: dict[str, Any], name: str, default: datetime.date | None) -> datetime.date | None:
    value = parameters.get(name)
    if value in (None, ""):
        return default
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidInput(
            _("'%(value)s' is not a date (YYYY-MM-DD).") % {"value": value}, field=name
        ) from exc


def _object(model: Any, parameters: dict[str, Any], name: str) -> Any:
    value = parameters.get(name)
    if not value:
        raise InvalidInput(_("The parameter '%(name)s' is required.") % {"name": name}, field=name)
    try:
        return model.objects.get(uuid=UUID(str(value)))
    except ValueError as exc:
        raise InvalidInput(_("'%(value)s' is not a uuid.") % {"value": value}, field=name) from exc


def resolve_parameters(kind: str, parameters: dict[str, Any] | None) -> Resolved:
    """Check the parameters of ``kind`` and look up what they name (``DoesNotExist`` when absent)."""
    parameters = dict(parameters or {})
    if kind not in ExportKind.values:
        raise InvalidInput(_("Unknown export kind '%(kind)s'.") % {"kind": kind}, field="kind")
    language = parameters.get("language") or translation.get_language() or "nl"
    language = language.split("-")[0]
    if language not in LANGUAGES:
        raise InvalidInput(_("Unknown language '%(language)s'.") % {"language": language}, field="language")
    clean: dict[str, Any] = {"language": language}
    if kind in (ExportKind.WORKBOOK, ExportKind.PERIOD_REPORT):
        authority = _object(ContractingAuthority, parameters, "authority")
        year = clock.today().year
        start = _date(parameters, "period_start", datetime.date(year, 1, 1))
        end = _date(parameters, "period_end", datetime.date(year, 12, 31))
        if end < start:
            raise InvalidInput(_("The period ends before it starts."), field="period_end")
        clean.update(
            authority=str(authority.uuid), period_start=start.isoformat(), period_end=end.isoformat()
        )
        return Resolved(clean, authority=authority, start=start, end=end)
    if kind == ExportKind.PROVIDER_DOSSIER:
        provider = _object(Provider, parameters, "provider")
        as_of = _date(parameters, "as_of", None)
        clean.update(provider=str(provider.uuid), as_of=as_of.isoformat() if as_of else None)
        return Resolved(clean, provider=provider, as_of=as_of)
    procedure = _object(Procedure, parameters, "procedure")
    clean.update(procedure=str(procedure.uuid))
    return Resolved(clean, procedure=procedure, authority=procedure.authority)


def check_export_allowed(user: Actor, kind: str, resolved: Resolved) -> None:
    if can_read_everything(user):
        return
    if not (user and user.is_authenticated):
        raise ExportForbidden()
    if kind == ExportKind.PROVIDER_DOSSIER:
        assert resolved.provider is not None  # resolve_parameters names the provider of a dossier
        if resolved.provider.pk in provider_ids_for(user):
            return
        # another organisation's dossier does not exist for a provider user
        raise Provider.DoesNotExist(_("No such provider."))
    raise ExportForbidden(_("A provider user can only export the dossier of their own organisation."))


def export_request(
    *,
    kind: str,
    parameters: dict[str, Any] | None,
    actor: Actor,
    background: bool = True,
    as_system: bool = False,
) -> Export:
    """Record a requested export and have it made: by the task backend once the request commits
    (``background``), or right now. ``as_system``: made by the system (a management command run by an
    administrator on the server) when there is no ``actor``."""
    resolved = resolve_parameters(kind, parameters)
    if not (as_system and actor is None):
        check_export_allowed(actor, kind, resolved)
    export = Export.objects.create(
        kind=kind,
        parameters=resolved.parameters,
        requested_by=stored_user(actor),
        authority=resolved.authority,
        provider=resolved.provider,
        procedure=resolved.procedure,
    )
    if background:
        export_id = export.pk
        transaction.on_commit(lambda: run_export_task.enqueue(export_id=export_id))
        return export
    return export_run(export_id=export.pk)


def _generate(export: Export, resolved: Resolved, out: IO[bytes]) -> tuple[str, ReportMeta]:
    """Write the file; returns its name and what the file states about itself."""
    meta = ReportMeta.now(export.requested_by, str(export.uuid))
    stamp = timezone.localtime(meta.generated_at).strftime("%Y%m%d-%H%M%S")
    if export.kind in (ExportKind.WORKBOOK, ExportKind.PERIOD_REPORT):
        authority, start, end = resolved.authority, resolved.start, resolved.end
        # resolve_parameters names the authority and the period of these kinds
        assert authority is not None and start is not None and end is not None
        name = f"{authority.cbs_code or authority.pk}-{start:%Y%m%d}-{end:%Y%m%d}-{stamp}"
        if export.kind == ExportKind.WORKBOOK:
            workbook.write_workbook(out, authority=authority, start=start, end=end, meta=meta)
            return f"workbook-{name}.xlsx", meta
        pdf.period_report(out, authority=authority, start=start, end=end, meta=meta)
        return f"period-report-{name}.pdf", meta
    if export.kind == ExportKind.PROVIDER_DOSSIER:
        # made for who requested it (a provider user reads no investigations); nobody: the system
        reader = export.requested_by if export.requested_by is not None else SYSTEM
        assert resolved.provider is not None  # resolve_parameters names the provider of a dossier
        pdf.provider_dossier(out, provider=resolved.provider, meta=meta, reader=reader, as_of=resolved.as_of)
        return f"dossier-{resolved.provider.kvk_number}-{stamp}.pdf", meta
    assert resolved.procedure is not None  # what is left is the procedure report, which names one
    pdf.procedure_report(out, procedure=resolved.procedure, meta=meta)
    reference = "".join(c if c.isalnum() or c in "-_" else "-" for c in resolved.procedure.reference)
    return f"procedure-{reference}-{stamp}.pdf", meta


def _remove_leftovers(export: Export) -> int:
    """Delete the files an earlier attempt at this export left in its own folder (a worker killed between
    storing the file and recording it): a stored file that no export points to is never left behind."""
    storage = export.file.storage
    folder = export_upload_to(export, "").rstrip("/")
    try:
        _dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for name in files:
        path = f"{folder}/{name}"
        if path != export.file.name:
            storage.delete(path)
            removed += 1
    if removed:
        logger.warning("export_leftovers_removed export=%s count=%s", export.uuid, removed)
    return removed


def export_run(*, export_id: int) -> Export:
    """Make the file of a queued export. Idempotent: a finished export is left as it is."""
    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export_id)
        if export.status in (ExportStatus.DONE, ExportStatus.RUNNING):
            return export
        export.status, export.started_at = ExportStatus.RUNNING, clock.now()
        export.save(update_fields=["status", "started_at", "updated_at"])
    try:
        _remove_leftovers(export)
        resolved = resolve_parameters(export.kind, export.parameters)
        with translation.override(resolved.parameters["language"]), tempfile.TemporaryFile() as out:
            filename, meta = _generate(export, resolved, out)
            size = out.tell()
            out.seek(0)
            digest = hashlib.sha256()
            for chunk in iter(lambda: out.read(1 << 20), b""):
                digest.update(chunk)
            out.seek(0)
            audit_hash = meta.audit_hash
            export.file.save(filename, File(out, name=filename), save=False)
    except Exception as exc:  # the export fails, visibly; the error is recorded and audited
        # the technical text goes to the log only: the export (which the requester reads) and the audit
        # event say what happened in words and name the kind of error
        logger.exception("export_failed export=%s kind=%s", export.uuid, export.kind)
        with transaction.atomic():
            export.status, export.error, export.finished_at = (
                ExportStatus.FAILED,
                str(FAILED_MESSAGE),
                clock.now(),
            )
            export.save(update_fields=["status", "error", "finished_at", "updated_at"])
            audit_record(
                actor=export.requested_by,
                event="export.failed",
                subject=export,
                from_state=ExportStatus.RUNNING,
                to_state=ExportStatus.FAILED,
                data={
                    "kind": export.kind,
                    "parameters": export.parameters,
                    "errorType": type(exc).__name__,
                },
            )
        return export
    with transaction.atomic():
        export.filename, export.content_type = filename, CONTENT_TYPES[export.kind]
        export.sha256, export.size, export.audit_hash = digest.hexdigest(), size, audit_hash
        export.status, export.finished_at = ExportStatus.DONE, clock.now()
        export.save()
        audit_record(
            actor=export.requested_by,
            event="export.completed",
            subject=export,
            from_state=ExportStatus.RUNNING,
            to_state=ExportStatus.DONE,
            data={
                "kind": export.kind,
                "parameters": export.parameters,
                "file": export.filename,
                "sha256": export.sha256,
                "size": export.size,
                "auditHash": export.audit_hash,
            },
        )
    logger.info("export_done export=%s kind=%s size=%s", export.uuid, export.kind, size)
    return export


def exports_abandon_stuck(*, now: datetime.datetime | None = None) -> int:
    """Mark as failed every export that has been queued or running for longer than
    ``EXPORT_TIMEOUT_MINUTES`` (its worker or database connection died, or its task was lost), each with
    an ``export.abandoned`` audit event, so that it can be started again. Run hourly by the scheduler;
    idempotent. Returns how many exports were abandoned."""
    now = now or clock.now()
    limit = now - datetime.timedelta(minutes=settings.EXPORT_TIMEOUT_MINUTES)
    stuck = Q(status=ExportStatus.RUNNING, started_at__lt=limit) | Q(
        status=ExportStatus.QUEUED, created_at__lt=limit
    )
    abandoned = 0
    for pk in Export.objects.filter(stuck).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            export = Export.objects.select_for_update().get(pk=pk)
            if not (
                (export.status == ExportStatus.RUNNING and export.started_at and export.started_at < limit)
                or (export.status == ExportStatus.QUEUED and export.created_at < limit)
            ):
                continue  # finished (or restarted) since the list was read
            before = export.status
            export.status, export.error, export.finished_at = (
                ExportStatus.FAILED,
                str(ABANDONED_MESSAGE),
                now,
            )
            export.save(update_fields=["status", "error", "finished_at", "updated_at"])
            _remove_leftovers(export)
            audit_record(
                actor=SYSTEM,
                event="export.abandoned",
                subject=export,
                from_state=before,
                to_state=ExportStatus.FAILED,
                data={
                    "kind": export.kind,
                    "since": (export.started_at or export.created_at).isoformat(),
                    "timeoutMinutes": settings.EXPORT_TIMEOUT_MINUTES,
                },
            )
            abandoned += 1
    if abandoned:
        logger.warning("exports_abandoned count=%s", abandoned)
    return abandoned


def export_restart(*, export: Export, actor: Actor) -> Export:
    """Queue a failed export again (same kind and parameters, same record), for whoever may make it."""
    with transaction.atomic():
        export = Export.objects.select_for_update().get(pk=export.pk)
        resolved = resolve_parameters(export.kind, export.parameters)
        check_export_allowed(actor, export.kind, resolved)
        if export.status != ExportStatus.FAILED:
            raise GuardFailed(
                _("Only a failed export can be started again."),
                unmet=[
                    {"code": "export_not_failed", "message": _("Only a failed export can be started again.")}
                ],
            )
        export.status, export.error, export.started_at, export.finished_at = (
            ExportStatus.QUEUED,
            "",
            None,
            None,
        )
        export.save(update_fields=["status", "error", "started_at", "finished_at", "updated_at"])
        audit_record(
            actor=actor,
            event="export.restarted",
            subject=export,
            from_state=ExportStatus.FAILED,
            to_state=ExportStatus.QUEUED,
            data={"kind": export.kind},
        )
        export_id = export.pk
        transaction.on_commit(lambda: run_export_task.enqueue(export_id=export_id))
    return export


def export_download(*, export: Export, actor: Actor) -> IO[bytes]:
    """Open the file of a finished export for ``actor`` (who must be allowed to see the export: see
    compliance.reports.selectors); each download is recorded in the audit trail."""
    if export.status != ExportStatus.DONE:
        raise InvalidInput(_("This export has no file (yet)."))
    handle = export.file.open("rb")
    audit_record(
        actor=actor,
        event="export.downloaded",
        subject=export,
        data={"kind": export.kind, "file": export.filename, "sha256": export.sha256},
    )
    return handle
