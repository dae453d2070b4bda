"""The PDF reports, read back with pypdf: names, states, reasons and hashes are in the text."""

import datetime
import io

import pytest
from pypdf import PdfReader

from django.utils import timezone, translation

from audit.models import AuditEvent
from compliance.fraud.rules import rule_title
from compliance.reports.services import export_request
from core import clock, formatting, labels
from tests.compliance.factories import condition
from tests.compliance.reports.world import build_world

pytestmark = pytest.mark.django_db


def en(code: str) -> str:
    """An event's or a fraud rule's words in English (the language these PDFs are made in)."""
    with translation.override("en"):
        return labels.event_label(code) if "." in code else rule_title(code)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def world(officer):
    return build_world(officer)


def make(kind: str, parameters: dict, actor) -> tuple[object, str, PdfReader]:
    export = export_request(
        kind=kind, parameters={**parameters, "language": "en"}, actor=actor, background=False
    )
    assert export.status == "done", export.error
    with export.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    return export, text, reader


def test_every_pdf_states_when_by_whom_and_the_audit_trail_hash(world, auditor):
    # given the newest event before the export
    head = AuditEvent.objects.order_by("-id").first().hash
    # when
    export, text, reader = make("provider_dossier", {"provider": str(world.provider.uuid)}, auditor)
    # then
    assert export.audit_hash == head
    assert f"Audit-trail hash at that moment {head}" in text
    assert f"Audit-trail hash: {head}" in reader.pages[-1].extract_text()  # footer of every page
    assert f"Made by {auditor.username}" in text
    assert f"Made at {timezone.localtime(export.created_at):%d-%m-%Y}" in text
    assert reader.metadata.author == auditor.username
    assert head in reader.metadata.subject


def test_the_provider_dossier(world, auditor):
    _export, text, _reader = make("provider_dossier", {"provider": str(world.provider.uuid)}, auditor)
    # identity
    for expected in ("Zorg Noord B.V.", "12345678", "41999999", "J. Jansen"):
        assert expected in text
    # agreements, memberships, applications with their states
    assert "WMO-TESTDAM-1 Gemeente Testdam Zorg Noord B.V. Suspended" in text
    assert "Coalitie Jeugd Testdam" in text and "Lead contractor (penvoerder) Active" in text
    assert "BA-2026-01 Begeleiding Testdam" in text and "Rejected" in text
    # condition results with the evidence and its hash
    assert condition("anti_discrimination_policy").title in text and "Satisfied" in text
    assert str(world.document.uuid) in text
    assert world.document.sha256 in text
    # signals and the timeline with reasons and hashes
    assert en("declared_above_allocated") in text and "Meer gedeclareerd dan toegewezen." in text
    suspended = AuditEvent.objects.get(event="agreement.suspended")
    assert en("agreement.suspended") in text and "Onderzoek naar declaraties" in text
    assert suspended.hash[:12] in text
    assert en("application.rejected") in text


def test_the_provider_dossier_as_of_a_past_date(world, auditor):
    day = clock.today() - datetime.timedelta(days=7)
    _export, text, _reader = make(
        "provider_dossier", {"provider": str(world.provider.uuid), "as_of": day.isoformat()}, auditor
    )
    assert f"As of {day:%d-%m-%Y}" in text
    assert "agreement: WMO-TESTDAM-1 State on this date Active State now Suspended" in text


def test_the_procedure_report(world, auditor):
    _export, text, _reader = make("procedure_report", {"procedure": str(world.procedure.uuid)}, auditor)
    assert "BA-2026-01 Begeleiding Testdam" in text
    assert en("procedure.opened") in text and "Consultation -> Open for applications" in text  # timeline
    assert "Round 1" in text and "Tarief volgt de reële prijs." in text  # consultation round
    assert "Cliëntenpanel: let op wachttijden." in text  # panel advice
    assert "Zorg Noord B.V. – Rejected" in text  # the application and its outcome
    assert "Geschiktheidseis niet gehaald." in text  # the reason of the decision
    assert "Suitability requirements no" in text  # the failed assessment step
    assert "WMO-TESTDAM-1" in text


def test_the_period_report_with_charts(world, auditor):
    year = clock.today().year
    _export, text, reader = make(
        "period_report",
        {
            "authority": str(world.authority.uuid),
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
        },
        auditor,
    )
    assert f"Gemeente Testdam, 01-01-{year} – 31-12-{year}" in text
    assert "Condition compliance over time" in text
    assert f"30-11-{year}" in text or f"31-12-{year}" in text  # the monthly points
    assert "Fraud signals per category" in text and en("declared_above_allocated") in text
    assert "Spend against budget ceiling per agreement" in text
    with translation.override("en"):  # amounts the way the report's language writes them
        row = f"WMO-TESTDAM-1 Zorg Noord B.V. Suspended {formatting.money(125000)} {formatting.money(0)}"
    assert " ".join(row.split()) in text
    assert f"{en('agreement.suspended')} 1" in text
    assert len(reader.pages) >= 2
