"""The virus scan of uploads (compliance/documents/clamd.py) against a stand-in for clamd: the EICAR test
file inside a PDF and a JPEG is refused on the portal and the API, and nothing is stored; an unreachable
scanner refuses as well. (Without CLAMD_SOCKET a deployment fails `check --deploy`: tests/security/test_deploy.py.)"""

import io
import socket
import struct
import tempfile
import threading
from pathlib import Path

import pytest

from rest_framework.test import APIClient

from audit.models import AuditEvent
from compliance.documents import clamd
from compliance.documents.services import document_upload
from compliance.documents.validation import UploadRefused
from compliance.models import DocumentStatus, DocumentVersion
from tests.compliance import files
from tests.compliance.documents.helpers import requested

pytestmark = pytest.mark.django_db


class FakeClamd:
    """Answers clamd's INSTREAM command like clamd does: ``stream: Eicar-Test-Signature FOUND`` when the
    stream holds the EICAR test string, ``stream: OK`` otherwise. On a unix socket or on TCP."""

    def __init__(self, server: socket.socket) -> None:
        self.server = server
        self.server.listen(5)
        self.streams: list[bytes] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    @classmethod
    def unix(cls, path: str) -> "FakeClamd":
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        return cls(server)

    @classmethod
    def tcp(cls) -> "FakeClamd":
        server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.bind(("127.0.0.1", 0))
        return cls(server)

    def serve(self) -> None:
        while True:
            try:
                conn, _address = self.server.accept()
            except OSError:  # closed
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                data = b""
                while size := struct.unpack("!L", self._exact(conn, 4))[0]:
                    data += self._exact(conn, size)
                self.streams.append(data)
                infected = files.EICAR in data
                conn.sendall(b"stream: Eicar-Test-Signature FOUND\0" if infected else b"stream: OK\0")

    @staticmethod
    def _exact(conn: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            chunk = conn.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("short read")
            buf += chunk
        return buf

    def close(self) -> None:
        self.server.close()
        self.thread.join(timeout=5)


@pytest.fixture
def socket_dir():
    """A short private folder for unix sockets (a socket path is limited to 108 bytes, and pytest's
    tmp_path may be cleaned up by another pytest process of the same user)."""
    with tempfile.TemporaryDirectory(prefix="clamd-") as folder:
        yield Path(folder)


@pytest.fixture
def fake_clamd(settings, socket_dir):
    server = FakeClamd.unix(str(socket_dir / "clamd.sock"))
    settings.CLAMD_SOCKET = str(socket_dir / "clamd.sock")
    yield server
    server.close()


def eicar_pdf() -> bytes:
    """A valid one-page PDF with the EICAR test string in a stream object."""
    return files.one_page_pdf(files.stream(files.EICAR))


def eicar_jpeg() -> bytes:
    """A valid JPEG with the EICAR test string in a comment segment (COM) after the start marker."""
    data = files.jpeg()
    comment = b"\xff\xfe" + struct.pack(">H", len(files.EICAR) + 2) + files.EICAR
    return data[:2] + comment + data[2:]


INFECTED = [(eicar_pdf, "jaarverslag.pdf"), (eicar_jpeg, "foto.jpg")]


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def assert_nothing_stored(document, storage) -> None:
    document.refresh_from_db()
    assert document.status == DocumentStatus.REQUESTED
    assert not DocumentVersion.objects.exists()
    assert stored_files(storage) == []
    assert not AuditEvent.objects.filter(subject_uuid=document.uuid).exists()


@pytest.mark.parametrize(("make", "name"), INFECTED, ids=["pdf", "jpeg"])
def test_the_portal_refuses_an_infected_file_and_stores_nothing(
    client_for, provider, provider_user, fake_clamd, document_storage_in_tmp, make, name
):
    # given
    document = requested(provider=provider)
    upload = io.BytesIO(make())
    upload.name = name
    # when
    response = client_for(provider_user).post(f"/portal/documents/{document.uuid}/", {"file": upload})
    # then
    assert response.status_code == 400  # the page again, with the refusal on the file field
    assert "Eicar-Test-Signature" in response.content.decode()
    assert fake_clamd.streams == [make()]  # the whole file went to the scanner
    assert_nothing_stored(document, document_storage_in_tmp)


@pytest.mark.parametrize(("make", "name"), INFECTED, ids=["pdf", "jpeg"])
def test_the_api_refuses_an_infected_file_with_virus_found(
    provider, provider_user, fake_clamd, document_storage_in_tmp, make, name
):
    # given
    document = requested(provider=provider)
    upload = io.BytesIO(make())
    upload.name = name
    api = APIClient()
    api.force_authenticate(provider_user)
    # when
    response = api.post(f"/api/v1/documents/{document.uuid}/versions", {"file": upload}, format="multipart")
    # then
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["invalidParams"][0]["code"] == "virus_found"
    assert_nothing_stored(document, document_storage_in_tmp)


def test_a_clean_file_passes_the_scan_and_is_stored(provider, provider_user, fake_clamd):
    # given
    document = requested(provider=provider)
    data = files.pdf()
    # when
    version = document_upload(
        uuid=document.uuid, actor=provider_user, file=io.BytesIO(data), filename="a.pdf"
    )
    # then
    assert fake_clamd.streams == [data]
    assert version.file.read() == data


def test_clamd_on_tcp_is_reached_at_tcp_host_port(settings, provider, provider_user, document_storage_in_tmp):
    # given: clamd in its own container, TCPSocket 3310
    server = FakeClamd.tcp()
    host, port = server.server.getsockname()
    settings.CLAMD_SOCKET = f"tcp://{host}:{port}"
    document = requested(provider=provider)
    # when
    with pytest.raises(UploadRefused) as refused:
        document_upload(
            uuid=document.uuid, actor=provider_user, file=io.BytesIO(eicar_pdf()), filename="a.pdf"
        )
    server.close()
    # then
    assert refused.value.code == "virus_found"
    assert_nothing_stored(document, document_storage_in_tmp)


@pytest.mark.parametrize("address", ["missing", "tcp://127.0.0.1:1", "tcp://clamd-without-port"])
def test_an_unreachable_scanner_refuses_the_upload_and_stores_nothing(
    settings, socket_dir, provider, provider_user, document_storage_in_tmp, address
):
    # given
    settings.CLAMD_SOCKET = str(socket_dir / "no-clamd.sock") if address == "missing" else address
    document = requested(provider=provider)
    # when
    with pytest.raises(UploadRefused) as refused:
        document_upload(
            uuid=document.uuid, actor=provider_user, file=io.BytesIO(files.pdf()), filename="a.pdf"
        )
    # then
    assert refused.value.code == "virus_scan_failed"
    assert_nothing_stored(document, document_storage_in_tmp)


def test_a_clamd_error_answer_is_not_taken_for_clean(socket_dir):
    # given: clamd refuses a stream above its StreamMaxLength
    path = str(socket_dir / "clamd.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)

    def answer() -> None:
        conn, _address = server.accept()
        with conn:
            conn.recv(1 << 16)
            conn.sendall(b"INSTREAM size limit exceeded. ERROR\0")

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    # when
    with pytest.raises(clamd.ClamdError):
        clamd.scan(io.BytesIO(b"x" * 10), path, timeout=5)
    thread.join(timeout=5)
    server.close()
