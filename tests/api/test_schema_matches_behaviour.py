"""The three schema mismatches of issue 11, each checked on the served schema and on the behaviour it
describes: the typed parameters of `POST /exports`, the reason a step such as `dismiss` requires, and the
content types of the downloads."""

import pytest

from compliance.models import SignalStatus
from tests import factories
from tests.api.helpers import assert_problem, fresh_client
from tests.compliance import files
from tests.compliance.documents.helpers import uploaded
from tests.compliance.factories import FraudSignalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(api_client):
    return api_client.get("/api/v1/openapi.json").json()


def _component(schema: dict, ref: str) -> dict:
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


# --------------------------------------------------------------------------- POST /exports


def test_export_request_schema_types_the_parameters_of_each_kind(schema):
    body = schema["paths"]["/exports"]["post"]["requestBody"]
    request = _component(schema, body["content"]["application/json"]["schema"]["$ref"])
    assert body["required"] is True
    assert request["discriminator"]["propertyName"] == "kind"
    required = {}
    for kind, ref in request["discriminator"]["mapping"].items():
        variant = _component(schema, ref)
        parameters = _component(schema, variant["properties"]["parameters"]["$ref"])
        assert variant["additionalProperties"] is False and parameters["additionalProperties"] is False
        required[kind] = parameters["required"]
    assert required == {
        "workbook": ["authority"],
        "period_report": ["authority"],
        "provider_dossier": ["provider"],
        "procedure_report": ["procedure"],
    }


@pytest.mark.parametrize(
    ("parameters", "name", "code"),
    [
        ({"authority": "AUTHORITY", "periodStart": "1-1-2026"}, "parameters.periodStart", "invalid"),
        ({"authority": "AUTHORITY", "periodstart": "2026-01-01"}, "parameters.periodstart", "unknown"),
        ({"authority": "AUTHORITY", "language": "de"}, "parameters.language", "invalid_choice"),
        ({"authority": "not-a-uuid"}, "parameters.authority", "invalid"),
        ({}, "parameters.authority", "required"),
    ],
)
def test_bad_export_parameters_are_400_with_invalid_params(auditor, parameters, name, code):
    authority = factories.MunicipalityFactory()
    parameters = {k: str(authority.uuid) if v == "AUTHORITY" else v for k, v in parameters.items()}
    response = fresh_client(auditor).post(
        "/api/v1/exports", {"kind": "workbook", "parameters": parameters}, format="json"
    )
    body = assert_problem(response, 400, "invalid")
    assert [(p["name"], p["code"]) for p in body["invalidParams"]] == [(name, code)]


def test_parameters_of_another_kind_are_refused(auditor):
    procedure = factories.ProcedureFactory()
    response = fresh_client(auditor).post(
        "/api/v1/exports",
        {"kind": "provider_dossier", "parameters": {"procedure": str(procedure.uuid)}},
        format="json",
    )
    body = assert_problem(response, 400, "invalid")
    assert {(p["name"], p["code"]) for p in body["invalidParams"]} == {
        ("parameters.procedure", "unknown"),
    }


def test_a_typed_procedure_report_request_is_accepted(auditor):
    procedure = factories.ProcedureFactory()
    response = fresh_client(auditor).post(
        "/api/v1/exports",
        {"kind": "procedure_report", "parameters": {"procedure": str(procedure.uuid), "language": "en"}},
        format="json",
    )
    assert response.status_code == 202, response.content
    assert response.json()["parameters"] == {"procedure": str(procedure.uuid), "language": "en"}


# --------------------------------------------------------------------------- dismiss needs a reason


def test_schema_says_dismiss_requires_a_reason(schema):
    operation = schema["paths"]["/signals/{uuid}/transitions/dismiss"]["post"]
    body = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert operation["requestBody"]["required"] is True
    assert "reason" in body["required"] and "default" not in body["properties"]["reason"]
    generic = schema["paths"]["/signals/{uuid}/transitions/{name}"]["post"]
    name = next(p for p in generic["parameters"] if p["name"] == "name")
    assert name["schema"]["enum"] == ["confirm", "start_investigation"]


def test_schema_says_accept_requires_the_signatory(schema):
    # the service refuses an acceptance without the signatory's name and function (400 `invalid`,
    # tests/api/test_applying.py); the schema says so on accept's own operation
    operation = schema["paths"]["/agreements/{uuid}/transitions/accept"]["post"]
    body = _component(schema, operation["requestBody"]["content"]["application/json"]["schema"]["$ref"])
    assert operation["requestBody"]["required"] is True
    assert {"signedByName", "signedByRole"} <= set(body["required"])
    assert "default" not in body["properties"]["signedByName"]
    generic = schema["paths"]["/agreements/{uuid}/transitions/{name}"]["post"]
    name = next(p for p in generic["parameters"] if p["name"] == "name")
    assert "accept" not in name["schema"]["enum"]


def test_dismiss_without_a_reason_is_refused_and_with_one_taken(officer):
    signal = FraudSignalFactory()
    client = fresh_client(officer)
    url = f"/api/v1/signals/{signal.uuid}/transitions/dismiss"
    assert_problem(client.post(url, {}, format="json"), 400, "reason_required")
    assert_problem(client.post(url, {"reason": "   "}, format="json"), 400, "reason_required")
    signal.refresh_from_db()
    assert signal.status == SignalStatus.OPEN
    response = client.post(url, {"reason": "Verklaard door de zorgaanbieder"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["dismissalReason"] == "Verklaard door de zorgaanbieder"


def test_the_kebab_case_path_of_a_step_takes_that_step(officer):
    signal = FraudSignalFactory()
    client = fresh_client(officer)
    client.post(f"/api/v1/signals/{signal.uuid}/transitions/start-investigation", {}, format="json")
    response = client.post(
        f"/api/v1/signals/{signal.uuid}/transitions/request-confirmation", {"reason": "Grond"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["confirmationReason"] == "Grond"


# --------------------------------------------------------------------------- content types of downloads


def test_document_download_answers_a_content_type_the_schema_documents(schema, provider_user):
    documented = schema["paths"]["/documents/{uuid}/file"]["get"]["responses"]["200"]["content"]
    document = uploaded(provider_user, data=files.pdf("inhoud"), name="Beleid.pdf")
    response = fresh_client(provider_user).get(f"/api/v1/documents/{document.uuid}/file")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "application/pdf" in documented and "application/octet-stream" not in documented
    versions = schema["paths"]["/documents/{uuid}/versions/{number}/file"]["get"]["responses"]["200"]
    assert set(versions["content"]) == set(documented)


def test_export_downloads_answer_a_content_type_the_schema_documents(
    schema, auditor, django_capture_on_commit_callbacks
):
    documented = schema["paths"]["/exports/{uuid}/file"]["get"]["responses"]["200"]["content"]
    authority = factories.MunicipalityFactory()
    client = fresh_client(auditor)
    served = set()
    for kind in ("workbook", "period_report"):
        with django_capture_on_commit_callbacks(execute=True):
            created = client.post(
                "/api/v1/exports",
                {"kind": kind, "parameters": {"authority": str(authority.uuid)}},
                format="json",
            )
        response = client.get(f"/api/v1/exports/{created.json()['uuid']}/file")
        assert response.status_code == 200
        served.add(response["Content-Type"])
    assert served == set(documented)
