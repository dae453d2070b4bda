"""CORS: the API answers browser pages of the origins in CORS_ALLOWED_ORIGINS (none by default), only
under /api/; the schema may be read from any origin."""

import pytest

pytestmark = pytest.mark.django_db

ALLOWED = "https://inkoop.gemeente.example.nl"
OTHER = "https://elders.example.org"


@pytest.fixture
def allowed_origin(settings):
    settings.CORS_ALLOWED_ORIGINS = [ALLOWED]


def test_no_origin_is_allowed_by_default(settings, api_for, officer):
    assert settings.CORS_ALLOWED_ORIGINS == []
    response = api_for(officer).get("/api/v1/agreements", HTTP_ORIGIN=ALLOWED)
    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response


def test_an_allowed_origin_may_read_the_api_and_its_versions(allowed_origin, api_for, officer):
    response = api_for(officer).get("/api/v1/agreements", HTTP_ORIGIN=ALLOWED)
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    exposed = {h.strip().lower() for h in response["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "api-version", "retry-after", "www-authenticate"} <= exposed


def test_another_origin_is_not_allowed(allowed_origin, api_for, officer):
    response = api_for(officer).get("/api/v1/agreements", HTTP_ORIGIN=OTHER)
    assert "Access-Control-Allow-Origin" not in response


def test_a_preflight_of_a_change_allows_if_match(allowed_origin, api_client):
    response = api_client.options(
        "/api/v1/agreements/00000000-0000-0000-0000-000000000000/transitions/suspend",
        HTTP_ORIGIN=ALLOWED,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-match, content-type, authorization",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == ALLOWED
    allowed = {h.strip().lower() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"if-match", "if-none-match", "content-type", "authorization"} <= allowed
    assert "POST" in response["Access-Control-Allow-Methods"]


def test_a_preflight_from_another_origin_gets_no_permission(allowed_origin, api_client):
    response = api_client.options(
        "/api/v1/agreements",
        HTTP_ORIGIN=OTHER,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
    )
    assert "Access-Control-Allow-Origin" not in response


def test_pages_outside_the_api_get_no_cors_headers(allowed_origin, client):
    response = client.get("/portal/login/", HTTP_ORIGIN=ALLOWED)
    assert "Access-Control-Allow-Origin" not in response


@pytest.mark.parametrize("origin", [ALLOWED, OTHER, None])
def test_the_schema_may_be_read_from_any_origin(allowed_origin, client, origin):
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    response = client.get("/api/v1/openapi.json", **extra)
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
