"""Spend per agreement: one rule (compliance.spend.figures) for the depletion list, the period report and
the relationship page; the figures are the hand-worked ones of tests/compliance/spend/world.py."""

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from compliance.reports.meta import ReportMeta
from compliance.reports.pdf.period import period_report
from compliance.spend.figures import spend_per_agreement
from contracting.models import AgreementStatus
from core import clock
from tests import factories
from tests.compliance.spend import world as spend_fixtures
from workspace.selectors import provider_relationship

spend_world = spend_fixtures.spend_world

pytestmark = pytest.mark.django_db

D = Decimal


def test_spend_per_agreement_counts_the_lines_in_the_period_and_the_term(spend_world):
    # given a second agreement of the same provider that was never offered (no spend is counted on it)
    draft = factories.AgreementFactory(
        authority=spend_world.authority, provider=spend_world.provider, status=AgreementStatus.DRAFT
    )
    agreements = [spend_world.agreement, draft]
    # when / then: 2025 is Rotterdam 4,000.00 and Nissewaard 10,200.00; 2024 only Rotterdam's 4,500.00
    assert spend_per_agreement(agreements, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)) == {
        spend_world.agreement.pk: D("14200.00")
    }
    assert spend_per_agreement(agreements, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)) == {
        spend_world.agreement.pk: D("4500.00")
    }
    # the first quarter of 2025: 3 x 600.00 + 400.00 + 3 x 1,700.00
    assert spend_per_agreement(agreements, datetime.date(2025, 1, 1), datetime.date(2025, 3, 31)) == {
        spend_world.agreement.pk: D("7300.00")
    }


def test_the_period_report_and_the_relationship_page_show_the_same_spend(spend_world, officer):
    with clock.travel(spend_fixtures.TODAY, tick=False):
        # when the period report of 2025 is made
        out = io.BytesIO()
        period_report(
            out,
            authority=spend_world.authority,
            start=datetime.date(2025, 1, 1),
            end=datetime.date(2025, 12, 31),
            meta=ReportMeta.now(officer),
        )
        text = " ".join(
            " ".join(p.extract_text() for p in PdfReader(io.BytesIO(out.getvalue())).pages).split()
        )
        # and the provider's relationship page is read in the same year
        relationship = provider_relationship(spend_world.provider, officer)
    # then both show the declared € 14.200,00 (the 2025 ceilings add up to € 36.000,00: 39,4% used)
    assert "€ 14.200,00" in text
    assert "39,4%" in text
    (row,) = [r for r in relationship.agreements if r.agreement.pk == spend_world.agreement.pk]
    assert row.spend == D("14200.00")
