"""The provider dossier for who reads it (compliance.audience): a provider user reads the history of their
own organisation, without the investigations and deliberations of the officers (fraud signals, their
events, IKZ reports and requests, waivers not approved) and without other providers; officers and
auditors read everything."""

import datetime
import io

import pytest
from pypdf import PdfReader

from django.utils import translation

from compliance.conditions.services import waiver_approve, waiver_reject, waiver_request
from compliance.fraud.rules import rule_title
from compliance.fraud.services import ikz_report_record, ikz_request_record, signal_start_investigation
from compliance.reports.services import export_request
from core import clock, labels
from tests import factories
from tests.compliance.factories import FraudSignalFactory, condition
from tests.compliance.reports.world import build_world

pytestmark = pytest.mark.django_db


def en(code: str) -> str:
    """An event's or a fraud rule's words in English (the language these PDFs are made in)."""
    with translation.override("en"):
        return labels.event_label(code) if "." in code else rule_title(code)


SECRETS = (
    "Fraud signals",
    "fraudsignal",
    "declared_above_allocated",
    "Declared volume above the allocated volume",  # the rule's title
    "Meer gedeclareerd dan toegewezen.",
    "Onderzoek gestart door team handhaving",
    "IKZ",
    "Gedeeld: declaratiebestanden",
    "rechercheur-fraude",
    "ikz-besluiter",
    "Ontheffing nog in beraad",  # a waiver awaiting approval
    "Ontheffing zonder grond",  # a rejected waiver
    "Afgewezen door tweede ambtenaar",
    "Andere Aanbieder",  # another provider
    "Signaal bij een andere aanbieder",
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def world(officer, second_officer):
    world = build_world(officer)
    investigator = factories.officer(username="rechercheur-fraude")
    decider = factories.officer(username="ikz-besluiter")
    signal_start_investigation(
        uuid=world.signal.uuid, actor=investigator, reason="Onderzoek gestart door team handhaving"
    )
    report = ikz_report_record(
        signal_uuid=world.signal.uuid,
        actor=investigator,
        reported_on=clock.today(),
        reference="IKZ-2026-0099",
        shared_information="Gedeeld: declaratiebestanden",
        decided_by=decider,
    )
    ikz_request_record(
        report_uuid=report.uuid, actor=investigator, received_on=clock.today(), request="Welke toewijzingen?"
    )
    until = clock.today() + datetime.timedelta(days=90)
    waiver = {"subject": world.agreement, "provider": world.provider, "actor": officer, "valid_until": until}
    waiver_request(
        **waiver, condition=condition("anti_discrimination_policy"), reason="Ontheffing nog in beraad"
    )
    rejected = waiver_request(
        **waiver, condition=condition("confidential_advisor"), reason="Ontheffing zonder grond"
    )
    waiver_reject(uuid=rejected.uuid, actor=second_officer, reason="Afgewezen door tweede ambtenaar")
    approved = waiver_request(
        **waiver, condition=condition("fair_pay_tariff"), reason="Ontheffing verleend na de fusie"
    )
    waiver_approve(uuid=approved.uuid, actor=second_officer, reason="Akkoord")
    FraudSignalFactory(provider=world.other_provider, explanation="Signaal bij een andere aanbieder")
    return world


def dossier_text(world, reader, **options) -> str:
    export = export_request(
        kind="provider_dossier",
        parameters={"provider": str(world.provider.uuid), "language": "en"},
        actor=reader,
        background=False,
        **options,
    )
    assert export.status == "done", export.error
    with export.file.open("rb") as handle:
        pdf = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in pdf.pages).split())


def compact(text: str) -> str:
    """Without spaces: a word the PDF wrapped inside a narrow column is found as well."""
    return text.replace(" ", "")


def test_a_provider_user_reads_their_dossier_without_investigations_or_deliberations(world):
    reader = factories.provider_user(world.provider)
    # when
    text = dossier_text(world, reader)
    # then nothing of the investigation, the IKZ, waivers not approved or another provider
    for secret in SECRETS:
        assert compact(secret) not in compact(text), secret
    # but the history of their own relationship is there, with the decisions about it
    assert "Timeline of the relationship" in text
    assert en("agreement.suspended") in text and "Onderzoek naar declaraties" in text
    assert en("application.rejected") in text and "Geschiktheidseis niet gehaald." in text
    assert compact(en("waiver.approved")) in compact(text)
    assert compact("Ontheffing verleend na de fusie") in compact(text)


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_officers_and_auditors_read_the_whole_dossier(world, role, request):
    text = compact(dossier_text(world, request.getfixturevalue(role)))
    for expected in (
        "Fraud signals",
        en("declared_above_allocated"),
        "Meer gedeclareerd dan toegewezen.",
        en("fraudsignal.investigation_started"),
        en("fraudsignal.reported_to_ikz"),
        "Onderzoek gestart door team handhaving",
        "rechercheur-fraude",
        "Ontheffing nog in beraad",
        "Afgewezen door tweede ambtenaar",
        "Ontheffing verleend na de fusie",
    ):
        assert compact(expected) in text, expected


def test_a_dossier_made_by_the_system_reads_everything(world):
    # a management command run on the server, without a user
    text = compact(dossier_text(world, None, as_system=True))
    assert compact(en("fraudsignal.investigation_started")) in text
