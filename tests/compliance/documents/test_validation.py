"""The upload validator: allowed types by content, each refusal with its own code and message."""

import io
import os
import socket
import struct
import threading

import pytest

from django.utils import translation

from compliance.documents import validation
from compliance.documents.validation import UploadRefused, sanitise_filename, validate_upload
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
        (files.pdf_with_javascript, "script.pdf", "pdf_active_content"),
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
