"""Race tests of the document services (PostgreSQL row locks; deselected on SQLite)."""

import io
import threading
import time
from unittest import mock

import pytest

from django.db import connection

from audit import services as audit
from audit.models import AuditEvent
from compliance.documents import services
from compliance.models import DocumentStatus, DocumentVersion
from core import transitions
from core.exceptions import InvalidTransition
from tests import factories
from tests.compliance import files
from tests.compliance.documents.helpers import uploaded
from tests.compliance.factories import DocumentFactory
from tests.e2e.conftest import load_reference_data

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 5


def race(call) -> tuple[list[int], list[Exception]]:
    barrier = threading.Barrier(THREADS)
    successes: list[int] = []
    failures: list[Exception] = []
    real_audit = audit.audit_record

    def slow_audit(**kwargs):
        time.sleep(0.05)  # widen the window between reading and committing
        return real_audit(**kwargs)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            call(i)
            successes.append(i)
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    with (
        mock.patch.object(services, "audit_record", slow_audit),
        mock.patch.object(transitions, "audit_record", slow_audit),
    ):
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return successes, failures


@pytest.fixture(autouse=True)
def reference_data():
    load_reference_data()  # a previous transactional test may have flushed it


def test_concurrent_accepts_exactly_one_wins(officer, provider_user):
    document = uploaded(provider_user)
    services.document_start_review(uuid=document.uuid, actor=officer)
    successes, failures = race(lambda i: services.document_accept(uuid=document.uuid, actor=officer))
    assert len(successes) == 1
    assert all(isinstance(f, InvalidTransition) for f in failures) and len(failures) == THREADS - 1
    assert AuditEvent.objects.filter(event="accountabilitydocument.accepted").count() == 1
    assert list(audit.verify_chain()) == []


def test_concurrent_uploads_get_distinct_version_numbers(provider, provider_user):
    document = DocumentFactory(provider=provider, status=DocumentStatus.REQUESTED)

    def upload(i: int) -> None:
        services.document_upload(
            uuid=document.uuid,
            actor=provider_user,
            file=io.BytesIO(files.pdf(f"versie {i}")),
            filename=f"v{i}.pdf",
        )

    successes, failures = race(upload)
    assert (len(successes), failures) == (THREADS, [])
    versions = list(DocumentVersion.objects.filter(document=document).order_by("number"))
    assert [v.number for v in versions] == list(range(1, THREADS + 1))
    assert [v.previous_id for v in versions] == [None, *[v.pk for v in versions[:-1]]]
    assert len({v.file.name for v in versions}) == THREADS
    document.refresh_from_db()
    assert (document.status, document.current_version_id) == (DocumentStatus.SUBMITTED, versions[-1].pk)
    assert factories  # (module used by the fixtures)
