"""Anchors: the head of the audit chain (how many events, the hash of the newest) as it was at a moment,
kept where a rewrite of the database does not reach it.

Three kinds, all checked by ``manage.py verify_audit_trail``:

- the **daily anchor** written by ``manage.py anchor_audit_trail`` into the append-only ``AuditAnchor``
  table and, when ``AUDIT_ANCHOR_FILE`` is set, as a JSON line into that file (meant for another disk or
  host); both are signed with a keyed hash (HMAC-SHA256 with ``SECRET_KEY``; ``SECRET_KEY_FALLBACKS``
  are accepted, so keep a retired key there as long as its anchors must verify);
- the **anchor printed in every export** (``<number of events>:<hash>``, compliance.reports.meta): the PDF's
  keywords and first page, the workbook's *Export* sheet;
- an anchor given on the command line (``--anchor <events>:<hash>`` or ``--anchor <hash>``).

An anchor holds when the event at its position still has its hash. A rewrite of the chain (events
re-hashed from some point and the head moved along) leaves every anchor made after that point naming a
hash that is no longer there.
"""

import json
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

# ``<number of events>:<hash>``: how exports print the head of the chain
TOKEN = re.compile(r"(?<![0-9A-Za-z])(\d{1,15}):([0-9a-f]{64})(?![0-9A-Za-z])")
BARE_HASH = re.compile(r"(?<![0-9A-Za-z])([0-9a-f]{64})(?![0-9A-Za-z])")
ANCHOR_SALT = "audit.anchor"


def anchor_text(event_count: int, hash: str) -> str:
    """How an export prints the head of the chain: ``<number of events>:<hash>``."""
    return f"{event_count}:{hash}"


def sign(salt: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256 with SECRET_KEY) of ``value``."""
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()


def signature_valid(salt: str, value: str, signature: str) -> bool:
    """True when ``signature`` was made by ``sign`` with SECRET_KEY or one of SECRET_KEY_FALLBACKS."""
    for secret in [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]:
        expected = salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()
        if constant_time_compare(expected, signature):
            return True
    return False


@dataclass(frozen=True)
class Anchor:
    """A head of the chain to check: its hash and, when known, its position (number of events up to and
    including it) and event id. ``signature`` is None for an unsigned anchor (an export, a command line)."""

    hash: str
    event_count: int | None = None
    event_id: int | None = None
    created_at: str = ""  # ISO 8601, UTC
    signature: str | None = None
    source: str = ""

    def signed_value(self) -> str:
        return f"{self.created_at}|{self.event_id}|{self.event_count}|{self.hash}"

    def signature_valid(self) -> bool:
        return self.signature is not None and signature_valid(
            ANCHOR_SALT, self.signed_value(), self.signature
        )

    def text(self) -> str:
        return anchor_text(self.event_count, self.hash) if self.event_count is not None else self.hash

    def as_json(self) -> str:
        """One line of the anchor file."""
        return json.dumps(
            {
                "createdAt": self.created_at,
                "eventId": self.event_id,
                "eventCount": self.event_count,
                "hash": self.hash,
                "signature": self.signature,
            },
            sort_keys=True,
        )


def anchor_from_argument(value: str, source: str = "--anchor") -> Anchor:
    """``<events>:<hash>`` or ``<hash>``; ValueError for anything else."""
    value = value.strip().lower()
    if match := TOKEN.fullmatch(value):
        return Anchor(hash=match[2], event_count=int(match[1]), source=source)
    if BARE_HASH.fullmatch(value):
        return Anchor(hash=value, source=source)
    raise ValueError(f"not an anchor (<events>:<hash> or a 64-character hash): {value!r}")


def _from_json(line: str, source: str) -> Anchor | None:
    try:
        data: Any = json.loads(line)
    except ValueError:
        return None
    if not isinstance(data, dict) or not BARE_HASH.fullmatch(str(data.get("hash", ""))):
        return None
    try:
        return Anchor(
            hash=data["hash"],
            event_count=int(data["eventCount"]) if data.get("eventCount") is not None else None,
            event_id=int(data["eventId"]) if data.get("eventId") is not None else None,
            created_at=str(data.get("createdAt") or ""),
            signature=str(data.get("signature") or ""),
            source=source,
        )
    except (TypeError, ValueError):
        return None


def _tokens(text: str, source: str) -> list[Anchor]:
    return [Anchor(hash=h, event_count=int(n), source=source) for n, h in TOKEN.findall(text)]


def _pdf_anchors(path: Path, raw: bytes) -> list[Anchor]:
    source = str(path)
    found = _tokens(raw.decode("latin-1"), source)
    try:
        metadata: Any = PdfReader(path).metadata or {}
    except (PdfReadError, OSError, ValueError):
        metadata = {}
    keywords = str(metadata.get("/Keywords") or "")
    found += _tokens(keywords, source)
    if not found:  # an export made before exports printed the number of events: its hash in the keywords
        found = [Anchor(hash=h, source=source) for h in BARE_HASH.findall(keywords)]
    return found


def _zip_anchors(path: Path) -> list[Anchor]:
    found: list[Anchor] = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".xml"):
                found += _tokens(archive.read(name).decode("utf-8", "replace"), f"{path}:{name}")
    return found


def anchors_from_file(path: str | Path) -> list[Anchor]:
    """The anchors in an anchor file (JSON lines), an export (PDF, XLSX) or a text file; each once."""
    path = Path(path)
    raw = path.read_bytes()
    if raw.startswith(b"%PDF"):
        found = _pdf_anchors(path, raw)
    elif zipfile.is_zipfile(path):
        found = _zip_anchors(path)
    else:
        found = []
        text = raw.decode("utf-8", "replace")
        for number, line in enumerate(text.splitlines(), start=1):
            anchor = _from_json(line, f"{path}:{number}") if line.lstrip().startswith("{") else None
            found += [anchor] if anchor is not None else _tokens(line, f"{path}:{number}")
        if not found:
            found = [Anchor(hash=h, source=str(path)) for h in BARE_HASH.findall(text)]
    unique: dict[tuple[Any, ...], Anchor] = {}
    for anchor in found:
        unique.setdefault((anchor.hash, anchor.event_count, anchor.event_id, anchor.signature), anchor)
    return list(unique.values())


def anchor_file_append(anchor: Anchor, path: str | Path) -> None:
    """Append one signed anchor to the anchor file (created with its folder when missing), synced to disk."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(anchor.as_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
