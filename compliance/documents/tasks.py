"""Background work of the document flow (django-tasks): small, idempotent functions that call a service."""

from django_tasks import task


@task()
def documents_daily_task() -> dict:
    """Request what is due, expire what lapsed, sweep orphan files, send the reminder digests."""
    from compliance.documents.reminders import document_reminders_send
    from compliance.documents.services import (
        document_files_sweep,
        document_generate_requests,
        documents_expire_lapsed,
    )

    return {
        "requested": document_generate_requests(),
        "expired": documents_expire_lapsed(),
        "orphans_deleted": document_files_sweep(),
        "reminders_sent": document_reminders_send(),
    }


@task()
def send_document_reminders_task() -> int:
    from compliance.documents.reminders import document_reminders_send

    return document_reminders_send()
