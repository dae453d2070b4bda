"""A region of two municipalities with one agreement of two lots, budget ceilings for 2025 and declarations
of 2024 and 2025 whose figures are worked out by hand in the tests (tests/compliance/spend/...)."""

import datetime
from decimal import Decimal

import pytest

from contracting.models import AgreementStatus, BudgetCeiling, Product, SubAgreement
from core import clock
from tests import factories
from tests.compliance.fraud.fixtures import BSN_B, World

TODAY = datetime.date(2025, 7, 15)  # January to June 2025 are known months


def month(year: int, number: int) -> tuple[str, str]:
    last = (datetime.date(year + number // 12, number % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return f"{year}-{number:02d}-01", f"{year}-{number:02d}-{last:02d}"


class SpendWorld(World):
    def __init__(self) -> None:
        super().__init__()
        self.rotterdam = factories.MunicipalityFactory(name="Rotterdam", cbs_code="GM0599")
        self.nissewaard = factories.MunicipalityFactory(name="Nissewaard", cbs_code="GM1930")
        self.authority.members.add(self.rotterdam, self.nissewaard)
        self.product_b = Product.objects.create(
            code="TST03",
            name="Begeleiding groep (test)",
            category=self.product.category,
            unit=self.product.unit,
        )
        procedure = factories.ProcedureFactory(authority=self.authority, concluded=True)
        self.lot_1 = factories.LotFactory(procedure=procedure, number=1, name="Individueel")
        self.lot_1.products.add(self.product)
        self.lot_2 = factories.LotFactory(procedure=procedure, number=2, name="Groep")
        self.lot_2.products.add(self.product_b)
        self.agreement = factories.AgreementFactory(
            authority=self.authority,
            provider=self.provider,
            procedure=procedure,
            status=AgreementStatus.ACTIVE,
            start_date=datetime.date(2024, 1, 1),
            end_date=datetime.date(2027, 12, 31),
        )
        for lot in (self.lot_1, self.lot_2):
            SubAgreement.objects.create(agreement=self.agreement, lot=lot)
        for municipality, amount in (
            (self.rotterdam, "6000.00"),
            (self.nissewaard, "10000.00"),
            (None, "20000.00"),
        ):
            BudgetCeiling.objects.create(
                agreement=self.agreement, year=2025, municipality=municipality, amount=Decimal(amount)
            )

    def declarations(self) -> None:
        """Rotterdam: 600.00 a month in lot 1 (January-June 2025) and 400.00 in lot 2 (March): 4,000.00;
        in 2024 500.00 a month January-June and 250.00 July-December (4,500.00). Nissewaard: 1,700.00 a
        month January-June 2025 (10,200.00)."""
        rows = []
        for number in range(1, 7):
            start, end = month(2025, number)
            rows.append(
                self.declaration(municipality="GM0599", period_start=start, period_end=end, amount="600.00")
            )
            rows.append(
                self.declaration(
                    municipality="GM1930",
                    client_bsn=BSN_B,
                    period_start=start,
                    period_end=end,
                    amount="1700.00",
                )
            )
        start, end = month(2025, 3)
        rows.append(
            self.declaration(
                municipality="GM0599",
                product_code="TST03",
                period_start=start,
                period_end=end,
                amount="400.00",
            )
        )
        for number in range(1, 13):
            start, end = month(2024, number)
            amount = "500.00" if number <= 6 else "250.00"
            rows.append(
                self.declaration(municipality="GM0599", period_start=start, period_end=end, amount=amount)
            )
        result = self.import_declarations(rows)
        assert result.batch.rows_rejected == 0, result.rejections


@pytest.fixture
def spend_world(db):
    with clock.travel(TODAY, tick=False):
        world = SpendWorld()
        world.declarations()
        yield world
