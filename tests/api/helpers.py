"""Assertions shared by the API tests."""

from django.contrib.auth import get_user_model

from tests.api_client import VersionedClient

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "code"}


def assert_problem(response, status: int, code: str) -> dict:
    """The response is an RFC 9457 problem with our stable code; returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].split(";")[0] == "application/problem+json"
    body = response.json()
    assert body.keys() >= PROBLEM_KEYS
    assert (body["status"], body["code"]) == (status, code)
    return body


def fresh_client(user) -> VersionedClient:
    """A client for a freshly loaded user, as in a real request: no permission or provider caches."""
    client = VersionedClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def uuids(response) -> set[str]:
    return {row["uuid"] for row in response.json()["results"]}


def transition_url(resource: str, obj, name: str) -> str:
    return f"/api/v1/{resource}/{obj.uuid}/transitions/{name}"
