"""Review: accepting sets the validity and re-evaluates the provider's conditions (a condition decided by
that document type becomes satisfied); expiry by the daily job; permissions."""

import datetime

import pytest

from audit.models import AuditEvent
from compliance.documents.services import (
    document_accept,
    document_reject,
    document_start_review,
    document_submit,
    documents_expire_lapsed,
)
from compliance.models import ConditionEvaluation, DocumentStatus, DocumentType
from core import clock
from core.exceptions import GuardFailed, ReasonRequired, TransitionForbidden
from tests import factories
from tests.compliance.documents.helpers import requested, uploaded
from tests.compliance.factories import DocumentFactory

pytestmark = pytest.mark.django_db


def latest_outcome(agreement, code: str) -> str | None:
    row = (
        ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid, condition__code=code)
        .order_by("-evaluated_at", "-id")
        .first()
    )
    return row.outcome if row else None


def test_acceptance_satisfies_the_condition_decided_by_that_document_type(
    officer, django_capture_on_commit_callbacks
):
    # given: an agreement whose condition set asks for an anti-discrimination policy
    procedure = factories.ProcedureFactory(concluded=True)
    factories.require(procedure, "anti_discrimination_policy")
    agreement = factories.AgreementFactory(procedure=procedure, authority=procedure.authority, active=True)
    user = factories.provider_user(agreement.provider)
    document = uploaded(user, requested(provider=agreement.provider))
    document_start_review(uuid=document.uuid, actor=officer)
    # when
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        document_accept(uuid=document.uuid, actor=officer)
    # then
    document.refresh_from_db()
    assert document.status == DocumentStatus.ACCEPTED
    assert (document.reviewed_by, document.valid_from) == (officer, clock.today())
    assert document.valid_until is not None  # 36 months for this type
    assert len(callbacks) >= 1
    assert latest_outcome(agreement, "anti_discrimination_policy") == "satisfied"
    accepted = AuditEvent.objects.filter(event="accountabilitydocument.accepted").get()
    assert accepted.data["validFrom"] == document.valid_from.isoformat()


def test_the_validity_of_a_dated_document_counts_from_its_date(officer, provider, provider_user):
    document = requested(provider=provider, document_type=DocumentType.objects.get(code="kvk_extract"))
    import io

    from compliance.documents.services import document_upload
    from tests.compliance import files

    issued = clock.today() - datetime.timedelta(days=30)
    document_upload(
        uuid=document.uuid,
        actor=provider_user,
        file=io.BytesIO(files.pdf()),
        filename="kvk.pdf",
        issued_on=issued,
    )
    document_start_review(uuid=document.uuid, actor=officer)
    document_accept(uuid=document.uuid, actor=officer)
    document.refresh_from_db()
    from core.dates import add_months

    assert document.valid_until == add_months(issued, 6) - datetime.timedelta(days=1)


def test_rejection_needs_a_reason_and_records_it(officer, provider_user):
    document = uploaded(provider_user)
    document_start_review(uuid=document.uuid, actor=officer)
    with pytest.raises(ReasonRequired):
        document_reject(uuid=document.uuid, actor=officer, reason="  ")
    document_reject(uuid=document.uuid, actor=officer, reason="Niet ondertekend")
    document.refresh_from_db()
    assert (document.status, document.verdict_reason, document.reviewed_by) == (
        DocumentStatus.REJECTED,
        "Niet ondertekend",
        officer,
    )


def test_a_rejected_document_is_submitted_again_only_with_a_new_version(officer, provider_user):
    document = uploaded(provider_user)
    document_start_review(uuid=document.uuid, actor=officer)
    document_reject(uuid=document.uuid, actor=officer, reason="Onleesbaar")
    with pytest.raises(GuardFailed) as refused:
        document_submit(uuid=document.uuid, actor=provider_user)
    assert refused.value.extra["unmet"][0]["code"] == "no_new_version"
    uploaded(provider_user, document)  # the upload submits it again
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED


def test_submitting_without_a_file_is_refused(provider, provider_user):
    document = requested(provider=provider)
    with pytest.raises(GuardFailed):
        document_submit(uuid=document.uuid, actor=provider_user)


@pytest.mark.parametrize("step", [document_start_review, document_accept])
def test_an_auditor_cannot_review(auditor, provider_user, officer, step):
    document = uploaded(provider_user)
    if step is document_accept:
        document_start_review(uuid=document.uuid, actor=officer)
    before = DocumentStatus.SUBMITTED if step is document_start_review else DocumentStatus.IN_REVIEW
    events = AuditEvent.objects.count()
    with pytest.raises(TransitionForbidden):
        step(uuid=document.uuid, actor=auditor)
    document.refresh_from_db()
    assert document.status == before
    assert AuditEvent.objects.count() == events


def test_a_provider_user_cannot_review_their_own_document(provider_user):
    document = uploaded(provider_user)
    with pytest.raises(TransitionForbidden):
        document_start_review(uuid=document.uuid, actor=provider_user)


def test_the_daily_job_expires_lapsed_documents_and_reevaluates(django_capture_on_commit_callbacks):
    # given
    procedure = factories.ProcedureFactory(concluded=True)
    factories.require(procedure, "anti_discrimination_policy")
    agreement = factories.AgreementFactory(procedure=procedure, authority=procedure.authority, active=True)
    lapsed = DocumentFactory(provider=agreement.provider, lapsed=True)
    valid = DocumentFactory(provider=agreement.provider, accepted=True)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        expired = documents_expire_lapsed()
    # then
    lapsed.refresh_from_db()
    valid.refresh_from_db()
    assert expired == 1
    assert (lapsed.status, valid.status) == (DocumentStatus.EXPIRED, DocumentStatus.ACCEPTED)
    event = AuditEvent.objects.get(event="accountabilitydocument.expired")
    assert event.actor_name == "system"
    assert latest_outcome(agreement, "anti_discrimination_policy") == "satisfied"  # the valid one counts
    assert documents_expire_lapsed() == 0
