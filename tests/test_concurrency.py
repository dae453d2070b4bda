"""Race tests: two (here five) concurrent transitions of the same row cannot both succeed.

They need real row locks, so they run on PostgreSQL only (`.ci/run` runs the suite a second time
with DATABASE_URL pointing at PostgreSQL; on SQLite they are deselected by tests/conftest.py)."""

import datetime
import threading
import time
from unittest import mock

import pytest

from django.db import connection

from audit import services as audit
from audit.models import AuditEvent
from contracting.models import Agreement, AgreementStatus
from contracting.services import agreement_extend, agreement_suspend
from core import transitions
from core.exceptions import GuardFailed, InvalidTransition
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 5


def race(service, uuid, actor) -> tuple[list[str], list[Exception]]:
    barrier = threading.Barrier(THREADS)
    successes: list[str] = []
    failures: list[Exception] = []
    real_audit = audit.audit_record

    def slow_audit(**kwargs):
        time.sleep(0.05)  # widen the window between reading the state and committing the change
        return real_audit(**kwargs)

    def worker(i: int) -> None:
        try:
            barrier.wait()
            service(uuid=uuid, actor=actor, reason=f"reden {i}")
            successes.append(f"reden {i}")
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    with mock.patch.object(transitions, "audit_record", slow_audit):
        threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return successes, failures


def test_concurrent_suspensions_exactly_one_wins(officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when five officers suspend at the same moment
    successes, failures = race(agreement_suspend, agreement.uuid, officer)
    # then exactly one succeeds, the others get a clear refusal, and nothing is lost
    assert len(successes) == 1
    assert len(failures) == THREADS - 1
    assert all(isinstance(f, InvalidTransition) for f in failures)
    assert {f.extra["current_status"] for f in failures} == {"suspended"}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED
    assert agreement.suspension_reason == successes[0]
    assert AuditEvent.objects.filter(event="agreement.suspended").count() == 1
    assert list(audit.verify_chain()) == []


def test_without_the_row_lock_the_race_is_lost(officer):
    """Proves the test above can fail: with a plain read instead of SELECT ... FOR UPDATE,
    several suspensions succeed and each writes its own audit event (a lost update)."""
    agreement = factories.AgreementFactory(active=True)

    def unlocked(model, uuid):
        return model.objects.get(uuid=uuid)

    with mock.patch.object(transitions, "lock", unlocked):
        successes, _failures = race(agreement_suspend, agreement.uuid, officer)
    assert len(successes) > 1
    assert Agreement.objects.get(pk=agreement.pk).status == AgreementStatus.SUSPENDED


def test_concurrent_extensions_take_the_last_option_exactly_once(officer):
    """perform_operation locks like perform_transition: five officers extend an agreement with one
    option left at the same moment; one extends it, the others are told no option is left."""
    # given
    agreement = factories.AgreementFactory(
        active=True, end_date=factories.today() + datetime.timedelta(days=730), extensions_used=1
    )
    # when
    successes, failures = race(agreement_extend, agreement.uuid, officer)
    # then
    assert len(successes) == 1
    assert len(failures) == THREADS - 1
    assert all(isinstance(f, GuardFailed) for f in failures)
    agreement.refresh_from_db()
    assert agreement.extensions_used == 2
    assert AuditEvent.objects.filter(event="agreement.extended").count() == 1
    assert list(audit.verify_chain()) == []
