"""GET /api/v1/providers/{uuid}/missing: the 'what is missing' list, also for provider users."""

import pytest

from compliance.conditions.services import conditions_evaluate
from tests import factories
from tests.compliance.factories import DocumentFactory, agreement_with

pytestmark = pytest.mark.django_db


def test_provider_user_reads_what_is_still_missing(api_for):
    # given an agreement that asks for the policy and the meldcode, of which only the policy is accepted
    agreement = agreement_with("anti_discrimination_policy", "meldcode")
    DocumentFactory(provider=agreement.provider, accepted=True)
    conditions_evaluate(subject=agreement)
    user = factories.provider_user(agreement.provider)
    # when
    response = api_for(user).get(f"/api/v1/providers/{agreement.provider.uuid}/missing")
    # then
    assert response.status_code == 200
    [item] = response.json()
    assert (item["condition"]["code"], item["outcome"], item["subjects"]) == (
        "meldcode",
        "pending",
        [str(agreement)],
    )
    assert item["reasons"]


def test_another_providers_list_is_not_found(api_for):
    agreement = agreement_with("meldcode")
    conditions_evaluate(subject=agreement)
    stranger = factories.provider_user(factories.ProviderFactory())
    response = api_for(stranger).get(f"/api/v1/providers/{agreement.provider.uuid}/missing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_auditor_reads_it_too(api_for, auditor):
    agreement = agreement_with("meldcode")
    conditions_evaluate(subject=agreement)
    response = api_for(auditor).get(f"/api/v1/providers/{agreement.provider.uuid}/missing")
    assert [i["condition"]["code"] for i in response.json()] == ["meldcode"]
