"""The committed openapi.yaml is the schema the code generates; the schema and docs are served."""

from pathlib import Path
from unittest.mock import ANY

import pytest
import yaml

from django.conf import settings
from django.core.management import call_command

REGENERATE = "DEBUG=true .venv/bin/python manage.py spectacular --lang en --file openapi.yaml --validate"


def test_committed_schema_matches_the_code(tmp_path):
    # given
    generated = tmp_path / "openapi.yaml"
    committed = Path(settings.BASE_DIR) / "openapi.yaml"
    # when
    call_command("spectacular", "--lang", "en", "--file", str(generated), "--validate")
    # then
    assert generated.read_text() == committed.read_text(), f"openapi.yaml is stale; run: {REGENERATE}"


@pytest.mark.django_db
def test_schema_is_served_as_openapi_3_json(api_client):
    # when
    response = api_client.get("/api/v1/openapi.json")
    # then
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["servers"] == [{"url": "http://testserver/api/v1", "description": ANY}]
    transition = schema["paths"]["/agreements/{uuid}/transitions/{name}"]["post"]
    assert set(transition["responses"]) == {
        "200",
        "400",
        "401",
        "403",
        "404",
        "406",
        "409",
        "412",
        "428",
        "429",
    }
    assert "application/problem+json" in transition["responses"]["409"]["content"]


@pytest.mark.django_db
def test_docs_page_lists_the_endpoints_without_external_scripts(api_client):
    # when
    response = api_client.get("/api/v1/docs")
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/v1/agreements/{uuid}/transitions/{name}" in html
    assert "/api/v1/openapi.json" in html
    assert "<script" not in html


def test_the_schema_follows_the_nl_api_design_rules_that_spectral_checks(tmp_path):
    """What `make api-lint` checks with the ADR rulesets, in Python, so that a plain test run notices too."""
    # given
    call_command("spectacular", "--lang", "en", "--file", str(tmp_path / "schema.yaml"))
    schema = yaml.safe_load((tmp_path / "schema.yaml").read_text())
    responses = schema["components"]["responses"]
    # then
    assert schema["info"]["contact"].keys() >= {"name", "email", "url"}
    assert schema["servers"][0]["url"].startswith("https://") and schema["servers"][0]["url"].endswith("/v1")
    assert "get" in schema["paths"]["/openapi.json"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            codes = operation["responses"]
            assert {"400", "406", "429"} <= set(codes), (path, method)
            for code, response in codes.items():
                response = responses[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
                assert "API-Version" in response["headers"], (path, method, code)
                if code.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"], (path, method, code)


@pytest.mark.django_db
def test_every_change_of_an_existing_object_requires_if_match_and_documents_412_and_428(api_client):
    # given
    schema = api_client.get("/api/v1/openapi.json").json()
    changes = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in ("post", "put", "patch", "delete") and "{uuid}" in path
    ]
    # then: transitions, assessments and document versions (there is no PUT, PATCH or DELETE)
    assert {path for path, _m, _o in changes} >= {
        "/agreements/{uuid}/transitions/{name}",
        "/applications/{uuid}/assessments",
        "/documents/{uuid}/versions",
    }
    for path, _method, operation in changes:
        if_match = [p for p in operation["parameters"] if (p["in"], p["name"]) == ("header", "If-Match")]
        assert if_match and if_match[0]["required"] is True, path
        assert {"412", "428"} <= set(operation["responses"]), path
        success = next(code for code in ("200", "201") if code in operation["responses"])
        assert "ETag" in operation["responses"][success]["headers"], path
