"""The fraud admin: signal list and page (evidence, transitions, IKZ, suspensions after a confirmation),
production imports (upload form, rejected rows) and rule settings. Auditors only read."""

import pytest

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditEvent
from coalitions.models import MembershipStatus
from compliance.fraud.services import signal_request_confirmation, signal_start_investigation
from compliance.models import (
    DeclarationLine,
    FraudRuleSetting,
    FraudSignal,
    IkzReport,
    ImportBatch,
    SignalStatus,
)
from contracting.models import AgreementStatus
from core import clock
from tests import factories
from tests.admin.helpers import change_url, changelist_url, messages_of, transition_url
from tests.compliance.factories import FraudSignalFactory
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import DECLARATION_HEADER, csv_file

pytestmark = pytest.mark.django_db

world = fraud_fixtures.world


def signal_url(signal, name: str, *args) -> str:
    return reverse(f"admin:compliance_fraudsignal_{name}", args=[signal.pk, *args])


def codes(response) -> list[str]:
    return [m.extra_tags for m in messages_of(response)]


# --------------------------------------------------------------------------- signals


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_the_signal_list_and_page_render_with_the_evidence(client_for, request, role):
    signal = FraudSignalFactory(
        rule="declared_above_allocated",
        evidence={"allocationsExceeded": 4, "examples": [{"allocation": "A-1"}]},
    )
    client = client_for(request.getfixturevalue(role))

    listed = client.get(changelist_url(FraudSignal), {"rule": "declared_above_allocated", "status": "open"})
    page = client.get(change_url(signal))

    assert listed.status_code == 200 and str(signal.provider).encode() in listed.content
    assert page.status_code == 200
    assert b"fraud-evidence" in page.content and b"A-1" in page.content
    assert b"ikz-panel" in page.content


def test_the_signal_list_uses_a_constant_number_of_queries(client_for, officer):
    client = client_for(officer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(changelist_url(FraudSignal)).status_code == 200
        return len(captured)

    for _ in range(3):
        FraudSignalFactory(authority=factories.RegionFactory())
    few = queries()
    for _ in range(12):
        FraudSignalFactory(authority=factories.RegionFactory())
    assert queries() == few


def test_the_second_officer_confirms_and_lands_on_the_proposed_suspensions(
    client_for, officer, second_officer
):
    # given
    provider = factories.ProviderFactory()
    agreement = factories.AgreementFactory(provider=provider, active=True)
    membership = factories.MembershipFactory(provider=provider, active=True)
    signal = FraudSignalFactory(provider=provider)
    signal_start_investigation(uuid=signal.uuid, actor=officer)
    signal_request_confirmation(uuid=signal.uuid, actor=officer, reason="Gronden")
    client = client_for(second_officer)
    page = client.get(change_url(signal))
    assert [b["name"] for b in page.context["transition_buttons"]] == ["confirm", "dismiss"]
    # when
    response = client.post(transition_url(signal, "confirm"), {"reason": ""})
    # then
    assert response.status_code == 302 and response.url == signal_url(signal, "suspensions")
    proposal = client.get(response.url)
    assert proposal.status_code == 200
    assert set(proposal.context["form"].initial["agreements"]) == {str(agreement.uuid)}
    # when the officer keeps both checked
    done = client.post(
        response.url,
        {
            "agreements": [str(agreement.uuid)],
            "memberships": [str(membership.uuid)],
            "reason": "Bevestigd signaal",
        },
    )
    # then: both suspended through their own services
    assert done.status_code == 302
    agreement.refresh_from_db(), membership.refresh_from_db()
    assert agreement.status == AgreementStatus.SUSPENDED and membership.status == MembershipStatus.SUSPENDED
    assert AuditEvent.objects.filter(event="agreement.suspended", actor=second_officer).exists()


def test_the_proposer_is_not_offered_the_confirmation(client_for, officer):
    signal = FraudSignalFactory()
    signal_start_investigation(uuid=signal.uuid, actor=officer)
    signal_request_confirmation(uuid=signal.uuid, actor=officer, reason="Gronden")
    client = client_for(officer)

    page = client.get(change_url(signal))
    refused = client.post(transition_url(signal, "confirm"), {"reason": ""})

    assert [b["name"] for b in page.context["transition_buttons"]] == ["dismiss"]
    assert "guard_failed" in codes(refused)
    signal.refresh_from_db()
    assert signal.status == SignalStatus.INVESTIGATING


def test_an_officer_records_a_report_to_ikz(client_for, officer, second_officer):
    signal = FraudSignalFactory(investigating=True)
    client = client_for(officer)

    response = client.post(
        signal_url(signal, "ikz_report"),
        {
            "reported_on": clock.today().isoformat(),
            "reference": "IKZ-77",
            "shared_information": "Declaratieoverzicht 2025",
            "decided_by": second_officer.pk,
        },
    )

    assert response.status_code == 302
    report = IkzReport.objects.get()
    assert (report.reference, report.decided_by, report.recorded_by) == ("IKZ-77", second_officer, officer)
    page = client.get(change_url(signal))
    assert (
        b"IKZ-77" in page.content and signal_url(signal, "ikz_request", report.uuid).encode() in page.content
    )


@pytest.mark.parametrize("view", ["ikz_report", "suspensions"])
def test_an_auditor_cannot_open_the_officer_forms(client_for, auditor, view):
    signal = FraudSignalFactory(confirmed=True)

    response = client_for(auditor).get(signal_url(signal, view))

    assert response.status_code == 403


def test_an_auditor_sees_no_buttons_and_cannot_transition(client_for, auditor):
    signal = FraudSignalFactory()
    client = client_for(auditor)

    page = client.get(change_url(signal))
    response = client.post(transition_url(signal, "dismiss"), {"reason": "x"})

    assert page.context["transition_buttons"] == [] and b"ikz-report-link" not in page.content
    assert response.status_code == 403
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN


# --------------------------------------------------------------------------- imports


def test_an_officer_uploads_a_file_and_sees_the_rejected_rows(client_for, officer, world):
    file = csv_file(DECLARATION_HEADER, [world.declaration(), world.declaration(client_bsn="123456789")])
    file.name = "declaraties.csv"
    client = client_for(officer)

    response = client.post(
        reverse("admin:compliance_importbatch_add"),
        {"file": file, "kind": "declarations", "authority": world.authority.pk},
    )

    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == change_url(batch)
    assert (batch.imported_by, batch.rows_imported, batch.rows_rejected) == (officer, 1, 1)
    page = client.get(change_url(batch))
    assert b"rejected-rows" in page.content and b"bsn_checksum" in page.content
    assert b"123456789" not in page.content
    rejected = client.get(
        reverse("admin:compliance_importrejection_changelist"), {"batch__id__exact": batch.pk}
    )
    assert rejected.status_code == 200 and b"bsn_checksum" in rejected.content
    assert client.get(changelist_url(ImportBatch)).status_code == 200


def test_an_auditor_cannot_upload(client_for, auditor, world):
    response = client_for(auditor).get(reverse("admin:compliance_importbatch_add"))

    assert response.status_code == 403
    assert not DeclarationLine.objects.exists()


# --------------------------------------------------------------------------- rule settings


def test_rule_settings_are_validated_against_the_rule(client_for, officer):
    authority = factories.RegionFactory()
    client = client_for(officer)
    url = reverse("admin:compliance_fraudrulesetting_add")

    refused = client.post(
        url,
        {"authority": authority.pk, "rule": "low_wage_ratio", "enabled": "on", "thresholds": '{"nope": 1}'},
    )
    saved = client.post(
        url,
        {
            "authority": authority.pk,
            "rule": "low_wage_ratio",
            "enabled": "on",
            "thresholds": '{"min_personnel_share_pct": 60}',
        },
    )

    assert refused.status_code == 200 and "thresholds" in refused.context["adminform"].form.errors
    assert saved.status_code == 302
    setting = FraudRuleSetting.objects.get()
    assert setting.thresholds == {"min_personnel_share_pct": 60.0}
    page = client.get(change_url(setting))
    assert b"rule-parameters" in page.content
    assert AuditEvent.objects.filter(event="fraudrulesetting.added").exists()


def test_anonymous_users_are_sent_to_the_login(client):
    assert client.get(changelist_url(FraudSignal)).status_code == 302
    assert AnonymousUser().has_perm("compliance.transition_fraudsignal") is False


def test_an_officer_records_a_hearing_from_the_signal_page(client_for, officer, auditor):
    # given a high-severity open signal and an application of the same provider under review
    signal = FraudSignalFactory(severity="high")
    application = factories.ApplicationFactory(under_review=True, provider=signal.provider)
    # an auditor may not open the form
    assert client_for(auditor).get(signal_url(signal, "hearing")).status_code == 403
    client = client_for(officer)
    page = client.get(change_url(signal))
    assert signal_url(signal, "hearing").encode() in page.content
    assert b"houdt het de nog niet besliste aanmeldingen" in page.content
    # when the officer records the hearing
    response = client.post(
        signal_url(signal, "hearing"),
        {
            "application": application.pk,
            "heard_on": clock.today().isoformat(),
            "provider_response": "Inhaalslag na storing.",
            "conclusion": "Aannemelijk; aanmelding inhoudelijk beoordelen.",
        },
    )
    # then it is on the signal page, and the link is gone (no application left to hear)
    assert response.status_code == 302
    page = client.get(change_url(signal))
    assert b"Inhaalslag na storing." in page.content
    assert signal_url(signal, "hearing").encode() not in page.content
