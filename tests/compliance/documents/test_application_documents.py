"""The provider's own part of an application: declarations signed by its user, the documents the
procedure asks uploaded in the same flow (an accepted document in force is reused), and what is still
missing before submitting."""

import datetime

import pytest

from audit.models import AuditEvent
from compliance.conditions.services import declaration_sign
from compliance.documents.selectors import application_checklist, procedure_documents_asked
from compliance.documents.services import document_generate_requests, document_request_for_application
from compliance.models import AccountabilityDocument, DocumentRequirement, DocumentStatus, DocumentType
from core.exceptions import InvalidInput, InvalidTransition, TransitionForbidden
from tests import factories
from tests.compliance.documents.helpers import uploaded
from tests.compliance.factories import DeclarationFactory, DocumentFactory, condition
from tests.factories import today

pytestmark = pytest.mark.django_db


def application_for(provider, *codes):
    procedure = factories.ProcedureFactory(open=True)
    factories.require(procedure, *codes)
    return factories.ApplicationFactory(procedure=procedure, provider=provider)


def test_the_documents_asked_come_from_the_condition_set_and_the_requirements():
    procedure = factories.ProcedureFactory(open=True)
    factories.require(procedure, "anti_discrimination_policy", "cao_applied", "confidential_advisor")
    DocumentRequirement.objects.create(
        document_type=DocumentType.objects.get(code="kvk_extract"),
        procedure=procedure,
        recurrence="once",
        instructions="Een recent uittreksel.",
    )
    asked = {item.document_type.code: item for item in procedure_documents_asked(procedure)}
    assert set(asked) == {"anti_discrimination_policy", "cao_statement", "kvk_extract"}
    assert asked["kvk_extract"].instructions == ["Een recent uittreksel."]
    assert [c.code for c in asked["cao_statement"].conditions] == ["cao_applied"]


def test_the_checklist_names_what_is_missing_and_reuses_what_was_accepted(provider, provider_user):
    # given: an accepted policy in force, no declaration signed, no complaints procedure
    application = application_for(
        provider, "anti_discrimination_policy", "complaints_cover_discrimination", "confidential_advisor"
    )
    DocumentFactory(provider=provider, accepted=True)
    # when
    checklist = application_checklist(application)
    # then
    states = {item.asked.document_type.code: item.state for item in checklist.documents}
    assert states == {"anti_discrimination_policy": "accepted", "complaints_procedure": "missing"}
    assert [d.condition.code for d in checklist.declarations if d.declaration is None] == [
        "confidential_advisor"
    ]
    assert len(checklist.missing) == 2


def test_a_signed_declaration_completes_its_item(provider, provider_user):
    application = application_for(provider, "confidential_advisor")
    declaration = declaration_sign(
        provider=provider,
        condition=condition("confidential_advisor"),
        actor=provider_user,
        signed_by_name="A. Jansen",
        signed_by_role="directeur",
    )
    assert declaration.signed_at is not None and declaration.recorded_by == provider_user
    assert application_checklist(application).missing == []
    event = AuditEvent.objects.get(event="declaration.recorded")
    assert (event.data["signedBy"], event.data["function"]) == ("A. Jansen", "directeur")


def test_a_declaration_past_its_validity_no_longer_counts(provider):
    application = application_for(provider, "confidential_advisor")  # counts for 12 months
    DeclarationFactory(provider=provider, signed_on=today() - datetime.timedelta(days=400))
    assert [d.declaration for d in application_checklist(application).declarations] == [None]


def test_only_the_providers_own_user_signs_its_declarations(officer, provider):
    other_user = factories.provider_user(factories.ProviderFactory())
    for actor in (officer, other_user):
        with pytest.raises(TransitionForbidden):
            declaration_sign(
                provider=provider,
                condition=condition("confidential_advisor"),
                actor=actor,
                signed_by_name="A",
                signed_by_role="B",
            )


def test_a_condition_decided_otherwise_is_not_signed(provider, provider_user):
    with pytest.raises(InvalidInput):
        declaration_sign(
            provider=provider,
            condition=condition("anti_discrimination_policy"),
            actor=provider_user,
            signed_by_name="A",
            signed_by_role="B",
        )


def test_a_document_is_requested_once_and_uploaded_in_the_same_flow(provider, provider_user):
    # given
    application = application_for(provider, "anti_discrimination_policy")
    # when
    document = document_request_for_application(
        application_uuid=application.uuid,
        document_type_code="anti_discrimination_policy",
        actor=provider_user,
    )
    again = document_request_for_application(
        application_uuid=application.uuid,
        document_type_code="anti_discrimination_policy",
        actor=provider_user,
    )
    uploaded(provider_user, document)
    # then
    assert again == document
    document.refresh_from_db()
    assert document.status == DocumentStatus.SUBMITTED
    assert [i.state for i in application_checklist(application).documents] == ["in_review"]
    assert AuditEvent.objects.filter(event="accountabilitydocument.requested").count() == 1


def test_an_accepted_document_is_reused_not_requested_again(provider, provider_user):
    application = application_for(provider, "anti_discrimination_policy")
    accepted = DocumentFactory(provider=provider, accepted=True)
    document = document_request_for_application(
        application_uuid=application.uuid,
        document_type_code="anti_discrimination_policy",
        actor=provider_user,
    )
    assert document == accepted
    assert AccountabilityDocument.objects.count() == 1


def test_the_daily_requests_do_not_ask_again_for_a_document_delivered_with_the_application(
    provider, provider_user
):
    # given: a requirement of the condition, and the policy uploaded with the draft
    application = application_for(provider, "anti_discrimination_policy")
    DocumentRequirement.objects.create(
        document_type=DocumentType.objects.get(code="anti_discrimination_policy"),
        condition=condition("anti_discrimination_policy"),
        recurrence="once",
        starts_on=today() - datetime.timedelta(days=5),
    )
    document = document_request_for_application(
        application_uuid=application.uuid,
        document_type_code="anti_discrimination_policy",
        actor=provider_user,
    )
    uploaded(provider_user, document)
    application.refresh_from_db()
    from contracting.services import application_submit

    application_submit(uuid=application.uuid, actor=provider_user)
    # when
    created = document_generate_requests()
    # then
    assert created == 0
    assert AccountabilityDocument.objects.filter(provider=provider).count() == 1


def test_only_documents_the_procedure_asks(provider, provider_user):
    application = application_for(provider, "anti_discrimination_policy")
    with pytest.raises(InvalidInput):
        document_request_for_application(
            application_uuid=application.uuid, document_type_code="wnt_report", actor=provider_user
        )


def test_no_documents_for_another_providers_application(provider_user):
    application = application_for(factories.ProviderFactory(), "anti_discrimination_policy")
    with pytest.raises(TransitionForbidden):
        document_request_for_application(
            application_uuid=application.uuid,
            document_type_code="anti_discrimination_policy",
            actor=provider_user,
        )


def test_no_documents_for_a_decided_application(provider, provider_user):
    application = application_for(provider, "anti_discrimination_policy")
    application.__class__.objects.filter(pk=application.pk).update(status="rejected")
    with pytest.raises(InvalidTransition):
        document_request_for_application(
            application_uuid=application.uuid,
            document_type_code="anti_discrimination_policy",
            actor=provider_user,
        )
