"""The committed openapi.yaml is the schema the code generates; the schema and docs are served."""

from pathlib import Path

import pytest

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
    transition = schema["paths"]["/api/v1/agreements/{uuid}/transitions/{name}"]["post"]
    assert set(transition["responses"]) == {"200", "400", "403", "404", "409", "412"}
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
