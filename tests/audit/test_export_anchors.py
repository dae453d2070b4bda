"""Every export prints the head of the audit trail as an anchor (``<number of events>:<hash>``):
``verify_audit_trail --anchor-file <export>`` proves that head is still in the chain at its position, and
fails once the chain was rewritten before it."""

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas

from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from audit.services import chain_head
from compliance.reports.services import export_request
from core import clock
from tests.audit import tampering
from tests.compliance.reports.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(officer):
    return build_world(officer)


def exported(kind: str, parameters: dict, actor, tmp_path: Path) -> Path:
    export = export_request(
        kind=kind, parameters={**parameters, "language": "en"}, actor=actor, background=False
    )
    assert export.status == "done", export.error
    path = tmp_path / export.filename
    with export.file.open("rb") as handle:
        path.write_bytes(handle.read())
    return path


def verify(*files: Path) -> str:
    out = io.StringIO()
    call_command("verify_audit_trail", anchor_file=[str(f) for f in files], stdout=out)
    return out.getvalue()


def test_a_pdf_prints_the_anchor_and_verify_reads_it_back(world, auditor, tmp_path):
    # given
    head = chain_head()
    # when
    pdf = exported("provider_dossier", {"provider": str(world.provider.uuid)}, auditor, tmp_path)
    # then the anchor is on the first page and in the keywords
    reader = PdfReader(pdf)
    first_page = " ".join(reader.pages[0].extract_text().split())
    assert f"Audit-trail anchor (events:hash) {head.event_count}:{head.hash}" in first_page
    assert f"{head.event_count}:{head.hash}" in reader.metadata["/Keywords"]
    # and verify_audit_trail proves it is still in the chain at its position
    out = verify(pdf)
    assert f"Anchor {head.event_count}:{head.hash} ({pdf}) holds: event id={head.event_id}" in out


def test_a_workbook_prints_the_anchor_and_verify_reads_it_back(world, auditor, tmp_path):
    head = chain_head()
    year = clock.today().year
    workbook = exported(
        "workbook",
        {
            "authority": str(world.authority.uuid),
            "period_start": f"{year}-01-01",
            "period_end": f"{year}-12-31",
        },
        auditor,
        tmp_path,
    )
    assert f"Anchor {head.event_count}:{head.hash}" in verify(workbook)


def test_an_export_made_before_a_rewrite_fails_the_check(world, auditor, tmp_path):
    # given an export, and later events
    pdf = exported("provider_dossier", {"provider": str(world.provider.uuid)}, auditor, tmp_path)
    # when the chain is rewritten from an event before the export, the head re-signed with the key
    first = AuditEvent.objects.order_by("id").first()
    tampering.rehash_from(first.pk, reason="Anders", with_key=True)
    # then
    with pytest.raises(CommandError, match="anchor_mismatch"):
        verify(pdf)


def test_an_export_made_before_anchors_were_printed_is_read_by_its_hash(world, auditor, tmp_path):
    # given a PDF whose keywords hold only the hash (exports made before the anchor was printed)
    head = chain_head()
    old = tmp_path / "old.pdf"
    canvas = Canvas(str(old))
    canvas.setKeywords([head.hash, "a0b1c2d3-0000-4000-8000-000000000000"])
    canvas.drawString(100, 100, "Oud rapport")
    canvas.save()
    # then
    assert f"Anchor {head.hash} ({old}) holds" in verify(old)
