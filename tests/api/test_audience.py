"""What a provider user reads of the officers' investigations through the API: nothing (compliance.audience).
The dossier, /signals and their /as-of and /events, /audit-events and the /events and /as-of of objects
the provider user does see."""

import io
import uuid

import pytest
from pypdf import PdfReader

from compliance.fraud.services import signal_start_investigation
from core import clock
from tests import factories
from tests.api.helpers import assert_problem, fresh_client
from tests.compliance.factories import FraudSignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def signal(provider, officer):
    signal = FraudSignalFactory(provider=provider, explanation="Meer gedeclareerd dan toegewezen.")
    signal_start_investigation(uuid=signal.uuid, actor=officer, reason="Onderzoek gestart door handhaving")
    return signal


def pdf_text(response) -> str:
    assert response.status_code == 200, response.content
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def test_a_provider_user_downloads_their_dossier_without_the_investigation(
    provider, provider_user, officer, signal
):
    client = fresh_client(provider_user)
    # when
    text = pdf_text(client.get(f"/api/v1/providers/{provider.uuid}/dossier"))
    # then
    for secret in ("Fraudesignalen", "fraudsignal", "declared_above", "Meergedeclareerd", "Onderzoekgestart"):
        assert secret not in text, secret
    assert officer.username not in text
    assert client.get("/api/v1/signals").json()["count"] == 0
    # while an officer's dossier of the same provider shows it
    text = pdf_text(fresh_client(officer).get(f"/api/v1/providers/{provider.uuid}/dossier"))
    assert "Fraudesignalen" in text and "Onderzoekgestart" in text  # the event's label, without spaces


@pytest.mark.parametrize("path", ["", "/as-of?date={today}", "/events"])
def test_a_signal_does_not_exist_for_a_provider_user(provider_user, signal, path):
    client = fresh_client(provider_user)
    path = path.format(today=clock.today().isoformat())
    # when
    hidden = assert_problem(client.get(f"/api/v1/signals/{signal.uuid}{path}"), 404, "not_found")
    absent = assert_problem(client.get(f"/api/v1/signals/{uuid.uuid4()}{path}"), 404, "not_found")
    # then the answer is that of a signal that does not exist
    assert {k: v for k, v in hidden.items() if k != "instance"} == {
        k: v for k, v in absent.items() if k != "instance"
    }


def test_the_audit_trail_shows_signal_events_to_staff_only(provider_user, auditor, signal):
    listed = fresh_client(auditor).get("/api/v1/audit-events", {"subjectType": "compliance.fraudsignal"})
    assert [e["event"] for e in listed.json()["results"]] == ["fraudsignal.investigation_started"]
    assert fresh_client(provider_user).get("/api/v1/audit-events").json()["results"] == []


def test_events_of_a_visible_object_leave_out_what_concerns_an_investigation(
    provider, provider_user, auditor
):
    agreement = factories.AgreementFactory(provider=provider, active=True)
    factories.audit_event(subject=agreement, event="agreement.checked")
    factories.audit_event(subject=agreement, event="fraudsignal.suspensions_applied", reason="Signaal 42")
    day = {"date": clock.today().isoformat()}
    client = fresh_client(provider_user)
    # when
    events = client.get(f"/api/v1/agreements/{agreement.uuid}/events").json()["results"]
    as_of = client.get(f"/api/v1/agreements/{agreement.uuid}/as-of", day).json()["events"]
    # then
    assert [e["event"] for e in events] == [e["event"] for e in as_of] == ["agreement.checked"]
    staff = fresh_client(auditor).get(f"/api/v1/agreements/{agreement.uuid}/as-of", day).json()["events"]
    assert [e["event"] for e in staff] == ["agreement.checked", "fraudsignal.suspensions_applied"]


@pytest.mark.parametrize("kind", ["procedure", "coalition"])
def test_the_as_of_of_a_procedure_or_coalition_names_no_other_provider(
    provider, provider_user, auditor, kind
):
    # given a procedure with a competing application, a coalition with another member
    other = factories.ProviderFactory(name="Concurrent Zorg B.V.")
    if kind == "procedure":
        subject = factories.ProcedureFactory(open=True)
        own = factories.ApplicationFactory(procedure=subject, provider=provider)
        factories.ApplicationFactory(procedure=subject, provider=other)
        path = f"/api/v1/procedures/{subject.uuid}/as-of"
    else:
        subject = factories.CoalitionFactory(active=True)
        own = factories.MembershipFactory(coalition=subject, provider=provider, active=True)
        factories.MembershipFactory(coalition=subject, provider=other, active=True)
        path = f"/api/v1/coalitions/{subject.uuid}/as-of"
    day = {"date": clock.today().isoformat()}
    # when
    parts = fresh_client(provider_user).get(path, day).json()["parts"]
    # then only its own part; staff see both
    assert [p["uuid"] for p in parts] == [str(own.uuid)]
    assert len(fresh_client(auditor).get(path, day).json()["parts"]) == 2
