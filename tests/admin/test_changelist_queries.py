"""Changelists use the same number of queries for 3 rows as for 15 (related rows are selected up front)."""

from decimal import Decimal

import pytest

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from coalitions.models import Membership
from compliance.models import AccountabilityDocument
from contracting.models import Agreement, Application, Procedure, Provider, Tariff
from tests import factories
from tests.admin.helpers import changelist_url
from tests.compliance.documents.helpers import uploaded

pytestmark = pytest.mark.django_db


def make_provider():
    factories.ProviderFactory(parent=factories.ProviderFactory())


def make_agreement():
    factories.AgreementFactory()
    factories.AgreementFactory(provider=None, coalition=factories.CoalitionFactory())


def make_tariff():
    tariff = factories.TariffFactory()
    factories.CostModelFactory(authority=tariff.authority, product=tariff.product, year=tariff.year)
    factories.TariffFactory(amount=Decimal("10.00"))  # one without a cost model


def make_procedure():
    factories.ProcedureFactory()


def make_application():
    factories.ApplicationFactory(submitted=True)


def make_membership():
    factories.MembershipFactory()


def make_document():
    # with an uploaded version: the row's download link names the version's document
    provider = factories.ProviderFactory()
    uploaded(factories.provider_user(provider))


def make_audit_event():
    factories.audit_event(actor=factories.UserFactory(), from_state="draft", to_state="open")


CASES = [
    (Provider, make_provider),
    (Agreement, make_agreement),
    (Tariff, make_tariff),
    (Procedure, make_procedure),
    (Application, make_application),
    (Membership, make_membership),
    (AuditEvent, make_audit_event),
    (AccountabilityDocument, make_document),
]


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["officer", "auditor"])
@pytest.mark.parametrize(("model", "make"), CASES, ids=lambda c: getattr(c, "__name__", ""))
def test_changelist_query_count_does_not_grow_with_rows(client_for, request, role, model, make):
    # given
    client = client_for(request.getfixturevalue(role))
    url = changelist_url(model)
    for _ in range(3):
        make()
    few = count_queries(client, url)
    # when
    for _ in range(12):
        make()
    many = count_queries(client, url)
    # then
    assert many == few
