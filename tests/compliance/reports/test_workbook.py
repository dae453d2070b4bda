"""The auditor's workbook: sheets, headers, row counts, cell types and formats, read back with openpyxl."""

import datetime
import hashlib
import io

import pytest
from openpyxl import load_workbook

from django.utils import translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from audit.services import audit_record
from compliance.fraud.rules import rule_title
from compliance.models import ExportStatus
from compliance.reports.services import export_request
from core import clock, formatting, labels
from tests import factories
from tests.compliance.factories import condition
from tests.compliance.reports.world import build_world

pytestmark = pytest.mark.django_db

SHEETS = [
    "Providers",
    "Agreements",
    "Condition matrix",
    "Documents",
    "Fraud signals",
    "Tariffs",
    "Transition log",
    "Export",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def world(officer):
    return build_world(officer)


@pytest.fixture
def workbook_export(world, auditor):
    year = clock.today().year
    return export_request(
        kind="workbook",
        parameters={
            "authority": str(world.authority.uuid),
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
            "language": "en",
        },
        actor=auditor,
        background=False,
    )


def open_workbook(export):
    with export.file.open("rb") as handle:
        return load_workbook(io.BytesIO(handle.read()))


def rows(sheet) -> list[dict]:
    values = list(sheet.iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]


def column(sheet, header: str):
    """The cells of the column with this header, below the header row."""
    headers = [c.value for c in sheet[1]]
    return [row[headers.index(header)] for row in sheet.iter_rows(min_row=2)]


def test_the_workbook_has_every_sheet_with_styled_frozen_filtered_headers(workbook_export):
    # when
    wb = open_workbook(workbook_export)
    # then
    assert wb.sheetnames == SHEETS
    for sheet in wb:
        header = sheet[1]
        assert all(cell.font.b for cell in header), sheet.title
        assert header[0].fill.fgColor.rgb.endswith("1F4E78"), sheet.title
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.auto_filter.ref == f"A1:{header[-1].column_letter}{sheet.max_row}", sheet.title
        assert sheet.column_dimensions["A"].width >= 12, sheet.title


def test_the_rows_belong_to_the_authority_and_period(world, workbook_export):
    wb = open_workbook(workbook_export)
    providers = rows(wb["Providers"])
    assert [p["Name"] for p in providers] == ["Zorg Noord B.V."]  # the unrelated provider is not in it
    assert providers[0]["KvK number"] == "12345678"
    agreements = rows(wb["Agreements"])
    assert [(a["Reference"], a["Status"], a["Party type"]) for a in agreements] == [
        ("WMO-TESTDAM-1", "Suspended", "provider")
    ]
    assert agreements[0]["Maximum extensions"] == 2
    assert agreements[0]["Suspension or termination reason"] == "Onderzoek naar declaraties"
    documents = rows(wb["Documents"])
    assert [(d["Status"], d["Reviewer"], d["SHA-256"]) for d in documents] == [
        ("Accepted", world.officer.username, world.document.sha256)
    ]
    with translation.override("en"):  # the language of the workbook
        assert [s["Rule"] for s in rows(wb["Fraud signals"])] == [rule_title("declared_above_allocated")]
    tariffs = rows(wb["Tariffs"])
    assert len(tariffs) == 1 and tariffs[0]["At least the reële prijs"] == "yes"
    log = rows(wb["Transition log"])
    events = [e["Event"] for e in log]
    with translation.override("en"):
        assert events == [
            labels.event_label(code)
            for code in (
                "procedure.opened",
                "application.submitted",
                "application.review_started",
                "application.rejected",
                "declaration.recorded",
                "agreement.suspended",
            )
        ]
        suspended = log[-1]
        assert (suspended["From state"], suspended["To state"]) == ("Active", "Suspended")
    assert suspended["Hash"] == AuditEvent.objects.get(event="agreement.suspended").hash


def test_dates_are_excel_dates_and_amounts_numbers_in_euros(workbook_export):
    wb = open_workbook(workbook_export)
    agreements = wb["Agreements"]
    start = column(agreements, "Start date")[0]
    assert isinstance(start.value, datetime.datetime) and start.is_date
    assert start.number_format == "dd-mm-yyyy"
    ceiling = column(agreements, f"Budget ceiling {clock.today().year}")[0]
    assert ceiling.value == 125000 and ceiling.data_type == "n"
    assert "€" in ceiling.number_format
    tariff = column(wb["Tariffs"], "Tariff per unit")[0]
    real_price = column(wb["Tariffs"], "Reële prijs per unit")[0]
    assert (tariff.value, tariff.data_type) == (70, "n") and "€" in tariff.number_format
    assert isinstance(real_price.value, float) and "€" in real_price.number_format
    logged = column(wb["Transition log"], "Time")[0]
    assert (
        isinstance(logged.value, datetime.datetime) and logged.number_format == formatting.WORKBOOK_DATETIME
    )
    reviewed = column(wb["Documents"], "Reviewed at")[0]
    assert reviewed.is_date


def test_the_condition_matrix_is_coloured_by_outcome(workbook_export):
    wb = open_workbook(workbook_export)
    matrix = wb["Condition matrix"]
    cell = column(matrix, condition("anti_discrimination_policy").title)[0]
    assert cell.value == "Satisfied"
    assert cell.fill.fgColor.rgb.endswith("C6EFCE")
    assert column(matrix, condition("meldcode").title)[0].value is None  # not evaluated: empty


def test_the_export_sheet_states_maker_time_and_audit_hash(workbook_export, auditor):
    facts = {
        row[0]: row[1]
        for row in open_workbook(workbook_export)["Export"].iter_rows(min_row=2, values_only=True)
    }
    assert facts["Made by"] == auditor.username
    assert facts["Audit-trail hash at that moment"] == workbook_export.audit_hash
    assert isinstance(facts["Made at"], datetime.datetime)
    assert facts["Rows in sheet 'Documents'"] == 1


def test_the_workbook_export_is_audited_with_its_checksum(workbook_export, auditor):
    # then
    assert workbook_export.status == ExportStatus.DONE
    with workbook_export.file.open("rb") as handle:
        content = handle.read()
    assert workbook_export.sha256 == hashlib.sha256(content).hexdigest()
    assert workbook_export.size == len(content)
    assert workbook_export.file.name.startswith("exports/")
    event = AuditEvent.objects.get(event="export.completed")
    assert (event.actor, event.subject_uuid) == (auditor, workbook_export.uuid)
    assert event.data["sha256"] == workbook_export.sha256
    assert event.data["size"] == len(content)
    assert event.data["kind"] == "workbook"


def test_dutch_is_the_default_language(world, officer):
    export = export_request(
        kind="workbook", parameters={"authority": str(world.authority.uuid)}, actor=officer, background=False
    )
    assert export.parameters["language"] == "nl"
    with translation.override("nl"):
        expected = [gettext(name) for name in SHEETS]
    assert open_workbook(export).sheetnames == expected


def test_the_transition_log_includes_admin_edits_of_the_authoritys_rows(world, auditor):
    from contracting.models import Tariff

    tariff = Tariff.objects.get(authority=world.authority)
    audit_record(actor=world.officer, event="tariff.changed", subject=tariff, data={"via": "admin"})
    other = factories.TariffFactory()  # another authority's tariff stays out
    audit_record(actor=world.officer, event="tariff.changed", subject=other, data={"via": "admin"})
    export = export_request(
        kind="workbook",
        parameters={"authority": str(world.authority.uuid), "language": "en"},
        actor=auditor,
        background=False,
    )
    log = rows(open_workbook(export)["Transition log"])
    with translation.override("en"):
        changed = labels.event_label("tariff.changed")
    assert [(e["Event"], e["Subject"]) for e in log if e["Event"] == changed] == [(changed, str(tariff))]
