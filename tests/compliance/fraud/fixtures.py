"""Shared set-up of the fraud tests: small hand-made import files and a generated data set.

Import the fixtures into a test module (``from tests.compliance.fraud.fixtures import ...``)."""

import csv
import datetime
import io
from pathlib import Path

import pytest

from compliance.fraud.columns import ALLOCATION_FIELDS, DECLARATION_FIELDS
from compliance.fraud.importer import production_import
from contracting.models import Product, ProductCategory, Unit
from devtools.production_generator import Config, Manifest, generate_files, install_world
from tests import factories

YEAR = 2025
DECLARATION_HEADER = list(DECLARATION_FIELDS)  # the documented order (test_fraud_import pins it)
ALLOCATION_HEADER = list(ALLOCATION_FIELDS)
# valid BSNs (11-test) used in the examples of the Dutch government; never real persons
BSN_A, BSN_B, BSN_C = "111222333", "123456782", "999999990"


def csv_file(header: list[str], rows: list[list[str]], delimiter: str = ",", name: str = "file.csv"):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    data = io.BytesIO(buffer.getvalue().encode())
    data.name = name
    return data


class World:
    """An authority, a provider and a Wmo product, for hand-made files."""

    def __init__(self) -> None:
        self.authority = factories.RegionFactory(name="Regio Fraude")
        self.provider = factories.ProviderFactory(agb_code="41999001")
        self.other = factories.ProviderFactory(agb_code="41999002")
        self.product = Product.objects.create(
            code="TST02",
            name="Begeleiding (test)",
            category=ProductCategory.objects.get(law="wmo", code="02"),
            unit=Unit.objects.get(code="04"),
        )

    def declaration(self, **overrides) -> list[str]:
        row = {
            "municipality": "",
            "provider_agb": self.provider.agb_code,
            "client_bsn": BSN_A,
            "allocation_number": "T-0001",
            "product_category": "02",
            "product_code": self.product.code,
            "period_start": f"{YEAR}-01-01",
            "period_end": f"{YEAR}-01-31",
            "volume": "10",
            "unit": "04",
            "amount": "680.00",
        }
        row.update(overrides)
        return [row[c] for c in DECLARATION_HEADER]

    def allocation(self, **overrides) -> list[str]:
        row = {
            "municipality": "",
            "provider_agb": self.provider.agb_code,
            "client_bsn": BSN_A,
            "allocation_number": "T-0001",
            "product_category": "02",
            "product_code": self.product.code,
            "period_start": f"{YEAR}-01-01",
            "period_end": f"{YEAR}-12-31",
            "volume": "3",
            "unit": "04",
            "frequency": "2",
            "budget": "",
        }
        row.update(overrides)
        return [row[c] for c in ALLOCATION_HEADER]

    def import_declarations(self, rows, actor=None, **kwargs):
        return production_import(
            file=csv_file(DECLARATION_HEADER, rows),
            file_name="declaraties.csv",
            kind="declarations",
            authority=self.authority,
            actor=actor,
            **kwargs,
        )

    def import_allocations(self, rows, actor=None, **kwargs):
        return production_import(
            file=csv_file(ALLOCATION_HEADER, rows),
            file_name="toewijzingen.csv",
            kind="allocations",
            authority=self.authority,
            actor=actor,
            **kwargs,
        )


@pytest.fixture
def world(db) -> World:
    return World()


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> tuple[Path, Manifest]:
    """A small generated data set (files only; written once per test session)."""
    out = tmp_path_factory.mktemp("production")
    manifest = generate_files(Config(lines=24_000, seed=7, year=YEAR), out)
    return out, manifest


def load_generated(generated: tuple[Path, Manifest]):
    """The generated world in the database with both files imported; returns the authority."""
    out, manifest = generated
    authority = install_world(manifest)
    for kind in ("allocations", "declarations"):
        with (out / manifest.files[kind]).open("rb") as fh:
            result = production_import(
                file=fh, file_name=f"{kind}.csv", kind=kind, authority=authority, actor=None
            )
        assert result.batch.rows_rejected == 0, result.rejections[:5]
    return authority


PERIOD = (datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
