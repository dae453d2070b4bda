"""The provider's own part in the portal: open procedures, applying (draft, declarations, documents, check,
submit, withdraw), the assessment shown back, and answering an offer. Never another provider's records."""

import datetime
import io

import pytest

from audit.models import AuditEvent
from compliance.models import AccountabilityDocument, DocumentStatus, ProviderDeclaration
from contracting.models import AgreementStatus, Application, ApplicationStatus, Route
from tests import factories
from tests.compliance import files
from tests.compliance.factories import DocumentFactory
from tests.factories import today

pytestmark = pytest.mark.django_db


def open_procedure(**kwargs):
    procedure = factories.ready_to_open_procedure(**kwargs)
    Application.objects.none()
    procedure.__class__.objects.filter(pk=procedure.pk).update(status="open")
    procedure.refresh_from_db()
    factories.require(procedure, "confidential_advisor")
    return procedure


def test_the_list_shows_procedures_open_for_applications_per_authority(client_for, provider_user):
    # given
    yesterday = today() - datetime.timedelta(days=1)
    administrative = open_procedure(title="Begeleiding dicht", application_deadline=yesterday)
    open_house = open_procedure(
        title="Jeugdhulp open house", route=Route.OPEN_HOUSE, application_deadline=yesterday
    )
    open_now = open_procedure(title="Huishoudelijke hulp open")
    draft = factories.ProcedureFactory(title="Nog in overleg", consultation=True)
    # when
    response = client_for(provider_user).get("/portal/procedures/")
    # then
    assert response.status_code == 200
    text = response.content.decode()
    assert open_house.title in text and open_now.title in text
    assert administrative.title not in text and draft.title not in text
    assert open_now.authority.name in text


def test_the_detail_shows_lots_tariffs_conditions_documents_deadlines_and_minutes(client_for, provider_user):
    procedure = open_procedure()
    response = client_for(provider_user).get(f"/portal/procedures/{procedure.uuid}/")
    assert response.status_code == 200
    text = response.content.decode()
    lot = procedure.lots.get()
    product = lot.products.get()
    for expected in (
        lot.name,
        product.code,
        "70,00",  # the tariff, in Dutch
        "Tarief op of boven de reële prijs",
        "Vertrouwenspersoon",
        "Antidiscriminatiebeleid",  # the document the condition set asks
        "Tarieven en kwaliteitseisen besproken.",  # the minutes
    ):
        assert expected in text, expected


def test_apply_starts_a_draft_and_the_draft_is_saved(client_for, provider, provider_user):
    # given
    procedure = open_procedure()
    client = client_for(provider_user)
    # when
    response = client.post(f"/portal/procedures/{procedure.uuid}/apply/")
    # then
    application = Application.objects.get(procedure=procedure, provider=provider)
    assert response["Location"] == f"/portal/applications/{application.uuid}/"
    lot = procedure.lots.get()
    response = client.post(
        f"/portal/applications/{application.uuid}/", {"lots": [str(lot.uuid)], "motivation": "In de wijk"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert (list(application.lots.all()), application.motivation) == ([lot], "In de wijk")
    page = client.get(f"/portal/applications/{application.uuid}/").content.decode()
    assert "Onderteken de verklaring" in page  # the check names what is missing


def test_a_provider_cannot_see_or_change_another_providers_draft(client_for, provider_user):
    other = factories.ApplicationFactory(procedure=open_procedure(), motivation="Geheim concept")
    client = client_for(provider_user)
    for url in (f"/portal/applications/{other.uuid}/",):
        assert client.get(url).status_code == 404
    for suffix in ("", "submit/", "withdraw/", "declarations/"):
        response = client.post(f"/portal/applications/{other.uuid}/{suffix}", {"reason": "x", "lots": []})
        assert response.status_code == 404, suffix
    assert "Geheim concept" not in client.get("/portal/applications/").content.decode()
    other.refresh_from_db()
    assert other.status == ApplicationStatus.DRAFT


def test_a_declaration_is_signed_with_name_function_and_time(client_for, provider, provider_user):
    application = factories.ApplicationFactory(procedure=open_procedure(), provider=provider)
    response = client_for(provider_user).post(
        f"/portal/applications/{application.uuid}/declarations/",
        {
            "condition": "confidential_advisor",
            "signed_by_name": "A. Jansen",
            "signed_by_role": "directeur",
            "confirm": "on",
        },
    )
    assert response.status_code == 302
    declaration = ProviderDeclaration.objects.get(provider=provider)
    assert (declaration.signed_by_name, declaration.signed_by_role, declaration.recorded_by) == (
        "A. Jansen",
        "directeur",
        provider_user,
    )
    assert declaration.signed_at is not None


def test_a_signature_needs_the_confirmation(client_for, provider, provider_user):
    application = factories.ApplicationFactory(procedure=open_procedure(), provider=provider)
    response = client_for(provider_user).post(
        f"/portal/applications/{application.uuid}/declarations/",
        {"condition": "confidential_advisor", "signed_by_name": "A. Jansen", "signed_by_role": "directeur"},
    )
    assert response.status_code == 400
    assert not ProviderDeclaration.objects.exists()


def test_a_document_is_uploaded_in_the_application_flow(client_for, provider, provider_user):
    application = factories.ApplicationFactory(procedure=open_procedure(), provider=provider)
    upload = io.BytesIO(files.pdf())
    upload.name = "beleid.pdf"
    response = client_for(provider_user).post(
        f"/portal/applications/{application.uuid}/documents/",
        {"document_type": "anti_discrimination_policy", "file": upload},
    )
    assert response.status_code == 302
    document = AccountabilityDocument.objects.get(provider=provider)
    assert (document.document_type.code, document.status) == (
        "anti_discrimination_policy",
        DocumentStatus.SUBMITTED,
    )


def test_an_accepted_document_is_shown_as_delivered(client_for, provider, provider_user):
    application = factories.ApplicationFactory(procedure=open_procedure(), provider=provider)
    DocumentFactory(provider=provider, accepted=True)
    page = client_for(provider_user).get(f"/portal/applications/{application.uuid}/").content.decode()
    assert "al aangeleverd" in page


def test_submit_and_withdraw_with_a_reason(client_for, provider, provider_user):
    application = factories.ApplicationFactory(procedure=open_procedure(), provider=provider)
    client = client_for(provider_user)
    client.post(f"/portal/applications/{application.uuid}/submit/")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert (
        client.post(f"/portal/applications/{application.uuid}/withdraw/", {"reason": ""}).status_code == 400
    )
    client.post(f"/portal/applications/{application.uuid}/withdraw/", {"reason": "Geen capaciteit"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert AuditEvent.objects.get(event="application.withdrawn").reason == "Geen capaciteit"


@pytest.mark.parametrize(
    ("route", "passed_reasoning_shown"), [(Route.ADMINISTRATIVE, False), (Route.SUBSIDY, True)]
)
def test_the_assessment_is_shown_with_the_reasoning_the_route_requires(
    client_for, officer, provider, provider_user, route, passed_reasoning_shown
):
    procedure = factories.ProcedureFactory(open=True, route=route)
    application = factories.ApplicationFactory(procedure=procedure, provider=provider, under_review=True)
    factories.assess(application, officer, fail={"suitability"})
    page = client_for(provider_user).get(f"/portal/applications/{application.uuid}/").content.decode()
    assert "Beoordeeld: Geschiktheidseisen" in page or "Beoordeeld: Suitability requirements" in page
    assert ("Beoordeeld: Uitsluitingsgronden" in page) is passed_reasoning_shown


def offered(provider):
    return factories.agreement_with_details(provider=provider, status=AgreementStatus.OFFERED, signed_on=None)


def test_the_offer_is_shown_and_accepted_with_a_signature(client_for, provider, provider_user):
    agreement = offered(provider)
    client = client_for(provider_user)
    page = client.get(f"/portal/agreements/{agreement.uuid}/")
    assert page.status_code == 200
    assert "250.000,00" in page.content.decode()  # the ceiling
    assert agreement.reference in client.get("/portal/").content.decode()
    response = client.post(
        f"/portal/agreements/{agreement.uuid}/accept/",
        {"signed_by_name": "A. Jansen", "signed_by_role": "directeur", "confirm": "on"},
    )
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.accepted_by, agreement.accepted_by_name) == (provider_user, "A. Jansen")


def test_the_offer_is_declined_with_a_reason(client_for, provider, provider_user):
    agreement = offered(provider)
    client = client_for(provider_user)
    assert client.post(f"/portal/agreements/{agreement.uuid}/decline/", {"reason": ""}).status_code == 400
    client.post(f"/portal/agreements/{agreement.uuid}/decline/", {"reason": "Geen capaciteit"})
    agreement.refresh_from_db()
    assert (agreement.status, agreement.decline_reason) == (AgreementStatus.DECLINED, "Geen capaciteit")


def test_another_providers_offer_is_not_found(client_for, provider_user):
    agreement = offered(factories.ProviderFactory())
    client = client_for(provider_user)
    assert client.get(f"/portal/agreements/{agreement.uuid}/").status_code == 404
    response = client.post(
        f"/portal/agreements/{agreement.uuid}/accept/",
        {"signed_by_name": "A", "signed_by_role": "B", "confirm": "on"},
    )
    assert response.status_code == 404
    agreement.refresh_from_db()
    assert agreement.accepted_at is None
