"""Query parameters: camelCase, documented, and refused when unknown or out of range (400 ``invalid`` with
``invalidParams``), never silently ignored."""

import re

import pytest

from tests import factories
from tests.api.helpers import assert_problem

pytestmark = pytest.mark.django_db


def invalid_params(response) -> list[tuple[str, str]]:
    body = assert_problem(response, 400, "invalid")
    return [(p["name"], p["code"]) for p in body["invalidParams"]]


@pytest.mark.parametrize(
    "url",
    ["/api/v1/agreements?colour=blue", "/api/v1/audit-events?subject_type=contracting.agreement"],
)
def test_an_unknown_query_key_is_refused(api_for, officer, url):
    key = url.split("?")[1].split("=")[0]
    assert invalid_params(api_for(officer).get(url)) == [(key, "unknown")]


def test_an_unknown_query_key_on_a_detail_is_refused(api_for, officer):
    agreement = factories.AgreementFactory()
    response = api_for(officer).get(f"/api/v1/agreements/{agreement.uuid}?expand=all&format=json")
    assert invalid_params(response) == [("expand", "unknown"), ("format", "unknown")]


def test_without_credentials_the_answer_is_401_first(api_client):
    assert_problem(api_client.get("/api/v1/agreements?colour=blue"), 401, "not_authenticated")


def test_audit_events_filter_on_camel_case_keys(api_for, officer):
    # given
    one, other = factories.AgreementFactory(active=True), factories.AgreementFactory(active=True)
    client = api_for(officer)
    for agreement in (one, other):
        client.post(f"/api/v1/agreements/{agreement.uuid}/transitions/suspend", {"reason": "Onderzoek"})
    # when
    response = client.get(f"/api/v1/audit-events?subjectType=contracting.agreement&subjectUuid={one.uuid}")
    # then
    assert response.status_code == 200
    events = response.json()["results"]
    assert events and {e["subjectUuid"] for e in events} == {str(one.uuid)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pageSize=abc", [("pageSize", "invalid")]),
        ("pageSize=0", [("pageSize", "invalid")]),
        ("pageSize=-5", [("pageSize", "invalid")]),
        ("pageSize=501", [("pageSize", "max_value")]),
        ("page=0", [("page", "invalid")]),
        ("page=x", [("page", "invalid")]),
        ("page=99", [("page", "out_of_range")]),
    ],
)
def test_bad_pages_and_page_sizes_are_refused(api_for, officer, query, expected):
    factories.AgreementFactory()
    assert invalid_params(api_for(officer).get(f"/api/v1/agreements?{query}")) == expected


def test_valid_pages_and_page_sizes(api_for, officer):
    for _ in range(3):
        factories.AgreementFactory()
    response = api_for(officer).get("/api/v1/agreements?page=2&pageSize=2")
    assert response.status_code == 200
    assert len(response.json()["results"]) == 1
    assert api_for(officer).get("/api/v1/agreements?page=1&pageSize=500").status_code == 200


def test_the_first_page_of_an_empty_list_is_no_error(api_for, officer):
    response = api_for(officer).get("/api/v1/signals?page=1")
    assert (response.status_code, response.json()["results"]) == (200, [])


def test_every_documented_query_key_is_camel_case(api_client):
    schema = api_client.get("/api/v1/openapi.json").json()
    keys = {
        parameter["name"]
        for item in schema["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert keys and all(re.fullmatch(r"[a-z][a-z\d]*([A-Z][a-z\d]*)*", key) for key in keys), keys


@pytest.mark.parametrize(
    "url, name",
    [
        ("/api/v1/agreements?provider=", "provider"),
        ("/api/v1/agreements?provider=abc", "provider"),
        ("/api/v1/audit-events?subjectUuid=e3e70682c2091caca29f6fbed82c07cd", "subjectUuid"),
        ("/api/v1/providers?servesYouth=yes", "servesYouth"),
        ("/api/v1/agreements?status=active&status=bogus", "status"),
        ("/api/v1/agreements?law=", "law"),
        ("/api/v1/signals?rule=", "rule"),
    ],
)
def test_a_value_that_does_not_match_the_parameter_schema_is_refused(api_for, officer, url, name):
    # Found by the fuzzer (tests/api/test_fuzz.py): an empty or malformed filter answered the whole list.
    assert invalid_params(api_for(officer).get(url)) == [(name, "invalid")]


def test_a_date_parameter_must_be_an_iso_date(api_for, officer):
    client = api_for(officer)
    assert invalid_params(client.get("/api/v1/agreements?endsAfter=20260101")) == [("endsAfter", "invalid")]
    assert invalid_params(client.get("/api/v1/agreements?endsAfter=2026-02-30")) == [("endsAfter", "invalid")]
    assert client.get("/api/v1/agreements?endsAfter=2026-02-28").status_code == 200
