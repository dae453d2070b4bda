"""Fair pay in the admin: tariffs below the reële prijs as a filter, indexation and true-up as one action
each, and what a true-up changed per agreement."""

import datetime
from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.formats import number_format

from audit.models import AuditEvent
from contracting.models import IndexationRun, SubAgreement, Tariff
from contracting.services import tariffs_index, tariffs_true_up
from core import clock
from tests import factories
from tests.admin.helpers import change_url, changelist_url, messages_of

pytestmark = pytest.mark.django_db

INDEX = "/admin/contracting/tariff/indexation/index/"
TRUE_UP = "/admin/contracting/tariff/indexation/true_up/"


def priced_authority(year=2023):
    authority = factories.MunicipalityFactory()
    product = factories.ProductFactory()
    factories.TariffFactory(authority=authority, product=product, year=year, amount=Decimal("60.00"))
    factories.CostModelFactory(authority=authority, product=product, year=year)
    return authority, product


# --------------------------------------------------------------------------- below the reële prijs


def tariff_at(cost, amount: Decimal) -> Tariff:
    return factories.TariffFactory(
        authority=cost.authority, product=cost.product, year=cost.year, amount=amount
    )


@pytest.fixture
def fair_and_unfair():
    """One tariff a cent below its reële prijs, one exactly at it, one above, one without a cost model."""
    rows = {}
    for name, delta in (("below", Decimal("-0.01")), ("at", Decimal("0")), ("above", Decimal("5"))):
        cost = factories.CostModelFactory()
        rows[name] = tariff_at(cost, cost.real_price + delta)
    rows["unknown"] = factories.TariffFactory()
    return rows


@pytest.mark.parametrize(
    ("value", "expected"), [("yes", {"below"}), ("no", {"at", "above"}), ("unknown", {"unknown"})]
)
def test_filter_on_the_reële_prijs(client_for, officer, fair_and_unfair, value, expected):
    # when
    response = client_for(officer).get(changelist_url(Tariff), {"below_real_price": value})
    # then
    shown = {t.pk for t in response.context["cl"].result_list}
    assert shown == {fair_and_unfair[name].pk for name in expected}


def test_filter_agrees_with_the_flag_on_each_row(client_for, auditor):
    # given tariffs around the reële prijs of cost models with awkward percentages
    for wage, productivity in ((Decimal("23.17"), Decimal("71.30")), (Decimal("31.05"), Decimal("66.67"))):
        for delta in ("-0.01", "0", "0.01"):
            cost = factories.CostModelFactory(hourly_wage=wage, productivity_pct=productivity)
            tariff_at(cost, cost.real_price + Decimal(delta))
    client = client_for(auditor)
    # when
    response = client.get(changelist_url(Tariff), {"below_real_price": "yes"})
    everything = client.get(changelist_url(Tariff))
    # then
    model_admin = everything.context["cl"].model_admin
    flagged = {t.pk for t in everything.context["cl"].result_list if model_admin.meets_real_price(t) is False}
    assert {t.pk for t in response.context["cl"].result_list} == flagged
    assert len(flagged) == 2


def test_filtered_changelist_query_count_does_not_grow_with_rows(client_for, officer):
    # given
    client = client_for(officer)

    def make():
        cost = factories.CostModelFactory()
        tariff_at(cost, Decimal("1.00"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(changelist_url(Tariff), {"below_real_price": "yes"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        make()
    few = count()
    # when
    for _ in range(12):
        make()
    many = count()
    # then
    assert many == few


# --------------------------------------------------------------------------- indexation


def test_officer_indexes_tariffs_for_a_new_year(client_for, officer):
    # given
    authority, product = priced_authority(2023)
    # when
    response = client_for(officer).post(INDEX, {"authority": authority.pk, "year": 2024})
    # then
    run = IndexationRun.objects.get(authority=authority, year=2024)
    assert response.status_code == 302
    assert response["Location"] == change_url(run)
    tariff = Tariff.objects.get(authority=authority, product=product, year=2024)
    # the VNG provider index 2024 (6,30%): 60 × 1,063
    assert (tariff.amount, tariff.indexation_run, run.applied_by) == (Decimal("63.78"), run, officer)
    assert run.method == "vng_provider_index"


def test_officer_chooses_the_true_up_method(client_for, officer):
    # given
    authority, product = priced_authority(2023)
    # when
    client_for(officer).post(
        INDEX, {"authority": authority.pk, "year": 2024, "method": "provisional_true_up"}
    )
    # then: the weighted provisional rate 4,697%: 60 × 1,04697
    run = IndexationRun.objects.get(authority=authority, year=2024)
    assert (run.basis, Tariff.objects.get(authority=authority, year=2024).amount) == (
        "provisional",
        Decimal("62.82"),
    )
    assert AuditEvent.objects.get(event="tariffs.indexed").actor == officer


def test_indexing_twice_shows_the_refusal(client_for, officer):
    # given
    authority, _product = priced_authority(2023)
    tariffs_index(authority=authority, year=2024, actor=officer)
    # when
    response = client_for(officer).post(INDEX, {"authority": authority.pk, "year": 2024})
    # then
    assert response.status_code == 200
    [message] = messages_of(response)
    assert "guard_failed" in message.tags
    assert 'data-code="already_indexed"' in str(message)
    assert Tariff.objects.filter(authority=authority, year=2024).count() == 1


def test_an_unpublished_index_gives_provisional_tariffs_in_a_named_state(client_for, officer):
    # given no figure is published for 2031
    authority, _product = priced_authority(2030)
    # when
    response = client_for(officer).post(INDEX, {"authority": authority.pk, "year": 2031}, follow=True)
    # then: no crash: the tariffs exist at the 2030 level, the run says why
    run = IndexationRun.objects.get(authority=authority, year=2031)
    assert run.basis == "awaiting_index"
    assert Tariff.objects.get(year=2031).amount == Decimal("60.00")
    assert b'data-index-state="not_published"' in response.content


def test_tariff_changelist_names_the_unpublished_index_years(client_for, officer):
    # given a tariff in 2026, a year without a published index
    factories.TariffFactory(year=2026)
    # when
    response = client_for(officer).get(changelist_url(Tariff))
    # then
    assert [f.year for f in response.context["unpublished_index"]] == [2026]
    assert b'data-index-missing="2026"' in response.content


def test_indexation_form_proposes_next_year(client_for, officer):
    # when
    response = client_for(officer).get(INDEX)
    # then
    assert response.status_code == 200
    assert response.context["form"].initial["year"] == clock.today().year + 1


def true_up_agreement(officer):
    """Tariffs of 2023, indexed provisionally for 2024, and an agreement running in 2024 with a ceiling."""
    authority, product = priced_authority(2023)
    tariffs_index(authority=authority, year=2024, actor=officer, method="provisional_true_up")
    procedure = factories.ProcedureFactory(authority=authority, concluded=True)
    lot = factories.LotFactory(procedure=procedure)
    lot.products.add(product)
    agreement = factories.AgreementFactory(
        authority=authority,
        procedure=procedure,
        active=True,
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    SubAgreement.objects.create(agreement=agreement, lot=lot)
    factories.BudgetCeilingFactory(agreement=agreement, year=2024, amount=Decimal("100000"))
    return agreement


def test_officer_trues_up_and_sees_the_difference_per_agreement(client_for, officer):
    # given
    agreement = true_up_agreement(officer)
    client = client_for(officer)
    # when
    response = client.post(TRUE_UP, {"authority": agreement.authority_id, "year": 2024}, follow=True)
    # then
    run = IndexationRun.objects.get(authority=agreement.authority, year=2024, basis="definitive")
    assert response.redirect_chain == [(change_url(run), 302)]
    [row] = response.context["true_up_rows"]
    assert (row["agreement"], [line["difference"] for line in row["lines"]]) == (agreement, [Decimal("0.61")])
    html = response.content.decode()
    assert 'id="true-up-per-agreement"' in html
    assert f'data-agreement="{agreement.reference}"' in html
    assert f"€ {number_format(Decimal('0.61'), 2)}" in html
    assert f"€ {number_format(Decimal('967.55'), 2)}" in html  # the effect on the budget ceiling
    assert Tariff.objects.get(authority=agreement.authority, year=2024).amount == Decimal("63.43")


def test_true_up_page_renders_for_the_auditor(client_for, officer, auditor):
    # given
    agreement = true_up_agreement(officer)
    run = tariffs_true_up(authority=agreement.authority, year=2024, actor=officer)
    # when
    response = client_for(auditor).get(change_url(run))
    # then
    assert response.status_code == 200
    assert number_format(Decimal("967.55"), 2).encode() in response.content
    assert not response.context["has_change_permission"]


def test_a_provisional_run_has_no_true_up_table(client_for, officer):
    # given
    authority, _product = priced_authority(2023)
    run = tariffs_index(authority=authority, year=2024, actor=officer)
    # when
    response = client_for(officer).get(change_url(run))
    # then
    assert "true_up_rows" not in response.context
    assert b'id="true-up-per-agreement"' not in response.content


def test_true_up_without_a_provisional_run_shows_the_refusal(client_for, officer):
    # given
    authority, _product = priced_authority(2023)
    # when
    response = client_for(officer).post(TRUE_UP, {"authority": authority.pk, "year": 2024})
    # then
    assert 'data-code="not_indexed"' in str(messages_of(response)[0])
    assert not IndexationRun.objects.exists()


@pytest.mark.parametrize("model", [Tariff, IndexationRun], ids=lambda m: m._meta.model_name)
def test_changelists_offer_the_indexation_operations_to_officers_only(client_for, officer, auditor, model):
    # when
    for_officer = client_for(officer).get(changelist_url(model))
    for_auditor = client_for(auditor).get(changelist_url(model))
    # then
    assert [link["name"] for link in for_officer.context["indexation_links"]] == ["index", "true_up"]
    assert INDEX.encode() in for_officer.content and TRUE_UP.encode() in for_officer.content
    assert for_auditor.context["indexation_links"] == []
    assert b"/indexation/" not in for_auditor.content


def test_auditor_cannot_index_or_true_up(client_for, officer, auditor):
    # given
    authority, _product = priced_authority(2023)
    client = client_for(auditor)
    # when
    responses = [
        client.get(INDEX),
        client.post(INDEX, {"authority": authority.pk, "year": 2024}),
        client.post(TRUE_UP, {"authority": authority.pk, "year": 2024}),
    ]
    # then
    assert [r.status_code for r in responses] == [403, 403, 403]
    assert not Tariff.objects.filter(year=2024).exists()
    assert not AuditEvent.objects.exists()


def test_unknown_indexation_operation_is_not_found(client_for, officer):
    # when
    response = client_for(officer).get(reverse("admin:contracting_tariff_indexation", args=["deflate"]))
    # then
    assert response.status_code == 404
