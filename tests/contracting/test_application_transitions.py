import datetime

import pytest

from audit.models import AuditEvent
from contracting.models import Agreement, AgreementStatus, ApplicationStatus, AssessmentStep
from contracting.services import (
    application_admit,
    application_assess,
    application_reject,
    application_start_review,
    application_submit,
    application_withdraw,
)
from core.dates import add_months
from core.exceptions import GuardFailed, InvalidTransition, ReasonRequired, TransitionForbidden
from tests import factories

pytestmark = pytest.mark.django_db


def test_provider_user_submits_own_application(provider, provider_user):
    application = factories.ApplicationFactory(provider=provider)
    application_submit(uuid=application.uuid, actor=provider_user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None


def test_provider_user_cannot_submit_for_another_provider(provider_user):
    application = factories.ApplicationFactory()
    with pytest.raises(TransitionForbidden):
        application_submit(uuid=application.uuid, actor=provider_user)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


def test_submit_is_refused_when_the_procedure_is_not_open(officer):
    application = factories.ApplicationFactory(procedure=factories.ProcedureFactory(consultation=True))
    with pytest.raises(GuardFailed) as exc:
        application_submit(uuid=application.uuid, actor=officer)
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["procedure_not_open"]


def test_submit_needs_a_lot(officer):
    application = factories.ApplicationFactory(with_lot=False)
    with pytest.raises(GuardFailed) as exc:
        application_submit(uuid=application.uuid, actor=officer)
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["no_lots_chosen"]


def test_start_review_is_for_officers_only(provider, provider_user, officer):
    application = factories.ApplicationFactory(provider=provider, submitted=True)
    with pytest.raises(TransitionForbidden):
        application_start_review(uuid=application.uuid, actor=provider_user)
    application_start_review(uuid=application.uuid, actor=officer)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW


def test_assessment_is_recorded_and_audited(officer):
    application = factories.ApplicationFactory(under_review=True)
    assessment = application_assess(
        uuid=application.uuid,
        actor=officer,
        step="suitability",
        passed=True,
        reasoning="HKZ-certificaat aanwezig",
    )
    assert (assessment.step, assessment.passed, assessment.assessed_by) == ("suitability", True, officer)
    assert AuditEvent.objects.get(subject_uuid=application.uuid).data["step"] == "suitability"


def test_assessment_needs_reasoning(officer):
    application = factories.ApplicationFactory(under_review=True)
    with pytest.raises(GuardFailed):
        application_assess(
            uuid=application.uuid, actor=officer, step="suitability", passed=True, reasoning=" "
        )
    assert not application.assessments.exists()


def test_assessment_only_while_under_review(officer):
    application = factories.ApplicationFactory(submitted=True)
    with pytest.raises(InvalidTransition):
        application_assess(
            uuid=application.uuid, actor=officer, step="suitability", passed=True, reasoning="x"
        )


def test_auditor_cannot_assess(auditor):
    application = factories.ApplicationFactory(under_review=True)
    with pytest.raises(TransitionForbidden):
        application_assess(
            uuid=application.uuid, actor=auditor, step="suitability", passed=True, reasoning="x"
        )


def test_admission_records_steps_and_creates_the_agreement_draft(officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer)
    # when
    application_admit(uuid=application.uuid, actor=officer)
    # then
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED
    agreement = Agreement.objects.get(application=application)
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.provider == application.provider
    assert agreement.start_date == application.procedure.contract_start
    assert set(agreement.sub_agreements.values_list("lot", flat=True)) == set(
        application.lots.values_list("pk", flat=True)
    )
    event = AuditEvent.objects.get(event="application.admitted")
    assert [a["step"] for a in event.data["assessments"]] == sorted(s.value for s in AssessmentStep)
    assert event.data["agreement"] == str(agreement.uuid)


def test_the_agreement_gets_the_term_and_extension_options_of_the_procedure(officer):
    # given a procedure for youth care: 5 years, then up to 5 extensions of a year
    application = factories.ApplicationFactory(under_review=True)
    procedure = application.procedure
    procedure.term_months, procedure.extension_months, procedure.max_extensions = 60, 12, 5
    procedure.save(update_fields=["term_months", "extension_months", "max_extensions"])
    factories.assess(application, officer)
    # when
    application_admit(uuid=application.uuid, actor=officer)
    # then: 60 months from the start, the last day included
    agreement = Agreement.objects.get(application=application)
    start = procedure.contract_start
    assert agreement.end_date == add_months(start, 60) - datetime.timedelta(days=1)
    assert (agreement.extension_months, agreement.max_extensions) == (12, 5)


@pytest.mark.parametrize(
    ("fail", "missing", "code"),
    [
        ({"exclusion_grounds"}, set(), "step_not_passed"),
        (set(), {"execution_requirements"}, "step_not_assessed"),
    ],
)
def test_admission_is_refused_unless_all_three_steps_passed(officer, fail, missing, code):
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer, fail=fail)
    application.assessments.filter(step__in=missing).delete()
    with pytest.raises(GuardFailed) as exc:
        application_admit(uuid=application.uuid, actor=officer)
    assert code in [u["code"] for u in exc.value.extra["unmet"]]
    assert not Agreement.objects.exists()


def test_rejection_needs_a_failed_step_and_a_reason(officer):
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer)
    with pytest.raises(ReasonRequired):
        application_reject(uuid=application.uuid, actor=officer)
    with pytest.raises(GuardFailed) as exc:
        application_reject(uuid=application.uuid, actor=officer, reason="Niet geschikt")
    assert [u["code"] for u in exc.value.extra["unmet"]] == ["no_failed_step"]


def test_rejection_records_the_assessment(officer):
    application = factories.ApplicationFactory(under_review=True)
    factories.assess(application, officer, fail={"suitability"})
    application_reject(uuid=application.uuid, actor=officer, reason="Geen kwaliteitskeurmerk")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    event = AuditEvent.objects.get(event="application.rejected")
    assert event.reason == "Geen kwaliteitskeurmerk"
    assert {a["step"]: a["passed"] for a in event.data["assessments"]}["suitability"] is False


@pytest.mark.parametrize("state", ["draft", "submitted", "under_review"])
def test_provider_withdraws_before_the_decision(provider, provider_user, state):
    application = factories.ApplicationFactory(provider=provider, status=state)
    application_withdraw(uuid=application.uuid, actor=provider_user, reason="Geen capaciteit")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert AuditEvent.objects.get(event="application.withdrawn").reason == "Geen capaciteit"


def test_withdraw_needs_a_reason(provider, provider_user):
    application = factories.ApplicationFactory(provider=provider, submitted=True)
    with pytest.raises(ReasonRequired):
        application_withdraw(uuid=application.uuid, actor=provider_user, reason=" ")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_withdraw_is_refused_after_admission(provider, provider_user):
    application = factories.ApplicationFactory(provider=provider, admitted=True)
    with pytest.raises(InvalidTransition):
        application_withdraw(uuid=application.uuid, actor=provider_user, reason="Toch niet")


def test_assessment_of_an_unknown_step_is_invalid_input(officer):
    from core.exceptions import InvalidInput

    application = factories.ApplicationFactory(under_review=True)
    with pytest.raises(InvalidInput):
        application_assess(uuid=application.uuid, actor=officer, step="vibes", passed=True, reasoning="x")
