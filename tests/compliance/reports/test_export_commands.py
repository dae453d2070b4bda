"""manage.py export_workbook / export_dossier / export_procedure_report / export_period_report --out."""

import hashlib
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from compliance.models import Export
from tests import factories
from tests.compliance.reports.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def run(name: str, *args: str) -> str:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def test_export_workbook_writes_the_file_and_records_the_export(officer, tmp_path):
    world = build_world(officer)
    target = tmp_path / "werkboek.xlsx"
    # when
    output = run(
        "export_workbook", "--authority", world.authority.cbs_code, "--out", str(target), "--language", "en"
    )
    # then
    export = Export.objects.get()
    content = target.read_bytes()
    assert hashlib.sha256(content).hexdigest() == export.sha256
    assert f"sha256={export.sha256}" in output
    assert load_workbook(io.BytesIO(content)).sheetnames[0] == "Providers"
    event = AuditEvent.objects.get(event="export.completed")
    assert (event.actor, event.actor_name, event.data["sha256"]) == (None, "system", export.sha256)


def test_export_dossier_by_kvk_number_for_a_user_into_a_directory(officer, tmp_path):
    world = build_world(officer)
    run(
        "export_dossier",
        "--provider",
        "12345678",
        "--out",
        str(tmp_path),
        "--user",
        officer.username,
        "--language",
        "en",
    )
    export = Export.objects.get()
    assert export.requested_by == officer
    text = PdfReader(tmp_path / export.filename).pages[0].extract_text()
    assert world.provider.name in text and export.audit_hash in text


def test_export_procedure_and_period_report(officer, tmp_path):
    world = build_world(officer)
    run("export_procedure_report", "--procedure", world.procedure.reference, "--out", str(tmp_path / "p.pdf"))
    run("export_period_report", "--authority", str(world.authority.uuid), "--out", str(tmp_path / "r.pdf"))
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert Export.objects.count() == 2


def test_an_unknown_subject_or_a_forbidden_user_is_an_error(provider_user):
    with pytest.raises(CommandError, match="no Provider matches"):
        run("export_dossier", "--provider", "99999999")
    authority = factories.MunicipalityFactory()
    with pytest.raises(CommandError, match="export_forbidden"):
        run(
            "export_workbook",
            "--authority",
            str(authority.uuid),
            "--user",
            provider_user.username,
            "--language",
            "en",
        )
    assert not Export.objects.exists()
