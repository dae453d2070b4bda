"""Authorities and products: public reference data for every authenticated user."""

import pytest

from tests import factories
from tests.api.helpers import uuids

pytestmark = pytest.mark.django_db


def test_provider_user_lists_authorities_with_region_members(api_for, provider_user):
    # given
    municipality = factories.MunicipalityFactory()
    region = factories.RegionFactory(lead_municipality=municipality)
    region.members.add(municipality)
    # when
    response = api_for(provider_user).get("/api/v1/authorities")
    # then
    assert response.status_code == 200
    assert {str(municipality.uuid), str(region.uuid)} <= uuids(response)
    row = next(r for r in response.json()["results"] if r["uuid"] == str(region.uuid))
    assert row["kind"] == "region"
    assert row["leadMunicipality"] == str(municipality.uuid)
    assert row["members"] == [str(municipality.uuid)]


def test_authority_detail_by_uuid(api_for, provider_user):
    # given
    municipality = factories.MunicipalityFactory(cbs_code="GM0599")
    # when
    response = api_for(provider_user).get(f"/api/v1/authorities/{municipality.uuid}")
    # then
    assert response.status_code == 200
    assert response.json()["cbsCode"] == "GM0599"
    assert response["ETag"]


def test_authorities_filter_by_kind(api_for, officer):
    # given
    municipality = factories.MunicipalityFactory()
    region = factories.RegionFactory()
    # when
    response = api_for(officer).get("/api/v1/authorities", {"kind": "region"})
    # then
    assert str(region.uuid) in uuids(response)
    assert str(municipality.uuid) not in uuids(response)


def test_provider_user_reads_products_with_category_and_unit(api_for, provider_user):
    # given
    product = factories.ProductFactory(code="02A99")
    # when
    response = api_for(provider_user).get(f"/api/v1/products/{product.uuid}")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "02A99"
    assert body["category"] == {"law": "wmo", "code": "02", "name": product.category.name}
    assert body["unit"]["code"] == "04"


def test_products_search_by_code(api_for, provider_user):
    # given
    wanted = factories.ProductFactory(code="02X77")
    other = factories.ProductFactory(code="02Y88")
    # when
    response = api_for(provider_user).get("/api/v1/products", {"search": "02X7"})
    # then
    assert str(wanted.uuid) in uuids(response)
    assert str(other.uuid) not in uuids(response)
