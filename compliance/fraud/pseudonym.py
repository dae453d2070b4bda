"""Client identifiers: a BSN is validated and replaced by its keyed hash before anything is stored.

The hash is HMAC-SHA256 with ``settings.PSEUDONYMISATION_KEY``: the same BSN always gives the same
pseudonym (so the rules can follow a client across providers and files), but without the key nobody can
compute it from a BSN, and no BSN can be recovered from it. Nothing in this module logs, stores or
returns a BSN; error messages never repeat it.
"""

import hashlib
import hmac
import re
from functools import lru_cache

from django.conf import settings

BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_ZERO = ord("0")


class InvalidBsn(ValueError):
    """``code`` says what is wrong (``bsn_format``, ``bsn_checksum``, ``bsn_zero``); never the value."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def normalise_bsn(value: object) -> str:
    """The BSN as 9 digits. Spreadsheets drop the leading zero of a BSN stored as a number, so an
    8-digit value gets it back (as the BSN rules prescribe)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value):
            raise InvalidBsn("bsn_format")
        value = str(int(value))
    text = str(value).strip()
    if len(text) == 8 and text.isascii() and text.isdigit():
        text = "0" + text
    return text


def check_bsn(bsn: str) -> None:
    """Raises InvalidBsn unless ``bsn`` is 9 digits that pass the 11-test (and is not all zeros)."""
    if len(bsn) != 9 or not bsn.isascii() or not bsn.isdigit():
        raise InvalidBsn("bsn_format")
    if bsn == "000000000":
        raise InvalidBsn("bsn_zero")
    d = bsn.encode()
    # 9A + 8B + 7C + 6D + 5E + 4F + 3G + 2H - 1I, written out (this runs for every imported row)
    total = 9 * d[0] + 8 * d[1] + 7 * d[2] + 6 * d[3] + 5 * d[4] + 4 * d[5] + 3 * d[6] + 2 * d[7] - d[8]
    if (total - _ZERO * 43) % 11:
        raise InvalidBsn("bsn_checksum")


def is_valid_bsn(value: object) -> bool:
    try:
        check_bsn(normalise_bsn(value))
    except InvalidBsn:
        return False
    return True


# Nine ASCII digits not part of a longer number, also written the way a BSN is printed (1234.56.782).
BSN_IN_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{9}|[0-9]{4}\.[0-9]{2}\.[0-9]{3})(?![0-9])")
BSN_MASK = "*********"


def _bsn_matches(text: str):
    for match in BSN_IN_TEXT.finditer(text):
        digits = match.group().replace(".", "")
        if digits != "000000000" and is_valid_bsn(digits):
            yield match


def contains_bsn(text: str) -> bool:
    """True when free text (an allocation number, a file name) holds a number that passes the BSN 11-test:
    nine digits on their own. Such text is refused or masked, so that no BSN is stored in clear."""
    return next(_bsn_matches(text), None) is not None


def mask_bsns(text: str) -> str:
    """``text`` with every BSN-like number (see ``contains_bsn``) replaced by asterisks."""
    for match in reversed(list(_bsn_matches(text))):
        text = text[: match.start()] + BSN_MASK + text[match.end() :]
    return text


@lru_cache(maxsize=4)
def _keyed(key: str) -> "hmac.HMAC":
    if not key:
        raise RuntimeError("settings.PSEUDONYMISATION_KEY is empty: set PSEUDONYMISATION_KEY.")
    return hmac.new(key.encode(), digestmod=hashlib.sha256)


class Pseudonymiser:
    """Validates BSNs and returns their 32-byte keyed hash. Keeps a small bounded cache, because the
    lines of one client usually follow each other in a file (12 months, several products)."""

    CACHE_SIZE = 20_000  # a few MB at most

    def __init__(self, key: str | None = None) -> None:
        self._base = _keyed(key if key is not None else settings.PSEUDONYMISATION_KEY)
        self._cache: dict[str, bytes] = {}

    def __call__(self, bsn: str) -> bytes:
        """``bsn`` must already be normalised (see ``normalise_bsn``)."""
        digest = self._cache.get(bsn)
        if digest is not None:
            return digest
        check_bsn(bsn)
        mac = self._base.copy()
        mac.update(bsn.encode())
        digest = mac.digest()
        if len(self._cache) >= self.CACHE_SIZE:
            self._cache.clear()
        self._cache[bsn] = digest
        return digest


def key_id(key: str | None = None) -> str:
    """A short public name of the pseudonymisation key (a keyed hash of a constant, not of a BSN): recorded
    with every import, so that the audit trail shows from which import on pseudonyms changed with a new key.
    It reveals nothing of the key."""
    mac = hmac.new(
        (key if key is not None else settings.PSEUDONYMISATION_KEY).encode(), b"key-id", hashlib.sha256
    )
    return mac.hexdigest()[:16]


def pseudonymise(bsn: object) -> bytes:
    """The keyed hash of one BSN (validated). For bulk work use a ``Pseudonymiser``."""
    return Pseudonymiser()(normalise_bsn(bsn))
