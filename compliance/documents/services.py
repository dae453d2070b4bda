"""Writes of accountability documents: requests from the requirements, uploads (new versions), the
review transitions, expiry and the reminder e-mails. Each public function is one domain operation;
state changes go through core.transitions.perform_transition (lock, permission, reason, guards, save,
audit in one transaction).

Deliver once: there is one document per provider, document type and period (``period_key``), whatever
the number of agreements, memberships, conditions and authorities that ask for it; it is linked to all
of them (``requirements``) and an accepted one is evidence for every condition that uses its type.
"""

import datetime
import logging
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any, BinaryIO
from uuid import UUID

from django.core.files import File
from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from audit.services import audit_record
from compliance.conditions.tasks import reevaluate_provider_task
from compliance.documents import periods
from compliance.documents.selectors import procedure_documents_asked, requirement_bindings
from compliance.documents.validation import UploadRefused, validate_upload
from compliance.models import (
    AccountabilityDocument,
    DocumentRequirement,
    DocumentStatus,
    DocumentType,
    DocumentVersion,
    Recurrence,
)
from compliance.models.documents import CAN_SUBMIT_DOCUMENTS, OPEN_STATES, version_upload_to
from contracting.models import Application, ApplicationStatus
from core import clock
from core.actors import SYSTEM, Actor, acting_user
from core.exceptions import InvalidInput, InvalidTransition, TransitionForbidden
from core.guards import Unmet
from core.storage import document_storage
from core.transitions import check_precondition, perform_transition

log = logging.getLogger(__name__)

PERIODIC_KEY = re.compile(r"^\d{4}(-Q[1-4])?$")
UPLOAD_STATES = (DocumentStatus.REQUESTED, DocumentStatus.REJECTED, DocumentStatus.SUBMITTED)


# --------------------------------------------------------------------------- guards


def document_has_a_file(document: AccountabilityDocument, actor: Actor = None) -> Iterable[Unmet]:
    """A file has been uploaded."""
    if document.current_version_id is None:
        yield Unmet("no_file", _("No file has been uploaded for this document."))


def document_has_a_new_version(document: AccountabilityDocument, actor: Actor = None) -> Iterable[Unmet]:
    """After a rejection, a new version was uploaded since the verdict."""
    if document.status != DocumentStatus.REJECTED or document.reviewed_at is None:
        return
    latest = document.current_version
    if latest is None or latest.uploaded_at <= document.reviewed_at:
        yield Unmet("no_new_version", _("Upload a new version before submitting the document again."))


# --------------------------------------------------------------------------- transitions


def _reevaluate_after(document: AccountabilityDocument, from_state: str) -> dict[str, Any]:
    """Re-evaluates the conditions of the provider once the change has committed."""

    provider_id = document.provider_id
    transaction.on_commit(lambda: reevaluate_provider_task.enqueue(provider_id=provider_id))
    return {
        "validFrom": document.valid_from.isoformat() if document.valid_from else None,
        "validUntil": document.valid_until.isoformat() if document.valid_until else None,
        "sha256": document.sha256,
    }


def document_submit(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> AccountabilityDocument:
    return perform_transition(
        model=AccountabilityDocument,
        uuid=uuid,
        name="submit",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[document_has_a_file, document_has_a_new_version],
        kwargs={"at": clock.now()},
    )


def document_start_review(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> AccountabilityDocument:
    return perform_transition(
        model=AccountabilityDocument,
        uuid=uuid,
        name="start_review",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[document_has_a_file],
    )


def document_accept(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> AccountabilityDocument:
    now = clock.now()
    valid_from = valid_until = None
    if uuid is not None:  # (None only when the docs generator records the call)
        # Type, period and file cannot change while the document is in review (uploads are refused).
        document = AccountabilityDocument.objects.select_related("document_type", "current_version").get(
            uuid=uuid
        )
        version = document.current_version
        valid_from, valid_until = periods.validity(
            validity_months=document.document_type.validity_months,
            accepted_on=clock.localdate(now),
            issued_on=version.issued_on if version else None,
            period_end=document.period_end,
        )
    return perform_transition(
        model=AccountabilityDocument,
        uuid=uuid,
        name="accept",
        actor=actor,
        if_match=if_match,
        reason=reason,
        guards=[document_has_a_file],
        kwargs={"by": actor, "at": now, "valid_from": valid_from, "valid_until": valid_until},
        after=_reevaluate_after,
    )


def document_reject(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> AccountabilityDocument:
    return perform_transition(
        model=AccountabilityDocument,
        uuid=uuid,
        name="reject",
        actor=actor,
        if_match=if_match,
        reason=reason,
        reason_required=True,
        kwargs={"reason": (reason or "").strip(), "by": actor, "at": clock.now()},
        after=_reevaluate_after,
    )


def document_expire(
    *, uuid: UUID, actor: Actor, reason: str = "", if_match: str | None = None
) -> AccountabilityDocument:
    return perform_transition(
        model=AccountabilityDocument,
        uuid=uuid,
        name="expire",
        actor=actor,
        if_match=if_match,
        reason=reason,
        after=_reevaluate_after,
    )


DOCUMENT_TRANSITIONS = {
    "submit": document_submit,
    "start_review": document_start_review,
    "accept": document_accept,
    "reject": document_reject,
    "expire": document_expire,
}


# --------------------------------------------------------------------------- upload


def document_upload(
    *,
    uuid: UUID,
    actor: Actor,
    file: BinaryIO,
    filename: str,
    size: int | None = None,
    issued_on: datetime.date | None = None,
    if_match: str | None = None,
) -> DocumentVersion:
    """Store an uploaded file as the next version of the document and submit it (a rejected document
    goes back to review with it). The file is checked first (compliance.documents.validation); it is
    written only once the row is valid, inside the transaction, and deleted again when the transaction
    fails. A stored file is never overwritten: every upload gets a new name."""
    checked = validate_upload(file, filename, size)
    storage = document_storage()
    stored: list[str] = []
    try:
        with transaction.atomic():
            document = AccountabilityDocument.objects.select_for_update().get(uuid=uuid)
            if not CAN_SUBMIT_DOCUMENTS(document, actor):
                raise TransitionForbidden(_("You are not allowed to upload documents for this provider."))
            check_precondition(document, if_match)
            if document.status not in UPLOAD_STATES:
                raise InvalidTransition(
                    _("A new version cannot be uploaded while the document is '%(status)s'.")
                    % {"status": document.get_status_display()},
                    current_status=document.status,
                )
            document_type = DocumentType.objects.get(pk=document.document_type_id)
            _check_issued_on(document_type, issued_on)
            latest = document.versions.aggregate(n=Max("number"))["n"] or 0
            version = DocumentVersion(
                document=document,
                number=latest + 1,
                previous_id=document.current_version_id,
                original_filename=checked.original_filename,
                filename=checked.filename,
                size=checked.size,
                sha256=checked.sha256,
                content_type=checked.content_type,
                issued_on=issued_on,
                uploaded_by=acting_user(actor),
                uploaded_at=clock.now(),
            )
            version.full_clean(exclude=["file"])
            # The row is valid: now write the file, under a name of its own.
            file.seek(0)
            name = storage.save(version_upload_to(version, checked.filename), File(file, checked.filename))
            stored.append(name)
            version.file.name = name
            version.save()
            document.current_version = version
            document.sha256 = checked.sha256
            document.save(update_fields=["current_version", "sha256", "updated_at"])
            audit_record(
                actor=actor,
                event="accountabilitydocument.uploaded",
                subject=document,
                from_state=document.status,
                to_state=document.status,
                data={
                    "version": version.number,
                    "sha256": checked.sha256,
                    "size": checked.size,
                    "contentType": checked.content_type,
                    "filename": checked.filename,
                    "issuedOn": issued_on.isoformat() if issued_on else None,
                },
            )
            if document.status != DocumentStatus.SUBMITTED:
                document_submit(uuid=document.uuid, actor=actor)
    except BaseException:
        for name in stored:  # the transaction failed: leave no orphan file behind
            try:
                storage.delete(name)
            except Exception:  # pragma: no cover - the sweep (document_files_sweep) catches what is left
                log.exception("document_file_cleanup_failed name=%s", name)
        raise
    return version


def _check_issued_on(document_type: DocumentType, issued_on: datetime.date | None) -> None:
    today = clock.today()
    if issued_on and issued_on > today:
        raise UploadRefused(
            "issued_on_in_future", _("The date of the document cannot lie in the future."), field="issuedOn"
        )
    if document_type.max_age_months:
        if issued_on is None:
            raise UploadRefused(
                "issued_on_required",
                _("Give the date of the document: a %(type)s may be at most %(months)s months old.")
                % {"type": document_type.name, "months": document_type.max_age_months},
                field="issuedOn",
            )
        if issued_on < periods.oldest_allowed_issue_date(document_type.max_age_months, today):
            raise UploadRefused(
                "document_too_old",
                _("The document is older than %(months)s months; upload a recent one.")
                % {"months": document_type.max_age_months},
                field="issuedOn",
            )


# --------------------------------------------------------------------------- documents of an application


APPLICATION_STATES = (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW)


def document_request_for_application(
    *, application_uuid: UUID, document_type_code: str, actor: Actor
) -> AccountabilityDocument:
    """The document of a type the procedure asks, for the provider of an application that is still being
    made or decided, so that it can be uploaded in the same flow. Deliver once: a document of that type
    that is accepted and in force, or still being delivered, is returned as it is; only when there is none
    is one requested (linked to the requirements of the procedure that ask for the type)."""
    today = clock.today()
    with transaction.atomic():
        application = (
            Application.objects.select_for_update()
            .select_related("procedure", "provider")
            .get(uuid=application_uuid)
        )
        if not CAN_SUBMIT_DOCUMENTS(application, actor):
            raise TransitionForbidden(_("You are not allowed to upload documents for this provider."))
        if application.status not in APPLICATION_STATES:
            raise InvalidTransition(
                _("Documents are delivered with an application until it is decided."),
                current_status=application.status,
            )
        asked = {a.document_type.code: a for a in procedure_documents_asked(application.procedure)}
        if document_type_code not in asked:
            raise InvalidInput(_("The procedure does not ask for this document."), field="documentType")
        document_type = asked[document_type_code].document_type
        mine = AccountabilityDocument.objects.filter(
            provider=application.provider, document_type=document_type
        )
        current = (
            mine.filter(status=DocumentStatus.ACCEPTED, valid_from__lte=today)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
            .order_by("-created_at")
            .first()
        ) or mine.filter(status__in=OPEN_STATES).order_by("-created_at").first()
        if current is not None:
            return current
        document = AccountabilityDocument.objects.create(
            provider=application.provider,
            document_type=document_type,
            period_key=f"application-{application.uuid}",
            due_date=application.procedure.application_deadline,
        )
        document.requirements.set(
            DocumentRequirement.objects.filter(is_active=True, document_type=document_type)
            .filter(
                Q(procedure=application.procedure)
                | Q(condition__requirements__procedure=application.procedure)
            )
            .distinct()
        )
        audit_record(
            actor=actor,
            event="accountabilitydocument.requested",
            subject=document,
            to_state=document.status,
            data={
                "application": str(application.uuid),
                "procedure": application.procedure.reference,
                "dueDate": document.due_date.isoformat() if document.due_date else None,
            },
        )
    return document


# --------------------------------------------------------------------------- requests


def document_generate_requests(*, today: datetime.date | None = None, actor: Actor = SYSTEM) -> int:
    """Create the requested documents that the active requirements call for, up to ``today``: per
    provider, type and period, one document whatever the number of requirements asking for it, linked
    to each of them. Idempotent: running it again creates nothing new. Returns the number created."""
    today = today or clock.today()
    requirements = list(
        DocumentRequirement.objects.filter(is_active=True, starts_on__lte=today)
        .select_related("document_type", "condition")
        .order_by("pk")
    )
    if not requirements:
        return 0
    bindings = requirement_bindings(requirements)
    type_ids = sorted({r.document_type_id for r in requirements})

    with transaction.atomic():
        # Serialise concurrent runs: lock the document types involved (always in pk order).
        list(DocumentType.objects.select_for_update().filter(pk__in=type_ids).order_by("pk"))
        existing = _existing_documents(type_ids, {b.provider_id for bs in bindings.values() for b in bs})
        wanted: dict[tuple[int, int, str], dict[str, Any]] = {}
        links: set[tuple[tuple[int, int, str], int]] = set()
        for requirement in requirements:
            for binding in bindings[requirement.pk]:
                for period, due in _periods_due(requirement, binding, today, existing):
                    scope = f"agreement-{binding.agreement_id}:" if binding.agreement_id else ""
                    key = (binding.provider_id, requirement.document_type_id, scope + period.key)
                    links.add((key, requirement.pk))
                    if key in existing["keys"]:
                        continue
                    row = wanted.setdefault(
                        key,
                        {
                            "period_start": period.start,
                            "period_end": period.end,
                            "due_date": due,
                            "agreement_id": binding.agreement_id,
                        },
                    )
                    row["due_date"] = min(row["due_date"], due)
        new = [
            AccountabilityDocument(
                provider_id=provider_id,
                document_type_id=type_id,
                period_key=period_key,
                **values,
            )
            for (provider_id, type_id, period_key), values in sorted(wanted.items())
        ]
        AccountabilityDocument.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
        ids = _document_ids({key for key, _r in links})
        through = AccountabilityDocument.requirements.through
        through.objects.bulk_create(
            [
                through(accountabilitydocument_id=ids[key], documentrequirement_id=requirement_id)
                for key, requirement_id in sorted(links)
                if key in ids
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        created = list(
            AccountabilityDocument.objects.filter(pk__in=[ids[key] for key in wanted if key in ids])
            .select_related("provider", "document_type")
            .order_by("pk")
        )
        for document in created:
            audit_record(
                actor=actor,
                event="accountabilitydocument.requested",
                subject=document,
                to_state=document.status,
                data={
                    "period": document.period_key,
                    "dueDate": document.due_date.isoformat() if document.due_date else None,
                },
            )
    if created:
        log.info("documents_requested count=%s", len(created))
    return len(created)


def _existing_documents(type_ids: list[int], provider_ids: set[int]) -> dict[str, Any]:
    """What exists for these providers and types: every key, and per (provider, type, scope) of
    one-off documents whether one is open and until when an accepted one is valid."""
    keys: set[tuple[int, int, str]] = set()
    once: dict[tuple[int, int, str], dict[str, Any]] = defaultdict(
        lambda: {"open": False, "valid_until": None, "forever": False, "lapsed": None, "any": False}
    )
    rows = AccountabilityDocument.objects.filter(
        document_type_id__in=type_ids, provider_id__in=provider_ids
    ).values_list("provider_id", "document_type_id", "period_key", "status", "valid_until")
    for provider_id, type_id, period_key, status, valid_until in rows.iterator(chunk_size=5000):
        keys.add((provider_id, type_id, period_key))
        scope, _sep, rest = period_key.rpartition(":") if ":" in period_key else ("", "", period_key)
        if PERIODIC_KEY.match(rest):
            continue  # a document for a year or quarter
        entry = once[(provider_id, type_id, scope + (":" if scope else ""))]
        entry["any"] = True
        if status in OPEN_STATES:
            entry["open"] = True
        elif status == DocumentStatus.ACCEPTED:
            if valid_until is None:
                entry["forever"] = True
            elif entry["valid_until"] is None or valid_until > entry["valid_until"]:
                entry["valid_until"] = valid_until
        if status in (DocumentStatus.ACCEPTED, DocumentStatus.EXPIRED) and valid_until is not None:
            entry["lapsed"] = max(entry["lapsed"] or valid_until, valid_until)
    return {"keys": keys, "once": once}


def _periods_due(
    requirement: DocumentRequirement, binding: Any, today: datetime.date, existing: dict[str, Any]
) -> list[tuple[periods.Period, datetime.date]]:
    """The periods of this requirement for this binding that are due to be requested by ``today``."""
    since = max(requirement.starts_on, binding.since)

    def due_date(period: periods.Period) -> datetime.date:
        return periods.due_date(
            rule=requirement.due_rule,
            due_days=requirement.due_days,
            due_day=requirement.due_day,
            due_month=requirement.due_month,
            period=period,
            anchor=since,
        )

    notice = datetime.timedelta(days=requirement.notice_days)
    if requirement.recurrence == Recurrence.ONCE:
        scope = f"agreement-{binding.agreement_id}:" if binding.agreement_id else ""
        state = existing["once"].get((binding.provider_id, requirement.document_type_id, scope))
        if state is None or not state["any"]:
            period = periods.Period("", None, None)
            return [(period, due_date(period))]
        if state["open"] or state["forever"]:
            return []
        if state["valid_until"] and state["valid_until"] - notice > today:
            return []  # still valid for longer than the notice period
        lapse = state["valid_until"] or state["lapsed"]
        if lapse is None:
            return []
        # A renewal, due when the accepted one lapses (deterministic key: idempotent).
        return [(periods.Period(f"renew-{lapse.isoformat()}", None, None), lapse)]
    last = today if requirement.ends_on is None else min(today, requirement.ends_on)
    found = []
    for period in periods.periods_between(requirement.recurrence, since, last):
        due = due_date(period)
        if due - notice <= today:
            found.append((period, due))
    return found


def _document_ids(keys: set[tuple[int, int, str]]) -> dict[tuple[int, int, str], int]:
    if not keys:
        return {}
    provider_ids = {k[0] for k in keys}
    type_ids = {k[1] for k in keys}
    rows = AccountabilityDocument.objects.filter(
        provider_id__in=provider_ids, document_type_id__in=type_ids
    ).values_list("pk", "provider_id", "document_type_id", "period_key")
    return {(p, t, k): pk for pk, p, t, k in rows.iterator(chunk_size=5000) if (p, t, k) in keys}


# --------------------------------------------------------------------------- expiry and files


def documents_expire_lapsed(*, today: datetime.date | None = None) -> int:
    """Expire every accepted document whose validity ended before ``today`` (daily)."""
    today = today or clock.today()
    uuids = list(
        AccountabilityDocument.objects.filter(status=DocumentStatus.ACCEPTED, valid_until__lt=today)
        .order_by("pk")
        .values_list("uuid", flat=True)
    )
    for uuid in uuids:
        document_expire(uuid=uuid, actor=SYSTEM, reason=_("The validity period has ended."))
    return len(uuids)


def document_files_sweep(*, older_than: datetime.timedelta = datetime.timedelta(hours=6)) -> int:
    """Delete stored files that no version refers to (left by a transaction that rolled back after
    the upload service had returned, e.g. in an enclosing transaction). Only files older than
    ``older_than``, so an upload in progress is never touched. Returns the number deleted."""
    storage = document_storage()
    known = set(DocumentVersion.objects.values_list("file", flat=True))
    cutoff = clock.now() - older_than
    deleted = 0
    for name in _walk(storage, "documents"):
        if name in known:
            continue
        try:
            modified = storage.get_modified_time(name)
        except (NotImplementedError, OSError):
            continue
        if modified < cutoff:
            storage.delete(name)
            deleted += 1
            log.warning("document_orphan_file_deleted name=%s", name)
    return deleted


def _walk(storage: Any, path: str) -> Iterable[str]:
    try:
        directories, files = storage.listdir(path)
    except (FileNotFoundError, NotImplementedError):
        return
    for name in files:
        yield f"{path}/{name}"
    for directory in directories:
        yield from _walk(storage, f"{path}/{directory}")
