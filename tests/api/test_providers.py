"""Providers: officers and auditors see all, a provider user only the providers they act for."""

import pytest

from audit.services import audit_record
from tests import factories
from tests.api.helpers import assert_problem, uuids

pytestmark = pytest.mark.django_db


def test_officer_lists_every_provider(api_for, officer):
    # given
    providers = factories.ProviderFactory.create_batch(3)
    # when
    response = api_for(officer).get("/api/v1/providers")
    # then
    assert response.status_code == 200
    assert uuids(response) == {str(p.uuid) for p in providers}


def test_provider_user_lists_only_own_provider(api_for, provider, provider_user):
    # given
    factories.ProviderFactory.create_batch(2)
    # when
    response = api_for(provider_user).get("/api/v1/providers")
    # then
    assert uuids(response) == {str(provider.uuid)}


def test_provider_detail_in_camel_case(api_for, provider, provider_user):
    # when
    response = api_for(provider_user).get(f"/api/v1/providers/{provider.uuid}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["kvkNumber"] == provider.kvk_number
    assert body["agbCode"] == provider.agb_code
    assert body["legalForm"] == "stichting"
    assert body["servesWmo"] is True


def test_provider_user_gets_404_for_another_provider(api_for, provider_user):
    # given
    other = factories.ProviderFactory()
    # when
    detail = api_for(provider_user).get(f"/api/v1/providers/{other.uuid}")
    events = api_for(provider_user).get(f"/api/v1/providers/{other.uuid}/events")
    # then
    assert_problem(detail, 404, "not_found")
    assert_problem(events, 404, "not_found")


def test_providers_filter_by_kvk_number_and_search(api_for, officer):
    # given
    wanted = factories.ProviderFactory(name="Zorg Zuid", kvk_number="12345678")
    other = factories.ProviderFactory(name="Hulp Noord")
    client = api_for(officer)
    # when
    by_kvk = client.get("/api/v1/providers", {"kvkNumber": "12345678"})
    by_search = client.get("/api/v1/providers", {"search": "zuid"})
    # then
    assert uuids(by_kvk) == {str(wanted.uuid)}
    assert uuids(by_search) == {str(wanted.uuid)}
    assert str(other.uuid) not in uuids(by_search)


def test_provider_events_list_the_audit_trail(api_for, auditor):
    # given
    provider = factories.ProviderFactory()
    audit_record(actor=None, event="provider.checked", subject=provider)
    # when
    response = api_for(auditor).get(f"/api/v1/providers/{provider.uuid}/events")
    # then
    assert response.status_code == 200
    assert [e["event"] for e in response.json()["results"]] == ["provider.checked"]
