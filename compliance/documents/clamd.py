"""A minimal clamd client: the INSTREAM command over clamd's unix socket (see clamd(8)).

``scan`` streams the file in chunks (each prefixed by its length as a 4-byte big-endian integer,
ended by a zero-length chunk) and reads the verdict: ``stream: OK``, ``stream: <signature> FOUND`` or
an error. No third-party client needed; the protocol is stable and small.

The address (``socket_path``) is the path of clamd's unix socket (``LocalSocket`` in clamd.conf, e.g. /run/clamav/clamd.ctl)
or ``tcp://host:port`` (``TCPSocket``/``TCPAddr``, e.g. clamd in its own container)."""

import socket
import struct
from typing import BinaryIO
from urllib.parse import urlsplit

CHUNK = 64 * 1024


class ClamdError(Exception):
    """clamd could not be reached or answered with an error."""


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("tcp://"):
        parsed = urlsplit(address)
        try:
            port = parsed.port
        except ValueError:
            port = None
        if not parsed.hostname or not port:
            raise ClamdError(f"not a clamd address: {address} (tcp://host:port)")
        return socket.create_connection((parsed.hostname, port), timeout=timeout)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(timeout)
        conn.connect(address)
    except OSError:
        conn.close()
        raise
    return conn


def scan(fileobj: BinaryIO, socket_path: str, timeout: float = 30.0) -> str | None:
    """The name of the signature found, or None when the file is clean. Raises ClamdError.
    ``socket_path`` is a unix socket path or ``tcp://host:port``."""
    try:
        with _connect(socket_path, timeout) as conn:
            conn.settimeout(timeout)
            conn.sendall(b"zINSTREAM\0")
            fileobj.seek(0)
            while chunk := fileobj.read(CHUNK):
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                data = conn.recv(4096)
                if not data:
                    break
                reply += data
    except OSError as exc:
        raise ClamdError(str(exc)) from exc
    finally:
        fileobj.seek(0)
    answer = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if answer.endswith("OK") and "ERROR" not in answer:
        return None
    if answer.endswith("FOUND"):
        return answer.removeprefix("stream:").removesuffix("FOUND").strip() or "unknown"
    raise ClamdError(answer or "no answer from clamd")
