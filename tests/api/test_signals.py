"""/api/v1/signals and /api/v1/declarations/imports: scoping, transitions (four-eyes), auditors read
only, the import endpoint with its row errors as problem+json, constant query counts."""

import io

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from compliance.fraud.services import ikz_report_record, ikz_request_record
from compliance.models import DeclarationLine, FraudSignal, ImportBatch, SignalStatus
from core import clock
from tests import factories
from tests.api.helpers import assert_problem, fresh_client, transition_url, uuids
from tests.compliance.factories import FraudSignalFactory
from tests.compliance.fraud import fixtures as fraud_fixtures
from tests.compliance.fraud.fixtures import BSN_B, DECLARATION_HEADER, csv_file

pytestmark = pytest.mark.django_db

world = fraud_fixtures.world


def upload(client, world, rows, **data):
    file = csv_file(DECLARATION_HEADER, rows, name="declaraties.csv")
    return client.post(
        "/api/v1/declarations/imports",
        {"file": file, "authority": str(world.authority.uuid), **data},
        format="multipart",
    )


# --------------------------------------------------------------------------- signals


def test_officers_and_auditors_see_signals_with_their_evidence(officer, auditor):
    signal = FraudSignalFactory(evidence={"sharePct": 12.5}, explanation="Uitleg")

    for user in (officer, auditor):
        response = fresh_client(user).get("/api/v1/signals")
        assert response.status_code == 200
        assert uuids(response) == {str(signal.uuid)}
    detail = fresh_client(officer).get(f"/api/v1/signals/{signal.uuid}").json()
    assert detail["evidence"] == {"sharePct": 12.5} and detail["explanation"] == "Uitleg"
    assert detail["availableTransitions"] == ["start_investigation", "dismiss"]
    assert fresh_client(auditor).get(f"/api/v1/signals/{signal.uuid}").json()["availableTransitions"] == []


def test_provider_users_see_no_signals_not_even_their_own(provider, provider_user):
    signal = FraudSignalFactory(provider=provider)

    client = fresh_client(provider_user)

    assert client.get("/api/v1/signals").json()["count"] == 0
    assert_problem(client.get(f"/api/v1/signals/{signal.uuid}"), 404, "not_found")


def test_confirmation_through_the_api_needs_a_second_officer(officer, second_officer):
    # given
    signal = FraudSignalFactory()
    first = fresh_client(officer)
    assert (
        first.post(transition_url("signals", signal, "start_investigation"), {}, format="json").status_code
        == 200
    )
    response = first.post(
        transition_url("signals", signal, "request_confirmation"), {"reason": "Gronden"}, format="json"
    )
    assert response.status_code == 200 and response.json()["confirmationRequestedBy"] == officer.username
    # when the proposer confirms
    refused = first.post(transition_url("signals", signal, "confirm"), {}, format="json")
    # then
    body = assert_problem(refused, 409, "guard_failed")
    assert body["unmet"][0]["code"] == "four_eyes_required"
    # when a second officer confirms
    response = fresh_client(second_officer).post(
        transition_url("signals", signal, "confirm"), {}, format="json"
    )
    # then
    assert response.status_code == 200 and response.json()["status"] == SignalStatus.CONFIRMED


def test_dismissal_through_the_api_needs_a_reason(officer):
    signal = FraudSignalFactory()
    client = fresh_client(officer)

    assert_problem(
        client.post(transition_url("signals", signal, "dismiss"), {}, format="json"), 400, "reason_required"
    )
    response = client.post(
        transition_url("signals", signal, "dismiss"), {"reason": "Correctie"}, format="json"
    )

    assert response.json()["dismissalReason"] == "Correctie"


@pytest.mark.parametrize("step", ["start_investigation", "dismiss", "request_confirmation", "confirm"])
def test_an_auditor_cannot_change_a_signal(auditor, step):
    signal = FraudSignalFactory(investigating=True)

    response = fresh_client(auditor).post(
        transition_url("signals", signal, step), {"reason": "x"}, format="json"
    )

    assert_problem(response, 403, "transition_forbidden")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.INVESTIGATING and signal.confirmation_requested_by is None
    assert not AuditEvent.objects.filter(subject_uuid=signal.uuid).exists()


def test_signals_can_be_filtered(officer):
    high = FraudSignalFactory(severity="high", rule="low_wage_ratio")
    FraudSignalFactory(severity="low", rule="profit_margin_above_cap")
    client = fresh_client(officer)

    assert uuids(client.get("/api/v1/signals?severity=high")) == {str(high.uuid)}
    assert uuids(client.get("/api/v1/signals?rule=low_wage_ratio")) == {str(high.uuid)}
    assert uuids(client.get(f"/api/v1/signals?provider={high.provider.uuid}")) == {str(high.uuid)}


def test_the_signal_as_it_stood_on_a_date(officer):
    signal = FraudSignalFactory()
    fresh_client(officer).post(transition_url("signals", signal, "start_investigation"), {}, format="json")

    response = fresh_client(officer).get(f"/api/v1/signals/{signal.uuid}/as-of?date={clock.today()}")

    assert response.status_code == 200 and response.json()["state"] == "investigating"


def make_signal():
    signal = FraudSignalFactory(investigating=True)
    officer = factories.officer()
    report = ikz_report_record(
        signal_uuid=signal.uuid,
        actor=officer,
        reported_on=clock.today(),
        reference="IKZ-1",
        shared_information="Dossier",
        decided_by=officer,
    )
    ikz_request_record(report_uuid=report.uuid, actor=officer, received_on=clock.today(), request="Vraag")


def count_queries(user, url):
    client = fresh_client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


def test_the_signal_list_uses_a_constant_number_of_queries(officer):
    for _ in range(2):
        make_signal()
    few = count_queries(officer, "/api/v1/signals")
    for _ in range(8):
        make_signal()
    many = count_queries(officer, "/api/v1/signals")
    assert many[1] > few[1] and many[0] == few[0]


# --------------------------------------------------------------------------- imports


def test_an_officer_imports_declarations_and_gets_every_rejected_row(world, officer):
    rows = [world.declaration(), world.declaration(client_bsn="123456789"), world.declaration(unit="99")]

    response = upload(fresh_client(officer), world, rows)

    assert response.status_code == 201
    body = response.json()
    assert (body["rowsImported"], body["rowsRejected"], body["alreadyImported"]) == (1, 2, False)
    assert [(r["row"], r["code"]) for r in body["rejections"]] == [(3, "bsn_checksum"), (4, "unknown_unit")]
    assert "123456789" not in response.content.decode()
    listed = fresh_client(officer).get(f"/api/v1/declarations/imports/{body['uuid']}/rejections").json()
    assert listed["count"] == 2


def test_the_same_file_again_changes_nothing(world, officer):
    rows = [world.declaration()]
    first = upload(fresh_client(officer), world, rows).json()

    again = upload(fresh_client(officer), world, rows)

    assert again.status_code == 200
    assert again.json()["alreadyImported"] is True and again.json()["uuid"] == first["uuid"]
    assert DeclarationLine.objects.count() == 1 and ImportBatch.objects.count() == 1


def test_a_file_of_which_nothing_is_stored_is_a_problem_listing_the_rows(world, officer):
    rows = [
        world.declaration(),
        world.declaration(client_bsn="123456789"),
        world.declaration(client_bsn=BSN_B),
    ]

    response = upload(fresh_client(officer), world, rows, strict="true")

    body = assert_problem(response, 400, "import_rejected")
    assert body["invalidParams"] == [
        {"name": "rows[3].client_bsn", "code": "bsn_checksum", "reason": body["invalidParams"][0]["reason"]}
    ]
    assert body["rowsRejected"] == 1 and not DeclarationLine.objects.exists()


def test_an_unreadable_file_is_a_problem(world, officer):
    response = fresh_client(officer).post(
        "/api/v1/declarations/imports",
        {"file": io.BytesIO(b"just some text\n"), "authority": str(world.authority.uuid)},
        format="multipart",
    )
    assert_problem(response, 400, "import_file_invalid")


@pytest.mark.parametrize("role", ["auditor", "provider_user"])
def test_auditors_and_providers_cannot_import(world, request, role):
    response = upload(fresh_client(request.getfixturevalue(role)), world, [world.declaration()])

    assert_problem(response, 403, "transition_forbidden")
    assert not ImportBatch.objects.exists() and not FraudSignal.objects.exists()


def test_imports_are_listed_for_officers_and_auditors_only(world, officer, auditor, provider_user):
    world.import_declarations([world.declaration()], actor=officer)

    assert fresh_client(auditor).get("/api/v1/declarations/imports").json()["count"] == 1
    assert fresh_client(provider_user).get("/api/v1/declarations/imports").json()["count"] == 0
