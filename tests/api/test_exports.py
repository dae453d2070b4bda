"""/api/v1/exports, /providers/{uuid}/dossier, /<resource>/{uuid}/as-of and /audit-events."""

import datetime
import hashlib

import pytest

from audit.models import AuditEvent
from compliance.models import Export
from core import clock
from tests import factories
from tests.api.helpers import assert_problem, fresh_client
from tests.compliance.reports.world import at, build_world, days_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def content_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_auditor_requests_a_workbook_and_downloads_it(auditor, django_capture_on_commit_callbacks):
    authority = factories.MunicipalityFactory()
    client = fresh_client(auditor)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/exports",
            {
                "kind": "workbook",
                "parameters": {"authority": str(authority.uuid), "periodStart": "2026-01-01"},
            },
            format="json",
        )
    # then: accepted, with the export resource
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "workbook"
    assert body["parameters"]["periodStart"] == "2026-01-01"
    assert body["requestedBy"] == auditor.username
    assert response["Location"] == f"/api/v1/exports/{body['uuid']}"
    # and once made (in-process backend: right after the commit) it can be downloaded
    detail = client.get(f"/api/v1/exports/{body['uuid']}").json()
    assert detail["status"] == "done" and detail["fileUrl"].endswith(f"/api/v1/exports/{body['uuid']}/file")
    download = client.get(f"/api/v1/exports/{body['uuid']}/file")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = content_of(download)
    assert (
        hashlib.sha256(content).hexdigest() == detail["sha256"] == download["Digest"].removeprefix("sha-256=")
    )
    assert AuditEvent.objects.filter(event="export.downloaded", actor=auditor).count() == 1


def test_a_file_is_not_ready_before_the_export_is_made(auditor):
    authority = factories.MunicipalityFactory()
    client = fresh_client(auditor)
    # without the commit the task has not run yet
    response = client.post(
        "/api/v1/exports",
        {"kind": "periodReport", "parameters": {"authority": str(authority.uuid)}},
        format="json",
    )
    assert response.status_code in (202, 400)
    response = client.post(
        "/api/v1/exports",
        {"kind": "period_report", "parameters": {"authority": str(authority.uuid)}},
        format="json",
    )
    assert response.json()["status"] == "queued"
    assert_problem(client.get(f"/api/v1/exports/{response.json()['uuid']}/file"), 409, "export_not_ready")


def test_invalid_export_requests_are_400_problems(auditor):
    client = fresh_client(auditor)
    body = assert_problem(
        client.post("/api/v1/exports", {"kind": "everything"}, format="json"), 400, "invalid"
    )
    assert body["invalidParams"][0]["name"] == "kind"
    assert_problem(
        client.post("/api/v1/exports", {"kind": "workbook", "parameters": {}}, format="json"), 400, "invalid"
    )


def test_an_auditor_can_export_but_change_nothing(auditor):
    agreement = factories.AgreementFactory(active=True)
    client = fresh_client(auditor)
    response = client.post(
        f"/api/v1/agreements/{agreement.uuid}/transitions/suspend", {"reason": "x"}, format="json"
    )
    assert_problem(response, 403, "transition_forbidden")
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/api/v1/agreements/{agreement.uuid}").status_code in (403, 405)


def test_a_provider_user_downloads_their_own_dossier(provider, provider_user):
    client = fresh_client(provider_user)
    # when
    response = client.get(f"/api/v1/providers/{provider.uuid}/dossier")
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert content_of(response).startswith(b"%PDF")
    export = Export.objects.get()
    assert (export.kind, export.provider, export.requested_by) == (
        "provider_dossier",
        provider,
        provider_user,
    )
    assert AuditEvent.objects.get(event="export.completed").data["sha256"] == export.sha256


def test_a_provider_user_gets_404_for_another_organisations_dossier(provider_user):
    other = factories.ProviderFactory()
    client = fresh_client(provider_user)
    assert_problem(client.get(f"/api/v1/providers/{other.uuid}/dossier"), 404, "not_found")
    response = client.post(
        "/api/v1/exports",
        {"kind": "provider_dossier", "parameters": {"provider": str(other.uuid)}},
        format="json",
    )
    assert_problem(response, 404, "not_found")
    assert not Export.objects.exists()


def test_a_provider_user_cannot_export_the_authority_workbook(provider_user):
    authority = factories.MunicipalityFactory()
    response = fresh_client(provider_user).post(
        "/api/v1/exports",
        {"kind": "workbook", "parameters": {"authority": str(authority.uuid)}},
        format="json",
    )
    assert_problem(response, 403, "export_forbidden")


def test_a_provider_user_sees_only_their_own_exports(provider, provider_user, auditor):
    authority = factories.MunicipalityFactory()
    fresh_client(auditor).post(
        "/api/v1/exports",
        {"kind": "workbook", "parameters": {"authority": str(authority.uuid)}},
        format="json",
    )
    client = fresh_client(provider_user)
    client.post(
        "/api/v1/exports",
        {"kind": "provider_dossier", "parameters": {"provider": str(provider.uuid)}},
        format="json",
    )
    listed = client.get("/api/v1/exports").json()["results"]
    assert [e["kind"] for e in listed] == ["provider_dossier"]
    other = Export.objects.get(kind="workbook")
    assert_problem(client.get(f"/api/v1/exports/{other.uuid}"), 404, "not_found")
    assert_problem(client.get(f"/api/v1/exports/{other.uuid}/file"), 404, "not_found")


def test_as_of_returns_the_past_state_after_later_transitions(officer, auditor):
    from contracting.services import agreement_suspend

    with at(days_ago(10)):
        agreement = factories.AgreementFactory(active=True)
    with at(days_ago(3)):
        agreement_suspend(uuid=agreement.uuid, actor=officer, reason="Onderzoek")
    client = fresh_client(auditor)
    # when
    before = client.get(
        f"/api/v1/agreements/{agreement.uuid}/as-of",
        {"date": (clock.today() - datetime.timedelta(days=5)).isoformat()},
    )
    after = client.get(f"/api/v1/agreements/{agreement.uuid}/as-of", {"date": clock.today().isoformat()})
    # then
    assert before.status_code == 200, before.content
    body = before.json()
    assert (body["state"], body["currentState"], body["existed"], body["events"]) == (
        "active",
        "suspended",
        True,
        [],
    )
    assert body["term"]["endDate"] == agreement.end_date.isoformat()
    assert after.json()["state"] == "suspended"
    assert after.json()["events"][0]["event"] == "agreement.suspended"


def test_as_of_on_every_state_machine_resource(officer, auditor):
    world = build_world(officer)
    client = fresh_client(auditor)
    day = clock.today().isoformat()
    for resource, obj in (
        ("procedures", world.procedure),
        ("applications", world.application),
        ("memberships", world.membership),
        ("coalitions", world.membership.coalition),
    ):
        response = client.get(f"/api/v1/{resource}/{obj.uuid}/as-of", {"date": day})
        assert response.status_code == 200, (resource, response.content)
        obj.refresh_from_db()
        assert response.json()["state"] == obj.status
    procedure = client.get(f"/api/v1/procedures/{world.procedure.uuid}/as-of", {"date": day}).json()
    assert {"fair_pay_tariff", "anti_discrimination_policy"} <= set(procedure["conditionSet"])
    assert procedure["parts"][0]["state"] == "rejected"
    assert procedure["tariffs"][0]["amount"] == "70.00"


def test_as_of_needs_a_date_and_hides_what_the_caller_cannot_see(provider_user):
    agreement = factories.AgreementFactory()
    client = fresh_client(provider_user)
    assert_problem(
        client.get(f"/api/v1/agreements/{agreement.uuid}/as-of", {"date": "2026-01-01"}), 404, "not_found"
    )
    own = factories.AgreementFactory(provider=provider_user.providers.get())
    body = assert_problem(client.get(f"/api/v1/agreements/{own.uuid}/as-of"), 400, "invalid")
    assert body["invalidParams"][0]["name"] == "date"


def test_the_audit_trail_is_readable_for_auditors_and_cannot_be_changed(auditor, provider_user):
    event = factories.audit_event(event="provider.checked")
    client = fresh_client(auditor)
    listed = client.get("/api/v1/audit-events").json()["results"]
    assert listed[0]["hash"] == event.hash and listed[0]["subjectType"] == "contracting.provider"
    assert client.get(f"/api/v1/audit-events/{event.hash}").json()["event"] == "provider.checked"
    for method in ("post", "put", "patch", "delete"):
        url = "/api/v1/audit-events" if method == "post" else f"/api/v1/audit-events/{event.hash}"
        assert getattr(client, method)(url, {"reason": "x"}, format="json").status_code in (403, 405)
    assert fresh_client(provider_user).get("/api/v1/audit-events").json()["results"] == []
    assert AuditEvent.objects.get(pk=event.pk).hash == event.hash
