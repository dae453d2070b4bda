"""Every response under /api/ carries the full API-Version, whatever answered it; the schema may be
fetched from another origin."""

import pytest

from django.conf import settings

pytestmark = pytest.mark.django_db
VERSION = settings.SPECTACULAR_SETTINGS["VERSION"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/agreements",
        "/api/v1/openapi.json",
        "/api/v1/docs",
        "/api/v1/nothing-here",
        "/api/v1/agreements/00000000-0000-0000-0000-000000000000",
        "/api/v1/agreements?colour=blue",
    ],
)
def test_every_api_response_carries_the_version(client, officer, url):
    client.force_login(officer)
    response = client.get(url)
    assert response["API-Version"] == VERSION


def test_errors_without_credentials_carry_it_too(client):
    assert client.get("/api/v1/agreements")["API-Version"] == VERSION


def test_the_dossier_carries_it(client, provider, provider_user):
    client.force_login(provider_user)
    response = client.get(f"/api/v1/providers/{provider.uuid}/dossier")
    assert (response.status_code, response["API-Version"]) == (200, VERSION)


def test_pages_outside_the_api_do_not(client):
    assert "API-Version" not in client.get("/portal/login/")


def test_the_schema_may_be_read_from_any_origin(client):
    assert client.get("/api/v1/openapi.json")["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/agreements")
