"""The reële prijs next to each tariff, and the tariffs below it flagged."""

from decimal import Decimal

import pytest

from contracting.models import Tariff
from core import formatting
from tests import factories
from tests.admin.helpers import change_url, changelist_url

pytestmark = pytest.mark.django_db


def fair_pay_rows(response) -> dict[str, tuple]:
    """product code -> (reële prijs shown, meets it?) as the changelist computed them."""
    model_admin = response.context["cl"].model_admin
    return {
        t.product.code: (model_admin.display_real_price(t), model_admin.meets_real_price(t))
        for t in response.context["cl"].result_list
    }


def test_changelist_flags_tariffs_below_the_real_price(client_for, officer):
    # given
    cost = factories.CostModelFactory()
    real_price = cost.real_price
    below = factories.TariffFactory(
        authority=cost.authority, product=cost.product, year=cost.year, amount=real_price - Decimal("0.01")
    )
    other = factories.CostModelFactory(authority=cost.authority)
    fair = factories.TariffFactory(
        authority=cost.authority, product=other.product, year=other.year, amount=other.real_price
    )
    unknown = factories.TariffFactory()  # no cost model
    # when
    response = client_for(officer).get(changelist_url(Tariff))
    # then
    rows = fair_pay_rows(response)
    assert rows[below.product.code] == (formatting.money(real_price), False)
    assert rows[fair.product.code] == (formatting.money(other.real_price), True)
    assert rows[unknown.product.code] == ("–", None)
    assert response.content.count(b"icon-no.svg") == 1


def test_change_page_shows_the_real_price(client_for, auditor):
    # given
    cost = factories.CostModelFactory()
    tariff = factories.TariffFactory(
        authority=cost.authority, product=cost.product, year=cost.year, amount=Decimal("1.00")
    )
    # when
    response = client_for(auditor).get(change_url(tariff))
    # then
    assert response.status_code == 200
    assert formatting.money(cost.real_price).encode() in response.content
    assert b"icon-no.svg" in response.content


def test_cost_model_changelist_shows_the_computed_real_price(client_for, officer):
    # given
    cost = factories.CostModelFactory()
    # when
    response = client_for(officer).get(changelist_url(type(cost)))
    # then
    assert formatting.money(cost.real_price).encode() in response.content
