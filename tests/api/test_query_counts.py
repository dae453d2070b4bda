"""List endpoints use a constant number of queries, whatever the number of rows."""

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coalitions.models import MembershipStatus
from contracting.models import SubAgreement
from tests import factories
from tests.api.helpers import fresh_client

pytestmark = pytest.mark.django_db


def make_authority(provider):
    municipality = factories.MunicipalityFactory()
    region = factories.RegionFactory(lead_municipality=municipality)
    region.members.add(municipality)


def make_provider(provider):
    subsidiary = factories.ProviderFactory(parent=provider)
    subsidiary.users.add(*provider.users.all())  # the provider user acts for it too


def make_product(provider):
    factories.ProductFactory()


def make_procedure(provider):
    lot = factories.LotFactory(procedure=factories.ProcedureFactory(open=True))
    lot.products.add(factories.ProductFactory(), factories.ProductFactory())


def make_application(provider):
    application = factories.ApplicationFactory(provider=provider, under_review=True)
    factories.assess(application, factories.officer())


def make_agreement(provider):
    agreement = factories.AgreementFactory(provider=provider, active=True)
    SubAgreement.objects.create(agreement=agreement, lot=factories.LotFactory())


def make_coalition(provider):
    factories.MembershipFactory(provider=provider, lead=True, status=MembershipStatus.ACTIVE)


def make_membership(provider):
    factories.MembershipFactory(provider=provider, active=True)


def make_question(provider):
    factories.QuestionFactory(provider=provider)  # its own, not yet answered
    factories.QuestionFactory(published=True)  # another provider's, published for everyone


CASES = {
    "authorities": make_authority,
    "providers": make_provider,
    "products": make_product,
    "procedures": make_procedure,
    "applications": make_application,
    "agreements": make_agreement,
    "coalitions": make_coalition,
    "memberships": make_membership,
    "questions": make_question,
}


def count_queries(user, url: str) -> tuple[int, int]:
    client = fresh_client(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.json()["count"]


@pytest.mark.parametrize("as_provider_user", [False, True], ids=["officer", "provider_user"])
@pytest.mark.parametrize("resource", list(CASES))
def test_list_queries_do_not_grow_with_the_rows(officer, provider, provider_user, resource, as_provider_user):
    # given
    user = provider_user if as_provider_user else officer
    make = CASES[resource]
    for _ in range(3):
        make(provider)
    few_queries, few_rows = count_queries(user, f"/api/v1/{resource}")
    for _ in range(12):
        make(provider)
    # when
    many_queries, many_rows = count_queries(user, f"/api/v1/{resource}")
    # then
    assert many_rows > few_rows
    assert many_queries == few_queries
