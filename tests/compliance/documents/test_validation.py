"""The upload validator: allowed types by content, each refusal with its own code and message."""

import io
import os
import socket
import struct
import threading

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from django.utils import translation

from compliance.documents import inspection, validation
from compliance.documents.validation import UploadRefused, sanitise_filename, validate_upload
from devtools import demo_documents
from tests.compliance import files


def check(data: bytes, name: str):
    return validate_upload(io.BytesIO(data), name)


@pytest.mark.parametrize(
    ("make", "name", "kind", "content_type"),
    [
        (files.pdf, "beleid.pdf", "pdf", "application/pdf"),
        (files.png, "scan.png", "png", "image/png"),
        (files.jpeg, "foto.JPG", "jpeg", "image/jpeg"),
        (files.jpeg, "foto.jpeg", "jpeg", "image/jpeg"),
        (
            files.docx,
            "beleid.docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            files.xlsx,
            "cijfers.xlsx",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (files.odt, "beleid.odt", "odt", "application/vnd.oasis.opendocument.text"),
    ],
)
def test_allowed_types_are_recognised_by_their_content(make, name, kind, content_type):
    # when
    checked = check(make(), name)
    # then
    assert (checked.kind, checked.content_type) == (kind, content_type)
    assert len(checked.sha256) == 64


@pytest.mark.parametrize(
    ("make", "name", "code"),
    [
        (lambda: b"", "leeg.pdf", "empty_file"),
        (files.encrypted_pdf, "beveiligd.pdf", "encrypted_pdf"),
        (files.broken_pdf, "kapot.pdf", "unreadable_pdf"),
        (files.pdf_with_javascript, "script.pdf", "pdf_javascript"),
        (files.docm, "beleid.docm", "macro_enabled"),
        (files.docm, "beleid.docx", "macro_enabled"),
        (files.docx_with_hidden_macros, "beleid.docx", "macro_enabled"),
        (files.xlsm, "cijfers.xlsm", "macro_enabled"),
        (files.odt_with_macros, "beleid.odt", "macro_enabled"),
        (files.plain_zip, "stukken.zip", "archive_not_allowed"),
        (files.plain_zip, "stukken.docx", "archive_not_allowed"),
        (files.exe, "setup.exe", "executable_not_allowed"),
        (files.exe, "jaarrekening.pdf", "executable_not_allowed"),
        (files.shell_script, "run.pdf", "executable_not_allowed"),
        (files.png, "scan.pdf", "extension_mismatch"),
        (files.pdf, "beleid.docx", "extension_mismatch"),
        (files.pdf, "beleid.exe", "extension_mismatch"),
        (files.legacy_doc, "oud.doc", "file_type_not_allowed"),
        (files.encrypted_docx, "beveiligd.docx", "encrypted_document"),
        (files.html, "pagina.pdf", "file_type_not_allowed"),
        (lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "kapot.png", "corrupt_file"),
        (lambda: b"PK\x03\x04garbage", "kapot.docx", "corrupt_file"),
    ],
)
def test_refused_files_have_a_specific_code_and_a_dutch_message(make, name, code):
    # when
    with translation.override("nl"), pytest.raises(UploadRefused) as refused:
        check(make(), name)
    # then
    assert refused.value.code == code
    assert refused.value.code in validation.REFUSAL_CODES
    assert refused.value.detail
    assert refused.value.extra["invalid_params"][0]["code"] == code


def test_size_limit_is_a_setting(settings):
    # given
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 1000
    # when
    with pytest.raises(UploadRefused) as refused:
        check(files.pdf() + b"\n" * 1000, "groot.pdf")
    # then
    assert refused.value.code == "file_too_large"


@pytest.mark.parametrize(
    ("name", "extension", "expected"),
    [
        ("Jaarrekening 2025 (definitief).PDF", "pdf", "Jaarrekening-2025-definitief.pdf"),
        ("../../etc/passwd.pdf", "pdf", "passwd.pdf"),
        ("C:\\Users\\x\\Beleid ë.docx", "docx", "Beleid-e.docx"),
        ("<script>.pdf", "pdf", "script.pdf"),
        ("", "pdf", "document.pdf"),
        ("zonder-extensie", "png", "zonder-extensie.png"),
    ],
)
def test_file_names_are_sanitised(name, extension, expected):
    assert sanitise_filename(name, extension) == expected


class FakeClamd:
    """A clamd stand-in on a unix socket: answers INSTREAM like clamd does (EICAR = infected)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(path)
        self.server.listen(1)
        self.received = b""
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        conn, _ = self.server.accept()
        with conn:
            command = b""
            while not command.endswith(b"\0"):
                command += conn.recv(1)
            assert command == b"zINSTREAM\0"
            data = b""
            while True:
                size = struct.unpack("!L", self._exact(conn, 4))[0]
                if size == 0:
                    break
                data += self._exact(conn, size)
            self.received = data
            verdict = b"stream: Eicar-Test-Signature FOUND\0" if b"EICAR" in data else b"stream: OK\0"
            conn.sendall(verdict)

    @staticmethod
    def _exact(conn, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            buf += conn.recv(n - len(buf))
        return buf

    def close(self) -> None:
        self.thread.join(timeout=5)
        self.server.close()
        os.unlink(self.path)


@pytest.fixture
def clamd_socket(settings, tmp_path):
    path = str(tmp_path / "clamd.sock")
    settings.CLAMD_SOCKET = path
    return path


def test_a_clean_file_passes_the_virus_scan(clamd_socket):
    # given
    clamd = FakeClamd(clamd_socket)
    data = files.pdf()
    # when
    checked = check(data, "beleid.pdf")
    # then
    clamd.close()
    assert clamd.received == data
    assert checked.kind == "pdf"


def test_an_infected_file_is_refused(clamd_socket):
    # given: the EICAR test string inside an otherwise valid PDF
    clamd = FakeClamd(clamd_socket)
    data = files.pdf() + b"\n" + files.EICAR
    # when
    with pytest.raises(UploadRefused) as refused:
        check(data, "beleid.pdf")
    # then
    clamd.close()
    assert refused.value.code == "virus_found"
    assert "Eicar-Test-Signature" in refused.value.detail


def test_an_unreachable_virus_scanner_refuses_the_upload(clamd_socket):
    with pytest.raises(UploadRefused) as refused:
        check(files.pdf(), "beleid.pdf")
    assert refused.value.code == "virus_scan_failed"


# --------------------------------------------------------------------------- active content (inspection)


@pytest.mark.parametrize(
    ("make", "name", "code"), files.HOSTILE, ids=[make.__name__ for make, _name, _code in files.HOSTILE]
)
def test_active_content_is_refused_with_its_own_code(make, name, code):
    # when
    with translation.override("nl"), pytest.raises(UploadRefused) as refused:
        check(make(), name)
    # then
    assert refused.value.code == code
    assert code in validation.REFUSAL_CODES
    assert refused.value.extra["invalid_params"][0] == {
        "name": "file",
        "code": code,
        "reason": refused.value.detail,
    }


@pytest.mark.parametrize(
    "code",
    [
        "pdf_javascript",
        "pdf_launch_action",
        "pdf_embedded_file",
        "pdf_xfa_form",
        "pdf_active_content",
        "office_external_template",
        "office_embedded_object",
        "office_dde_field",
        "office_external_link",
    ],
)
def test_each_active_content_code_has_a_dutch_message(code):
    # given
    message = validation.FINDING_MESSAGES[code]
    # when
    with translation.override("nl"):
        dutch = str(message)
    with translation.override("en"):
        english = str(message)
    # then
    assert dutch != english


def reportlab_pdf_with_links_and_outline() -> bytes:
    """A report as reportlab writes it: several pages, an outline, links to a web address and to a page."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    for number in range(3):
        page.bookmarkPage(f"p{number}")
        page.addOutlineEntry(f"Hoofdstuk {number + 1}", f"p{number}")
        page.drawString(72, 770, f"Hoofdstuk {number + 1}")
        page.linkURL("https://www.rijksoverheid.nl/", (72, 700, 300, 720))
        page.linkAbsolute("Terug naar het begin", "p0", (72, 650, 300, 670))
        page.showPage()
    page.save()
    return out.getvalue()


def docx_with_template(target: str) -> bytes:
    return files.docx_of(
        parts={
            "word/settings.xml": f'<w:settings xmlns:w="{files.W}" xmlns:r="{files.R}">'
            '<w:attachedTemplate r:id="rId1"/></w:settings>',
            "word/_rels/settings.xml.rels": files.rels(
                f'<Relationship Id="rId1" Type="{files.R}/attachedTemplate" Target="{target}" TargetMode="External"/>'
            ),
        }
    )


def docx_with_local_template() -> bytes:
    """Word writes the author's own template (on their disk) into every document made from it."""
    return docx_with_template("file:///C:\\Users\\jan\\AppData\\Roaming\\Microsoft\\Templates\\Normal.dotm")


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("https://evil.example/sjabloon.dotm", True),
        ("\\\\10.0.0.8\\share\\sjabloon.dotm", True),
        ("file:///\\\\server\\share\\sjabloon.dotm", True),
        ("file://server/share/sjabloon.dotm", True),
        ("//server/share/sjabloon.dotm", True),
        ("C:\\Sjablonen\\Huisstijl.dotx", False),
        ("file:///C:/Sjablonen/Huisstijl.dotx", False),
        ("Huisstijl.dotx", False),
    ],
)
def test_a_template_on_another_computer_is_refused_one_on_the_own_disk_is_not(target, refused):
    # given
    data = docx_with_template(target)
    # when
    try:
        check(data, "beleid.docx")
    except UploadRefused as exc:
        code = exc.code
    else:
        code = None
    # then
    assert code == ("office_external_template" if refused else None)


@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [
        (files.pdf_with_links, "links.pdf", "pdf"),
        (reportlab_pdf_with_links_and_outline, "rapport.pdf", "pdf"),
        (
            lambda: demo_documents.pdf("Antidiscriminatiebeleid", ["Zorg B.V.", "Periode: 2025"]),
            "demo.pdf",
            "pdf",
        ),
        (files.docx_ordinary, "beleid.docx", "docx"),
        (docx_with_local_template, "beleid.docx", "docx"),
        (files.xlsx_ordinary, "productie.xlsx", "xlsx"),
        (files.odt, "beleid.odt", "odt"),
    ],
)
def test_ordinary_documents_with_links_fields_and_charts_pass(make, name, kind):
    # when
    checked = check(make(), name)
    # then
    assert checked.kind == kind


def test_javascript_in_an_object_no_page_refers_to_is_found_too():
    # given: a script object in the file that nothing refers to (a reader repairing the file may use it)
    data = files.one_page_pdf(files.JS_ACTION)
    # when
    with pytest.raises(UploadRefused) as refused:
        check(data, "verborgen.pdf")
    # then
    assert refused.value.code == "pdf_javascript"


def test_the_most_serious_finding_is_reported(monkeypatch):
    # given: an attachment and a script in one PDF
    data = files.one_page_pdf(
        files.JS_ACTION,
        "<< /Type /Filespec /F (a.exe) /EF << /F 7 0 R >> >>",
        files.stream(files.exe(), "/Type /EmbeddedFile"),
        catalog="/OpenAction 5 0 R",
    )
    # when
    with pytest.raises(UploadRefused) as refused:
        check(data, "beide.pdf")
    # then
    assert refused.value.code == "pdf_javascript"


def test_a_pdf_with_too_many_objects_to_check_is_refused_as_unreadable(monkeypatch):
    # given
    monkeypatch.setattr(inspection, "MAX_PDF_OBJECTS", 3)
    # when
    with pytest.raises(UploadRefused) as refused:
        check(files.pdf_with_links(), "groot.pdf")
    # then
    assert refused.value.code == "unreadable_pdf"


def test_an_office_file_with_a_damaged_part_is_refused_as_corrupt():
    # given: the compressed bytes of document.xml are overwritten
    data = bytearray(files.docx_of(body=files.paragraph("Tekst " * 200)))
    start = data.index(b"word/document.xml") + len(b"word/document.xml")
    data[start + 10 : start + 60] = b"\xff" * 50
    # when
    with pytest.raises(UploadRefused) as refused:
        check(bytes(data), "kapot.docx")
    # then
    assert refused.value.code == "corrupt_file"


def test_excel_macro_sheets_are_macros():
    # given: an Excel 4.0 macro sheet (XLM) in an .xlsx
    data = files.xlsx_of({"xl/macrosheets/sheet1.xml": "<xm:macrosheet/>"})
    # when
    with pytest.raises(UploadRefused) as refused:
        check(data, "cijfers.xlsx")
    # then
    assert refused.value.code == "macro_enabled"


def test_an_automatic_action_chain_that_loops_is_followed_once():
    # given: OpenAction go-to-page whose /Next is an action whose /Next is the first again
    data = files.one_page_pdf(
        "<< /S /GoTo /D [3 0 R /Fit] /Next 6 0 R >>",
        "<< /S /GoTo /D [3 0 R /Fit] /Next 5 0 R >>",
        catalog="/OpenAction 5 0 R",
    )
    # when
    checked = check(data, "lus.pdf")
    # then: harmless, and the check ends
    assert checked.kind == "pdf"
