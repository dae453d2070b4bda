"""Every error of the API is application/problem+json with a stable code."""

import uuid

import pytest

from tests import factories
from tests.api.helpers import assert_problem, transition_url

pytestmark = pytest.mark.django_db

RESOURCES = [
    "authorities",
    "providers",
    "products",
    "procedures",
    "applications",
    "agreements",
    "coalitions",
    "memberships",
]


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_list_is_refused(api_client, resource):
    # when
    response = api_client.get(f"/api/v1/{resource}")
    # then
    assert response.status_code in (401, 403)
    assert_problem(response, response.status_code, "not_authenticated")


def test_anonymous_transition_is_refused_and_changes_nothing(api_client):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = api_client.post(transition_url("agreements", agreement, "suspend"), {"reason": "x"})
    # then
    assert_problem(response, response.status_code, "not_authenticated")
    assert response.status_code in (401, 403)
    agreement.refresh_from_db()
    assert agreement.status == "active"


def test_problem_shape(api_for, officer):
    # given
    agreement = factories.AgreementFactory()
    url = transition_url("agreements", agreement, "suspend")
    # when
    response = api_for(officer).post(url, {"reason": "x"}, format="json")
    # then
    body = assert_problem(response, 409, "invalid_transition")
    assert body["type"].endswith("/invalid_transition")
    assert body["instance"] == url
    assert body["title"] and body["detail"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_unknown_uuid_is_a_404_problem(api_for, officer, resource):
    # when
    response = api_for(officer).get(f"/api/v1/{resource}/{uuid.uuid4()}")
    # then
    assert_problem(response, 404, "not_found")


def test_malformed_uuid_is_a_404_problem(api_for, officer):
    # when
    response = api_for(officer).get("/api/v1/agreements/not-a-uuid")
    # then
    assert_problem(response, 404, "not_found")


def test_unknown_api_url_is_a_404_problem(api_for, officer):
    # when
    response = api_for(officer).get("/api/v1/nothing-here")
    # then
    assert_problem(response, 404, "not_found")


def test_transitions_on_reference_data_do_not_exist(api_for, officer):
    # given
    product = factories.ProductFactory()
    # when
    response = api_for(officer).post(f"/api/v1/products/{product.uuid}/transitions/open", format="json")
    # then
    assert_problem(response, 404, "not_found")


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_resources_are_read_only(api_for, officer, method):
    # given
    agreement = factories.AgreementFactory()
    client = api_for(officer)
    # when
    on_list = getattr(client, method)("/api/v1/agreements", {}, format="json")
    on_detail = getattr(client, method)(f"/api/v1/agreements/{agreement.uuid}", {}, format="json")
    # then
    assert_problem(on_list, 405, "method_not_allowed")
    assert_problem(on_detail, 405, "method_not_allowed")


def test_transition_input_is_validated(api_for, officer):
    # given
    agreement = factories.AgreementFactory(active=True)
    # when
    response = api_for(officer).post(
        transition_url("agreements", agreement, "suspend"), {"reason": ["a", "b"]}, format="json"
    )
    # then
    body = assert_problem(response, 400, "invalid")
    assert [p["name"] for p in body["invalidParams"]] == ["reason"]
