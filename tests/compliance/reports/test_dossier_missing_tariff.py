"""A dossier as of a date where a product of an agreement has no tariff (or no indexation rate) yet:
the PDF is made and says "not known" in the indexation column, never a crash (issue 11)."""

import io

import pytest
from pypdf import PdfReader

from django.utils import translation
from django.utils.translation import gettext as _

from compliance.reports.pdf.dossier import indexation_text
from compliance.reports.services import export_request
from core import clock
from core.formatting import MISSING
from tests import factories
from tests.api.helpers import assert_problem, fresh_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def agreement_without_a_tariff():
    """An active agreement whose lot has a product without a tariff for this year."""
    agreement = factories.agreement_with_details(active=True)
    agreement.sub_agreements.get().lot.products.add(factories.ProductFactory())
    return agreement


def test_a_dossier_as_of_a_date_without_a_tariff_says_not_known(officer):
    # given: an agreement whose lot's product has no tariff for the year
    agreement = agreement_without_a_tariff()
    # when
    export = export_request(
        kind="provider_dossier",
        parameters={
            "provider": str(agreement.provider.uuid),
            "as_of": clock.today().isoformat(),
            "language": "en",
        },
        actor=officer,
        background=False,
    )
    # then
    assert export.status == "done", export.error
    with export.file.open("rb") as handle:
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "not known" in " ".join(text.split())


def test_the_dossier_endpoint_answers_a_pdf_for_a_date_without_a_tariff(officer):
    # given
    agreement = agreement_without_a_tariff()
    url = f"/api/v1/providers/{agreement.provider.uuid}/dossier?asOf={clock.today().isoformat()}"
    # when
    response = fresh_client(officer).get(url)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_a_failed_dossier_is_a_problem_without_the_python_error(officer, monkeypatch):
    # given: making the PDF fails with an internal error
    agreement = agreement_without_a_tariff()

    def broken(*args, **kwargs):
        raise TypeError("unsupported format string passed to NoneType.__format__")

    monkeypatch.setattr("compliance.reports.pdf.dossier.add_tariffs", broken)
    url = f"/api/v1/providers/{agreement.provider.uuid}/dossier?asOf={clock.today().isoformat()}"
    # when
    body = assert_problem(fresh_client(officer).get(url), 500, "export_failed")
    # then
    assert "NoneType" not in str(body) and "TypeError" not in str(body)


@pytest.mark.parametrize(
    ("basis", "pct", "expected"),
    [("", None, MISSING), ("unknown", None, "not known"), ("provisional", None, "not known")],
)
def test_indexation_text_names_a_missing_rate(basis, pct, expected):
    # given
    tariff = type("Row", (), {"basis": basis, "indexation_pct": pct})()
    # when
    with translation.override("en"):
        text = indexation_text(tariff)
        # then
        assert text == (expected if expected == MISSING else _(expected))
