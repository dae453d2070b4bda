"""Upload checks for accountability documents: the one validator that the portal, the API and the admin
share (through compliance.documents.services.document_upload).

The type is decided by the content, never by the name: PDF, PNG, JPEG, DOCX, XLSX and ODT are allowed.
Refused, each with its own stable code (``UploadRefused.code``) and Dutch message: empty files, files
above the size limit, executables and scripts, archives (a zip that is not a valid DOCX/XLSX/ODT),
macro-enabled or password-protected Office files, encrypted, unreadable or active PDFs, damaged images,
a name whose extension does not match the content, and (when ``CLAMD_SOCKET`` is set) infected files.
What a PDF or an Office file holds besides its content (scripts, programs, attachments, embedded
objects, DDE, external templates and links) is found by compliance.documents.inspection, which reads
every object of a PDF and every part of an Office package; each kind has its own code here.

The size limit is checked here for every caller; over HTTP an upload handler
(core.uploads) refuses a larger body while it streams in, before it is written in full.
"""

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import puremagic
from PIL import Image
from pypdf import PdfReader

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.documents import clamd, inspection
from core.exceptions import InvalidInput
from core.uploads import too_large_message

# code -> (canonical extension, accepted extensions, MIME type, label)
ALLOWED = {
    "pdf": ("pdf", {"pdf"}, "application/pdf", "PDF"),
    "png": ("png", {"png"}, "image/png", "PNG"),
    "jpeg": ("jpg", {"jpg", "jpeg", "jpe"}, "image/jpeg", "JPEG"),
    "docx": (
        "docx",
        {"docx"},
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "Word (DOCX)",
    ),
    "xlsx": (
        "xlsx",
        {"xlsx"},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Excel (XLSX)",
    ),
    "odt": ("odt", {"odt"}, "application/vnd.oasis.opendocument.text", "OpenDocument (ODT)"),
}
#: MIME type -> what a reader calls it ("PDF", "Word (DOCX)")
TYPE_LABELS = {mime: label for _c, _exts, mime, label in ALLOWED.values()}


def type_label(content_type: str) -> str:
    """The file type as a reader knows it; an unknown type as it was detected."""
    return TYPE_LABELS.get(content_type, content_type)


ALLOWED_EXTENSIONS = sorted({ext for _c, exts, _m, _l in ALLOWED.values() for ext in exts})
ACCEPT_ATTRIBUTE = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)  # <input type=file accept=...>

# Refusal codes, stable for API clients (never change one in place).
EMPTY_FILE = "empty_file"
FILE_TOO_LARGE = "file_too_large"
FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
EXECUTABLE = "executable_not_allowed"
ARCHIVE = "archive_not_allowed"
MACRO_ENABLED = "macro_enabled"
ENCRYPTED_DOCUMENT = "encrypted_document"
ENCRYPTED_PDF = "encrypted_pdf"
UNREADABLE_PDF = "unreadable_pdf"
PDF_JAVASCRIPT = inspection.PDF_JAVASCRIPT
PDF_LAUNCH_ACTION = inspection.PDF_LAUNCH_ACTION
PDF_EMBEDDED_FILE = inspection.PDF_EMBEDDED_FILE
PDF_XFA_FORM = inspection.PDF_XFA_FORM
PDF_ACTIVE_CONTENT = inspection.PDF_ACTIVE_CONTENT
OFFICE_EXTERNAL_TEMPLATE = inspection.OFFICE_EXTERNAL_TEMPLATE
OFFICE_EMBEDDED_OBJECT = inspection.OFFICE_EMBEDDED_OBJECT
OFFICE_DDE_FIELD = inspection.OFFICE_DDE_FIELD
OFFICE_EXTERNAL_LINK = inspection.OFFICE_EXTERNAL_LINK
CORRUPT_FILE = "corrupt_file"
EXTENSION_MISMATCH = "extension_mismatch"
VIRUS_FOUND = "virus_found"
VIRUS_SCAN_FAILED = "virus_scan_failed"
REFUSAL_CODES = (
    EMPTY_FILE,
    FILE_TOO_LARGE,
    FILE_TYPE_NOT_ALLOWED,
    EXECUTABLE,
    ARCHIVE,
    MACRO_ENABLED,
    ENCRYPTED_DOCUMENT,
    ENCRYPTED_PDF,
    UNREADABLE_PDF,
    PDF_JAVASCRIPT,
    PDF_LAUNCH_ACTION,
    PDF_EMBEDDED_FILE,
    PDF_XFA_FORM,
    PDF_ACTIVE_CONTENT,
    OFFICE_EXTERNAL_TEMPLATE,
    OFFICE_EMBEDDED_OBJECT,
    OFFICE_DDE_FIELD,
    OFFICE_EXTERNAL_LINK,
    CORRUPT_FILE,
    EXTENSION_MISMATCH,
    VIRUS_FOUND,
    VIRUS_SCAN_FAILED,
)

EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE (exe, dll, scr)
    b"\x7fELF",  # Linux
    b"\xfe\xed\xfa\xce",  # Mach-O
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal / Java class
    b"#!",  # scripts
    b"dex\n",  # Android
)
ARCHIVE_MAGIC = (
    b"PK\x05\x06",  # empty zip
    b"PK\x07\x08",  # spanned zip
    b"Rar!\x1a\x07",
    b"7z\xbc\xaf\x27\x1c",
    b"\x1f\x8b",  # gzip
    b"BZh",
    b"\xfd7zXZ\x00",
    b"MSCF",  # cab
    b"\x28\xb5\x2f\xfd",  # zstd
)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")
MAX_ZIP_ENTRIES = inspection.MAX_OFFICE_ENTRIES
MAX_ZIP_RATIO = inspection.MAX_OFFICE_RATIO  # uncompressed / compressed: more is a zip bomb
HEAD = 8192

# What inspection finds, and what we tell the uploader.
FINDING_MESSAGES = {
    PDF_JAVASCRIPT: gettext_lazy(
        "The PDF contains JavaScript (scripts that the PDF reader runs). Upload a PDF without scripts "
        "(for example via 'print to PDF')."
    ),
    PDF_LAUNCH_ACTION: gettext_lazy(
        "The PDF contains an action that starts a program. Upload a PDF without it (for example via "
        "'print to PDF')."
    ),
    PDF_EMBEDDED_FILE: gettext_lazy(
        "The PDF contains attached files. Upload each document separately, as a PDF without attachments."
    ),
    PDF_XFA_FORM: gettext_lazy(
        "The PDF is an XFA form. Fill in the form, save or print it as an ordinary PDF and upload that."
    ),
    PDF_ACTIVE_CONTENT: gettext_lazy(
        "The PDF contains automatic actions, media or links that send or fetch data. Upload a PDF without "
        "them (for example via 'print to PDF')."
    ),
    OFFICE_EXTERNAL_TEMPLATE: gettext_lazy(
        "The document loads a template from another computer when it is opened. Save the document "
        "without the link to the template, or as PDF."
    ),
    OFFICE_EMBEDDED_OBJECT: gettext_lazy(
        "The document contains embedded objects or programs. Save the file without them, or as PDF."
    ),
    OFFICE_DDE_FIELD: gettext_lazy(
        "The document contains DDE fields or formulas, which can start other programs. Save the file "
        "without them, or as PDF."
    ),
    OFFICE_EXTERNAL_LINK: gettext_lazy(
        "The document loads content from other files or computers (external links or data connections). "
        "Break the links, or save the file as PDF."
    ),
}


class UploadRefused(InvalidInput):
    """A file that may not be stored; ``code`` says why (one of REFUSAL_CODES)."""

    def __init__(self, code: str, detail: str, *, field: str = "file") -> None:
        super().__init__(detail, invalid_params=[{"name": field, "code": code, "reason": detail}])
        self.code = code
        self.field = field


@dataclass(frozen=True)
class ValidatedFile:
    kind: str  # a key of ALLOWED
    content_type: str
    filename: str  # sanitised, with the canonical extension of the detected type
    original_filename: str
    size: int
    sha256: str


def validate_upload(fileobj: BinaryIO, original_name: str, size: int | None = None) -> ValidatedFile:
    """Check one uploaded file; raises UploadRefused with a specific code, or returns its facts."""
    original_name = (original_name or "").strip()
    if size is None:
        fileobj.seek(0, os.SEEK_END)
        size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise UploadRefused(EMPTY_FILE, _("The file is empty."))
    limit = settings.DOCUMENT_MAX_UPLOAD_BYTES
    if size > limit:
        raise UploadRefused(FILE_TOO_LARGE, too_large_message(limit))
    head = fileobj.read(HEAD)
    fileobj.seek(0)
    kind = _detect(head, fileobj, size)
    extension = _extension(original_name)
    canonical, accepted, mime, label = ALLOWED[kind]
    if extension and extension not in accepted:
        raise UploadRefused(
            EXTENSION_MISMATCH,
            _(
                "The file name ends in .%(extension)s, but the file is a %(type)s file. Rename it or upload the right file."
            )
            % {"extension": extension, "type": label},
        )
    _virus_scan(fileobj)
    return ValidatedFile(
        kind=kind,
        content_type=mime,
        filename=sanitise_filename(original_name, canonical),
        original_filename=original_name[:255] or f"document.{canonical}",
        size=size,
        sha256=sha256_of(fileobj),
    )


def sha256_of(fileobj: BinaryIO) -> str:
    digest = hashlib.sha256()
    fileobj.seek(0)
    while chunk := fileobj.read(1024 * 1024):
        digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def sanitise_filename(name: str, extension: str) -> str:
    """A safe, ASCII file name: no path, no control or special characters, the given extension."""
    base = re.split(r"[\\/]", name or "")[-1]
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")
    stem = re.sub(r"-{2,}", "-", stem)[:100].strip("-._") or "document"
    return f"{stem}.{extension}"


def _extension(name: str) -> str:
    base = re.split(r"[\\/]", name)[-1]
    return base.rsplit(".", 1)[1].lower().strip() if "." in base.strip(".") else ""


# --------------------------------------------------------------------------- detection by content


def _detect(head: bytes, fileobj: BinaryIO, size: int) -> str:
    if head.startswith(b"%PDF-"):
        _check_pdf(fileobj)
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_image(fileobj)
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        _check_image(fileobj)
        return "jpeg"
    if head.startswith(b"PK\x03\x04"):
        return _check_zip(fileobj, size)
    if head.startswith(OLE_MAGIC):
        if ENCRYPTED_OOXML in fileobj.read():
            fileobj.seek(0)
            raise UploadRefused(
                ENCRYPTED_DOCUMENT,
                _("The document is protected with a password. Remove the protection and upload it again."),
            )
        fileobj.seek(0)
        raise UploadRefused(
            FILE_TYPE_NOT_ALLOWED,
            _(
                "Old Office files (.doc, .xls) are not allowed: they can contain macros. "
                "Save the file as PDF, DOCX or XLSX."
            ),
        )
    if head.startswith(EXECUTABLE_MAGIC):
        raise UploadRefused(EXECUTABLE, _("Programs and scripts cannot be uploaded."))
    if head.startswith(ARCHIVE_MAGIC) or head[257:262] == b"ustar":
        raise UploadRefused(
            ARCHIVE, _("Archives (such as zip files) cannot be uploaded. Upload each document separately.")
        )
    raise UploadRefused(
        FILE_TYPE_NOT_ALLOWED,
        _("This type of file (%(detected)s) is not allowed. Upload a PDF, PNG, JPEG, DOCX, XLSX or ODT file.")
        % {"detected": _describe(head)},
    )


def _describe(head: bytes) -> str:
    """A human name for unknown content, for the refusal message."""

    try:
        matches = puremagic.magic_string(head)
    except (puremagic.PureError, ValueError):
        matches = []
    if matches:
        return matches[0].name
    if _looks_like_text(head):
        return _("text")
    return _("unknown")


def _looks_like_text(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _check_pdf(fileobj: BinaryIO) -> None:

    try:
        reader = PdfReader(fileobj, strict=False)
        encrypted = reader.is_encrypted
        if not encrypted:
            pages = len(reader.pages)
            if pages:
                reader.pages[0].mediabox  # noqa: B018 - the first page must be readable
            findings = inspection.pdf_findings(reader)
    except Exception as exc:  # pypdf raises many kinds on broken input; inspection.Uninspectable
        raise UploadRefused(UNREADABLE_PDF, _("The PDF cannot be read; it may be damaged.")) from exc
    finally:
        fileobj.seek(0)
    if encrypted:
        raise UploadRefused(
            ENCRYPTED_PDF,
            _("The PDF is protected with a password or encrypted. Upload it without protection."),
        )
    if not pages:
        raise UploadRefused(UNREADABLE_PDF, _("The PDF has no pages."))
    _refuse_findings(findings)


def _refuse_findings(findings: list[str]) -> None:
    if findings:
        raise UploadRefused(findings[0], str(FINDING_MESSAGES[findings[0]]))


def _check_image(fileobj: BinaryIO) -> None:

    try:
        with Image.open(fileobj) as image:
            image.verify()
    except Exception as exc:  # Pillow raises many kinds on broken input (and on decompression bombs)
        raise UploadRefused(CORRUPT_FILE, _("The image is damaged or cannot be read.")) from exc
    finally:
        fileobj.seek(0)


def _check_zip(fileobj: BinaryIO, size: int) -> str:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES or sum(i.file_size for i in infos) > MAX_ZIP_RATIO * max(size, 1):
                raise UploadRefused(CORRUPT_FILE, _("The file is damaged or cannot be read."))
            if any(info.flag_bits & 0x1 for info in infos):
                raise UploadRefused(
                    ENCRYPTED_DOCUMENT,
                    _(
                        "The document is protected with a password. Remove the protection and upload it again."
                    ),
                )
            kind = _zip_kind(
                {info.filename for info in infos},
                content_types=_read_small(archive, "[Content_Types].xml"),
                mimetype=_read_small(archive, "mimetype").strip(),
            )
            findings = inspection.office_findings(archive)
    except (zipfile.BadZipFile, inspection.Uninspectable) as exc:
        raise UploadRefused(CORRUPT_FILE, _("The file is damaged or cannot be read.")) from exc
    finally:
        fileobj.seek(0)
    _refuse_findings(findings)
    return kind


def _zip_kind(names: set[str], *, content_types: str, mimetype: str) -> str:
    """docx, xlsx or odt, by the package's own description; refuses macros, other packages and zips."""
    lowered = {name.lower() for name in names}
    macro_message = _(
        "Office files with macros cannot be uploaded. Save the file without macros (as .docx or .xlsx) or as PDF."
    )
    macro_folders = ("/activex/", "/macrosheets/", "/intlmacrosheets/")
    if any(
        name.endswith("vbaproject.bin") or any(f in f"/{name}" for f in macro_folders) for name in lowered
    ):
        raise UploadRefused(MACRO_ENABLED, macro_message)
    if content_types:
        if "macroenabled" in content_types.lower():
            raise UploadRefused(MACRO_ENABLED, macro_message)
        if "wordprocessingml.document.main+xml" in content_types and "word/document.xml" in names:
            return "docx"
        if "spreadsheetml.sheet.main+xml" in content_types and "xl/workbook.xml" in names:
            return "xlsx"
        raise UploadRefused(
            FILE_TYPE_NOT_ALLOWED,
            _("This type of Office file is not allowed. Upload a PDF, DOCX, XLSX or ODT file."),
        )
    if mimetype.startswith("application/vnd.oasis.opendocument"):
        if any(name.startswith(("basic/", "scripts/")) for name in lowered):
            raise UploadRefused(MACRO_ENABLED, macro_message)
        if mimetype == ALLOWED["odt"][2] and "content.xml" in names:
            return "odt"
        raise UploadRefused(
            FILE_TYPE_NOT_ALLOWED,
            _("This type of OpenDocument file is not allowed. Upload a PDF, DOCX, XLSX or ODT file."),
        )
    raise UploadRefused(
        ARCHIVE, _("Archives (such as zip files) cannot be uploaded. Upload each document separately.")
    )


def _read_small(archive: zipfile.ZipFile, name: str, limit: int = 1024 * 1024) -> str:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return ""
    if info.file_size > limit:
        raise UploadRefused(CORRUPT_FILE, _("The file is damaged or cannot be read."))
    return archive.read(info).decode("utf-8", "replace")


# --------------------------------------------------------------------------- virus scan


def _virus_scan(fileobj: BinaryIO) -> None:
    socket_path = getattr(settings, "CLAMD_SOCKET", "")
    if not socket_path:
        return
    try:
        signature = clamd.scan(fileobj, socket_path, timeout=settings.CLAMD_TIMEOUT)
    except clamd.ClamdError as exc:
        raise UploadRefused(
            VIRUS_SCAN_FAILED, _("The file could not be checked for viruses. Try again later.")
        ) from exc
    if signature:
        raise UploadRefused(
            VIRUS_FOUND,
            _("The file contains a virus or other malware (%(signature)s) and was refused.")
            % {"signature": signature},
        )


def as_file(data: bytes) -> io.BytesIO:
    """Small helper for callers holding bytes (the demo seed, tests)."""
    return io.BytesIO(data)
