"""The compliance matrix (providers × conditions) and a provider's "what is missing" page."""

import re

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.conditions.services import conditions_evaluate, waiver_approve
from compliance.models import DocumentType
from tests import factories
from tests.admin.helpers import change_url, changelist_url, requested_waiver
from tests.compliance.factories import DocumentFactory, agreement_with, condition

pytestmark = pytest.mark.django_db

MATRIX = "/admin/compliance/condition/matrix/"


def missing_url(provider) -> str:
    return reverse("admin:compliance_provider_missing", args=[provider.pk])


def cells(response) -> dict[str, dict[str, str]]:
    """provider name -> condition code -> outcome, as the page shows them (the cell's colour class)."""
    table = {}
    for row in response.context["rows"]:
        table[row["provider"].name] = {c["condition"].code: c["outcome"] for c in row["cells"]}
    html = response.content.decode()
    for name, row in table.items():
        for code, outcome in row.items():
            assert (
                f'class="cell outcome-{outcome}" data-condition="{code}" data-outcome="{outcome}"' in html
            ), (
                name,
                code,
            )
    return table


@pytest.fixture
def small_region(officer, second_officer):
    """Four providers under one authority, one under another:
    - Compliant: policy accepted, tariff fair;
    - Missing: no policy delivered (pending);
    - Rejected: policy rejected (violated);
    - Waived: no policy, waiver approved by a second officer;
    - Elsewhere: under another authority, not evaluated."""
    compliant = agreement_with("anti_discrimination_policy", "fair_pay_tariff")
    authority = compliant.authority
    subjects = {"compliant": compliant}
    for key in ("missing", "rejected", "waived"):
        subjects[key] = agreement_with("anti_discrimination_policy")
        subjects[key].authority = authority
        subjects[key].save(update_fields=["authority"])
    names = {
        "compliant": "A Compliant",
        "missing": "B Missing",
        "rejected": "C Rejected",
        "waived": "D Waived",
    }
    for key, agreement in subjects.items():
        agreement.provider.name = names[key]
        agreement.provider.save(update_fields=["name"])
    DocumentFactory(provider=compliant.provider, accepted=True)
    DocumentFactory(provider=subjects["rejected"].provider, rejected=True)
    waiver = requested_waiver(subjects["waived"], by=officer)
    waiver_approve(uuid=waiver.uuid, actor=second_officer)
    for agreement in subjects.values():
        conditions_evaluate(subject=agreement)
    factories.ProviderFactory(name="E Elsewhere")
    return subjects


def test_matrix_colours_each_cell_by_its_outcome(client_for, officer, small_region):
    # when
    response = client_for(officer).get(MATRIX, {"category": "anti_discrimination"})
    # then
    table = cells(response)
    assert {name: row["anti_discrimination_policy"] for name, row in table.items()} == {
        "A Compliant": "satisfied",
        "B Missing": "pending",
        "C Rejected": "violated",
        "D Waived": "waived",
        "E Elsewhere": "not_applicable",
    }
    assert table["A Compliant"]["confidential_advisor"] == "not_applicable"
    legend = re.findall(
        r'<span class="outcome outcome-(\w+)">', response.content.decode().split('id="matrix-legend"')[1]
    )
    assert legend[:5] == ["satisfied", "violated", "pending", "waived", "not_applicable"]


def test_matrix_columns_follow_the_category_filter(client_for, auditor, small_region):
    # when
    response = client_for(auditor).get(MATRIX, {"category": "fair_pay"})
    # then
    assert [c.code for c in response.context["conditions"]] == [
        "cao_applied",
        "fair_pay_tariff",
        "flex_contracts_limited",
    ]
    assert cells(response)["A Compliant"]["fair_pay_tariff"] == "satisfied"


def test_matrix_filters_on_authority(client_for, officer, small_region):
    # given
    authority = small_region["compliant"].authority
    # when
    response = client_for(officer).get(MATRIX, {"authority": authority.pk})
    # then
    assert list(cells(response)) == ["A Compliant", "B Missing", "C Rejected", "D Waived"]


def test_matrix_shows_only_providers_with_a_problem_on_request(client_for, officer, small_region):
    # when
    response = client_for(officer).get(MATRIX, {"outcome": "problems"})
    # then
    assert list(cells(response)) == ["B Missing", "C Rejected"]


def test_problem_filter_follows_the_category(client_for, officer, small_region):
    # when only the fair-pay conditions count, nobody has a problem
    response = client_for(officer).get(MATRIX, {"outcome": "problems", "category": "fair_pay"})
    # then
    assert response.context["rows"] == []


def test_matrix_pages_by_fifty_providers_ordered_by_name(client_for, auditor):
    # given
    for n in range(51):
        factories.ProviderFactory(name=f"Aanbieder {n:02d}")
    client = client_for(auditor)
    # when
    first = client.get(MATRIX)
    second = client.get(MATRIX, {"p": 2})
    # then
    assert [r["provider"].name for r in first.context["rows"]][:2] == ["Aanbieder 00", "Aanbieder 01"]
    assert len(first.context["rows"]) == 50
    assert [r["provider"].name for r in second.context["rows"]] == ["Aanbieder 50"]


def test_provider_names_link_to_what_is_missing(client_for, officer, small_region):
    # given
    provider = small_region["missing"].provider
    # when
    response = client_for(officer).get(MATRIX)
    # then
    assert missing_url(provider).encode() in response.content


def matrix_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(MATRIX, {"outcome": "", "category": ""})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def evaluated_providers(count: int) -> None:
    for _ in range(count):
        agreement = agreement_with("anti_discrimination_policy", "fair_pay_tariff")
        conditions_evaluate(subject=agreement)


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_matrix_query_count_does_not_grow_with_providers(client_for, request, role):
    # given
    client = client_for(request.getfixturevalue(role))
    evaluated_providers(3)
    few = matrix_queries(client)
    # when
    evaluated_providers(12)
    many = matrix_queries(client)
    # then
    assert many == few


def test_filtered_matrix_query_count_does_not_grow_with_providers(client_for, officer):
    # given
    client = client_for(officer)
    evaluated_providers(3)
    authority = factories.MunicipalityFactory()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(
                MATRIX, {"outcome": "problems", "category": "anti_discrimination", "authority": authority.pk}
            )
        return len(ctx.captured_queries)

    few = count()
    # when
    evaluated_providers(12)
    many = count()
    # then
    assert many == few


# --------------------------------------------------------------------------- what is missing


def test_missing_page_lists_the_pending_condition(client_for, auditor, small_region):
    # given
    agreement = small_region["missing"]
    # when
    response = client_for(auditor).get(missing_url(agreement.provider))
    # then
    assert response.status_code == 200
    assert [(i.condition.code, i.outcome, i.subjects) for i in response.context["items"]] == [
        ("anti_discrimination_policy", "pending", [agreement.reference])
    ]
    assert b'data-condition="anti_discrimination_policy" data-outcome="pending"' in response.content
    assert (
        DocumentType.objects.get(code="anti_discrimination_policy").name
        in response.context["items"][0].reasons[0]
    )


def test_missing_page_of_a_compliant_provider_says_nothing_is_missing(client_for, officer, small_region):
    # when
    response = client_for(officer).get(missing_url(small_region["compliant"].provider))
    # then
    assert response.context["items"] == []
    assert b'id="nothing-missing"' in response.content


def test_provider_page_links_to_what_is_missing(client_for, auditor, small_region):
    # given
    provider = small_region["missing"].provider
    # when
    response = client_for(auditor).get(change_url(provider))
    # then
    assert missing_url(provider).encode() in response.content


# --------------------------------------------------------------------------- who gets in


@pytest.mark.parametrize("url", [MATRIX, "missing"])
def test_provider_users_cannot_reach_the_matrix_or_missing_pages(client_for, provider, provider_user, url):
    # given
    url = missing_url(provider) if url == "missing" else url
    # when
    response = client_for(provider_user).get(url)
    # then
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_staff_user_without_view_permission_is_refused(client_for, provider):
    # given
    user = factories.UserFactory(is_staff=True)
    # when
    matrix = client_for(user).get(MATRIX)
    missing = client_for(user).get(missing_url(provider))
    # then
    assert (matrix.status_code, missing.status_code) == (403, 403)


@pytest.mark.parametrize("url", ["/admin/", "condition", "conditionevaluation"])
def test_matrix_is_linked_from_the_index_and_the_condition_lists(client_for, auditor, url):
    # given
    from compliance.models import Condition, ConditionEvaluation

    url = {
        "condition": changelist_url(Condition),
        "conditionevaluation": changelist_url(ConditionEvaluation),
    }.get(url, url)
    # when
    response = client_for(auditor).get(url)
    # then
    assert MATRIX.encode() in response.content


def test_unknown_provider_is_not_found(client_for, officer):
    # when
    response = client_for(officer).get("/admin/compliance/condition/missing/999999/")
    # then
    assert response.status_code == 404


def test_condition_codes_head_the_columns(client_for, officer):
    # when
    response = client_for(officer).get(MATRIX)
    # then
    assert condition("meldcode") in response.context["conditions"]
    assert b'data-condition="meldcode"' in response.content
