"""Transition buttons on the change pages: they offer what core.transitions allows and call the services."""

import pytest

from django.urls import reverse

from audit.models import AuditEvent
from coalitions.models import CoalitionStatus, MembershipStatus
from contracting.models import (
    AgreementStatus,
    ApplicationAssessment,
    ApplicationStatus,
    AssessmentStep,
    ProcedureStatus,
)
from contracting.services import agreement_request_termination, procedure_start_consultation
from tests import factories
from tests.admin.helpers import change_url, messages_of, transition_url

pytestmark = pytest.mark.django_db


def buttons(response) -> list[str]:
    return [b["name"] for b in response.context["transition_buttons"]]


# --------------------------------------------------------------------------- buttons


def test_officer_sees_the_transitions_of_the_current_state(client_for, officer):
    # given
    procedure = factories.ProcedureFactory(consultation=True)
    # when
    response = client_for(officer).get(change_url(procedure))
    # then
    assert buttons(response) == ["open", "cancel"]
    assert transition_url(procedure, "open").encode() in response.content


def test_agreement_buttons_include_operations(client_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = client_for(officer).get(change_url(agreement))
    # then
    assert buttons(response) == ["suspend", "request_termination", "expire", "extend"]
    labels = {b["name"]: b["label"] for b in response.context["transition_buttons"]}
    assert labels["request_termination"] != "request_termination"  # a translatable label, not the name


@pytest.mark.parametrize("name", ["procedure", "application", "agreement", "coalition", "membership"])
def test_auditor_sees_no_transition_buttons(client_for, auditor, make_object, name):
    # given
    obj = make_object(name)
    # when
    response = client_for(auditor).get(change_url(obj))
    # then
    assert response.context["transition_buttons"] == []
    assert b"/transitions/" not in response.content


# --------------------------------------------------------------------------- taking a transition


def test_confirmation_page_asks_for_the_reason(client_for, officer):
    # given
    procedure = factories.ProcedureFactory(consultation=True)
    # when
    response = client_for(officer).get(transition_url(procedure, "cancel"))
    # then
    assert response.status_code == 200
    assert response.context["form"].fields["reason"].required
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION


def test_transition_through_the_admin_changes_the_state_and_writes_the_audit_event(client_for, officer):
    # given
    procedure = factories.ready_to_open_procedure()
    # when
    response = client_for(officer).post(transition_url(procedure, "open"), {"reason": "Overleg afgerond"})
    # then
    assert response.status_code == 302
    assert response["Location"] == change_url(procedure)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.OPEN
    event = AuditEvent.objects.get(subject_uuid=procedure.uuid)
    assert (event.event, event.from_state, event.to_state, event.actor, event.reason) == (
        "procedure.opened",
        "consultation",
        "open",
        officer,
        "Overleg afgerond",
    )
    assert [m.level_tag for m in messages_of(response)] == ["success"]


def test_refused_transition_names_the_unmet_conditions_and_changes_nothing(client_for, officer):
    # given
    procedure = factories.ready_to_open_procedure()
    procedure.consultation_rounds.update(minutes="")
    # when
    response = client_for(officer).post(transition_url(procedure, "open"), {"reason": ""}, follow=True)
    # then
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION
    assert not AuditEvent.objects.filter(subject_uuid=procedure.uuid).exists()
    [message] = messages_of(response)
    assert message.level_tag == "error"
    assert "guard_failed" in message.extra_tags
    assert 'data-code="no_consultation_minutes"' in str(message.message)
    assert b'data-code="no_consultation_minutes"' in response.content  # shown on the change page


def test_refused_transition_lists_every_unmet_condition(client_for, officer):
    # given: no lots, so no products and no tariffs either, and no consultation round
    procedure = factories.ProcedureFactory(consultation=True)
    # when
    response = client_for(officer).post(transition_url(procedure, "open"), {})
    # then
    [message] = messages_of(response)
    assert 'data-code="no_lots"' in str(message.message)
    assert 'data-code="no_consultation_minutes"' in str(message.message)
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION


def test_reason_is_required_where_the_transition_demands_it(client_for, officer):
    # given
    procedure = factories.ProcedureFactory(consultation=True)
    # when
    response = client_for(officer).post(transition_url(procedure, "cancel"), {"reason": "  "})
    # then
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION
    assert not AuditEvent.objects.exists()


def test_request_termination_always_needs_a_reason(client_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    client = client_for(officer)
    # when
    page = client.get(transition_url(agreement, "request_termination"))
    response = client.post(transition_url(agreement, "request_termination"), {"reason": ""})
    # then
    assert page.context["form"].fields["reason"].required
    assert "reason" in response.context["form"].errors
    agreement.refresh_from_db()
    assert agreement.termination_requested_by is None


def test_request_termination_records_the_request(client_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = client_for(officer).post(
        transition_url(agreement, "request_termination"), {"reason": "Structureel onvoldoende kwaliteit"}
    )
    # then
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.termination_requested_by == officer
    assert AuditEvent.objects.get(subject_uuid=agreement.uuid).event == "agreement.termination_requested"


def test_four_eyes_refusal_is_shown_with_its_code(client_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    agreement_request_termination(uuid=agreement.uuid, actor=officer, reason="Fraude bevestigd")
    # when
    response = client_for(officer).post(transition_url(agreement, "terminate"), {})
    # then
    [message] = messages_of(response)
    assert 'data-code="four_eyes_required"' in str(message.message)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_second_officer_approves_the_termination(client_for, officer, second_officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    agreement_request_termination(uuid=agreement.uuid, actor=officer, reason="Fraude bevestigd")
    # when
    client_for(second_officer).post(transition_url(agreement, "terminate"), {})
    # then
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.TERMINATING


def test_coalition_and_membership_transitions(client_for, officer):
    # given
    membership = factories.MembershipFactory(lead=True, admitted=True)
    client = client_for(officer)
    # when
    client.post(transition_url(membership, "activate"), {})
    client.post(transition_url(membership.coalition, "activate"), {})
    # then
    membership.refresh_from_db()
    membership.coalition.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.coalition.status == CoalitionStatus.ACTIVE


def test_make_lead_operation(client_for, officer):
    # given
    coalition = factories.CoalitionFactory(active=True)
    factories.MembershipFactory(coalition=coalition, lead=True, active=True)
    member = factories.MembershipFactory(coalition=coalition, active=True)
    # when
    response = client_for(officer).post(transition_url(member, "make_lead"), {})
    # then
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.is_lead


def test_transition_not_possible_in_this_state_sends_back_to_the_change_page(client_for, officer):
    # given
    procedure = factories.ProcedureFactory()  # draft
    # when
    response = client_for(officer).get(transition_url(procedure, "conclude"))
    # then
    assert response.status_code == 302
    assert response["Location"] == change_url(procedure)
    assert messages_of(response)[0].level_tag == "error"


def test_stale_transition_is_refused_by_the_service(client_for, officer):
    # given: the page was opened in draft, meanwhile someone started the consultation
    procedure = factories.ProcedureFactory()
    procedure_start_consultation(uuid=procedure.uuid, actor=officer)
    # when
    response = client_for(officer).post(transition_url(procedure, "start_consultation"), {})
    # then
    [message] = messages_of(response)
    assert "invalid_transition" in message.extra_tags
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION
    assert AuditEvent.objects.filter(subject_uuid=procedure.uuid).count() == 1


def test_unknown_transition_is_404(client_for, officer):
    # given
    procedure = factories.ProcedureFactory()
    # when
    response = client_for(officer).post(transition_url(procedure, "delete_everything"), {})
    # then
    assert response.status_code == 404


# --------------------------------------------------------------------------- auditors


@pytest.mark.parametrize("method", ["get", "post"])
def test_auditor_cannot_take_a_transition(client_for, auditor, method):
    # given
    procedure = factories.ready_to_open_procedure()
    # when
    response = getattr(client_for(auditor), method)(transition_url(procedure, "open"), {"reason": "x"})
    # then
    assert response.status_code == 403
    procedure.refresh_from_db()
    assert procedure.status == ProcedureStatus.CONSULTATION
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("name", "transition"),
    [
        ("application", "admit"),
        ("agreement", "suspend"),
        ("coalition", "dissolve"),
        ("membership", "admit"),
    ],
)
def test_auditor_cannot_take_transitions_of_any_machine(client_for, auditor, make_object, name, transition):
    # given
    obj = make_object(name)
    before = obj.status
    # when
    response = client_for(auditor).post(transition_url(obj, transition), {"reason": "x"})
    # then
    assert response.status_code == 403
    obj.refresh_from_db()
    assert obj.status == before
    assert not AuditEvent.objects.filter(event__endswith=transition).exists()


def test_provider_user_cannot_reach_the_transition_url(client_for, provider, provider_user):
    # given
    application = factories.ApplicationFactory(provider=provider)  # the provider may submit it itself
    # when
    response = client_for(provider_user).post(transition_url(application, "submit"), {})
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


# --------------------------------------------------------------------------- history


def test_change_page_shows_the_transition_history(client_for, auditor, officer):
    # given
    procedure = factories.ProcedureFactory()
    procedure_start_consultation(uuid=procedure.uuid, actor=officer, reason="Eerste overleg gepland")
    # when
    response = client_for(auditor).get(change_url(procedure))
    # then
    [entry] = response.context["transition_history"]
    assert (entry.event, entry.actor_name, entry.reason) == (
        "procedure.consultation_started",
        officer.username,
        "Eerste overleg gepland",
    )
    assert b'data-event="procedure.consultation_started"' in response.content


# --------------------------------------------------------------------------- assessments


def assess_url(application) -> str:
    return reverse("admin:contracting_application_assess", args=[application.pk])


def test_officer_records_an_assessment_under_review(client_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    client = client_for(officer)
    # when
    page = client.get(change_url(application))
    response = client.post(
        assess_url(application),
        {"step": AssessmentStep.EXCLUSION_GROUNDS, "passed": "yes", "reasoning": "Geen uitsluitingsgronden"},
    )
    # then
    assert page.context["assessment_form"] is not None
    assert response.status_code == 302
    assessment = ApplicationAssessment.objects.get(application=application)
    assert (assessment.step, assessment.passed, assessment.assessed_by) == (
        "exclusion_grounds",
        True,
        officer,
    )
    assert AuditEvent.objects.get(subject_uuid=application.uuid).event == "application.assessed"


def test_assessment_needs_reasoning(client_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    # when
    response = client_for(officer).post(
        assess_url(application), {"step": AssessmentStep.SUITABILITY, "passed": "no", "reasoning": ""}
    )
    # then
    assert response.status_code == 302
    assert messages_of(response)[0].level_tag == "error"
    assert not ApplicationAssessment.objects.exists()


def test_no_assessment_form_outside_review(client_for, officer):
    # given
    application = factories.ApplicationFactory(submitted=True)
    # when
    response = client_for(officer).get(change_url(application))
    # then
    assert "assessment_form" not in response.context


def test_auditor_cannot_assess(client_for, auditor):
    # given
    application = factories.ApplicationFactory(under_review=True)
    # when
    page = client_for(auditor).get(change_url(application))
    response = client_for(auditor).post(
        assess_url(application), {"step": AssessmentStep.SUITABILITY, "passed": "yes", "reasoning": "Ok"}
    )
    # then
    assert "assessment_form" not in page.context
    assert response.status_code == 403
    assert not ApplicationAssessment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_admission_after_assessment_through_the_admin(client_for, officer):
    # given
    application = factories.ApplicationFactory(under_review=True)
    client = client_for(officer)
    for step in AssessmentStep:
        client.post(assess_url(application), {"step": step, "passed": "yes", "reasoning": "Voldoet"})
    # when
    response = client.post(transition_url(application, "admit"), {})
    # then
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ADMITTED
    assert application.agreement.status == AgreementStatus.DRAFT
