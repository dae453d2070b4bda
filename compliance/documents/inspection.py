"""What an uploaded document holds besides its content: the active parts that the upload check
(compliance.documents.validation) refuses. Returns finding codes; the validator turns them into refusals.

PDF (pypdf): every object of the file is read, all those in the cross-reference table (also the ones
no page refers to) and everything reachable from the trailer, and each dictionary is judged on its own:

- JavaScript anywhere: a JavaScript action (on opening the document or a page, on a link, on a form
  field's keystroke, in the /Next of another action), a /JS entry, the document's JavaScript names tree;
- a Launch action (starts a program);
- embedded files: the /EmbeddedFiles names tree, file specifications with /EF, file-attachment
  annotations, GoToE actions;
- XFA forms (/XFA in the AcroForm);
- other active content: actions that send or fetch data (SubmitForm, ImportData, GoToR), media
  (Movie, Sound, Rendition, RichMedia, 3D), and automatic actions (on opening the document or a page)
  that do more than go to a page. Links to web addresses (URI actions) that the reader clicks are fine.

Names are compared as pypdf decodes them, so ``/J#61vaScript`` is ``/JavaScript``.

Office files are inspected as zips with the standard library, no oletools: every part is a zip member,
and the dangers are in the relationships and the parts themselves, not in an OLE stream we would have
to parse (an OLE compound file inside an OOXML or ODF package is refused as a whole):

- a relationship with TargetMode="External" to another computer: an attached template (Word fetches
  ``settings.xml.rels``' attachedTemplate when the file opens), a picture, frame or sub-document; an
  external-link part or a data connection in a workbook. Hyperlinks (followed only when clicked) and
  templates on the author's own disk (``C:\\...\\Normal.dotm``, written by Word everywhere) are fine; a
  template on a network share (``\\\\server\\...``) is another computer, as an attacker's would be;
- embedded objects: any oleObject relationship, OLE compound files, programs (by their bytes or their
  name) in any part, anything in an ``embeddings/`` folder that is not itself a clean Office package
  (an Excel workbook behind a Word chart is checked like an upload);
- DDE: a DDE or DDEAUTO field in Word (w:instrText, also split over runs, or w:fldSimple), a ddeLink in
  a workbook's external links or a DDE formula (``=cmd|'/c calc'!A0``) in a cell, DDE connections in
  OpenDocument files.
"""

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO
from xml.etree import ElementTree

from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject

PDF_JAVASCRIPT = "pdf_javascript"
PDF_LAUNCH_ACTION = "pdf_launch_action"
PDF_EMBEDDED_FILE = "pdf_embedded_file"
PDF_XFA_FORM = "pdf_xfa_form"
PDF_ACTIVE_CONTENT = "pdf_active_content"
OFFICE_EXTERNAL_TEMPLATE = "office_external_template"
OFFICE_EMBEDDED_OBJECT = "office_embedded_object"
OFFICE_DDE_FIELD = "office_dde_field"
OFFICE_EXTERNAL_LINK = "office_external_link"

# When a file has several findings, the first of these is reported.
PDF_FINDINGS = (PDF_JAVASCRIPT, PDF_LAUNCH_ACTION, PDF_EMBEDDED_FILE, PDF_XFA_FORM, PDF_ACTIVE_CONTENT)
OFFICE_FINDINGS = (
    OFFICE_DDE_FIELD,
    OFFICE_EMBEDDED_OBJECT,
    OFFICE_EXTERNAL_TEMPLATE,
    OFFICE_EXTERNAL_LINK,
)

MAX_PDF_OBJECTS = 100_000
MAX_OFFICE_ENTRIES = 5000
MAX_OFFICE_RATIO = 100  # uncompressed / compressed, as for the upload itself
MAX_EMBEDDED_PACKAGE = 32 * 1024 * 1024
MAX_NESTING = 2  # a package in a package in the upload
CHUNK = 1024 * 1024


class Uninspectable(Exception):
    """The file could not be read to its end (damaged, or too large or deep to check)."""


def ordered(findings: Iterable[str], order: tuple[str, ...]) -> list[str]:
    found = set(findings)
    return [code for code in order if code in found]


# --------------------------------------------------------------------------- PDF

ACTIONS = {
    "/JavaScript": PDF_JAVASCRIPT,
    "/Launch": PDF_LAUNCH_ACTION,
    "/GoToE": PDF_EMBEDDED_FILE,
    "/SubmitForm": PDF_ACTIVE_CONTENT,
    "/ImportData": PDF_ACTIVE_CONTENT,
    "/GoToR": PDF_ACTIVE_CONTENT,
    "/Movie": PDF_ACTIVE_CONTENT,
    "/Sound": PDF_ACTIVE_CONTENT,
    "/Rendition": PDF_ACTIVE_CONTENT,
    "/RichMediaExecute": PDF_ACTIVE_CONTENT,
}
ANNOTATIONS = {
    "/FileAttachment": PDF_EMBEDDED_FILE,
    "/RichMedia": PDF_ACTIVE_CONTENT,
    "/Movie": PDF_ACTIVE_CONTENT,
    "/Sound": PDF_ACTIVE_CONTENT,
    "/Screen": PDF_ACTIVE_CONTENT,
    "/3D": PDF_ACTIVE_CONTENT,
}
KEYS = {
    "/JS": PDF_JAVASCRIPT,
    "/JavaScript": PDF_JAVASCRIPT,  # the names tree of document-level scripts
    "/EmbeddedFiles": PDF_EMBEDDED_FILE,
    "/EF": PDF_EMBEDDED_FILE,
    "/XFA": PDF_XFA_FORM,
    "/RichMediaContent": PDF_ACTIVE_CONTENT,
}
# What an automatic action (the document's OpenAction, any /AA trigger) may do without a click.
HARMLESS_AUTOMATIC = {"/GoTo", "/Named"}


def pdf_findings(reader: PdfReader) -> list[str]:
    """The active content of an (unencrypted) PDF, most serious first; empty when there is none."""
    findings: set[str] = set()
    try:
        for obj in _pdf_objects(reader):
            for dictionary in _dictionaries(obj):
                findings.update(_judge(dictionary))
    except Uninspectable:
        raise
    except Exception as exc:  # pypdf raises many kinds on broken input
        raise Uninspectable(str(exc)) from exc
    return ordered(findings, PDF_FINDINGS)


def _pdf_objects(reader: PdfReader) -> Iterator[PdfObject]:
    """The trailer, then every indirect object: those in the cross-reference table and any other one
    that is referred to (each once)."""
    numbers = {(idnum, generation) for generation, table in reader.xref.items() for idnum in table}
    numbers |= {(idnum, 0) for idnum in reader.xref_objStm}
    if len(numbers) > MAX_PDF_OBJECTS:
        raise Uninspectable(f"more than {MAX_PDF_OBJECTS} objects")
    pending = sorted(numbers)
    seen: set[tuple[int, int]] = set()
    yield reader.trailer
    pending.extend(_references(reader.trailer))
    while pending:
        idnum, generation = pending.pop()
        if (idnum, generation) in seen:
            continue
        seen.add((idnum, generation))
        if len(seen) > MAX_PDF_OBJECTS:
            raise Uninspectable(f"more than {MAX_PDF_OBJECTS} objects")
        obj = reader.get_object(IndirectObject(idnum, generation, reader))
        if obj is None:
            continue
        yield obj
        pending.extend(ref for ref in _references(obj) if ref not in seen)


def _children(obj: PdfObject) -> Iterator[PdfObject]:
    if isinstance(obj, DictionaryObject):
        yield from obj.values()
    elif isinstance(obj, ArrayObject):
        yield from obj


def _direct(obj: PdfObject) -> Iterator[PdfObject]:
    """The object and every direct object nested in it (indirect references are not followed)."""
    stack = [obj]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(child for child in _children(current) if not isinstance(child, IndirectObject))


def _references(obj: PdfObject) -> Iterator[tuple[int, int]]:
    for current in _direct(obj):
        for child in _children(current):
            if isinstance(child, IndirectObject):
                yield (child.idnum, child.generation)


def _dictionaries(obj: PdfObject) -> Iterator[DictionaryObject]:
    return (current for current in _direct(obj) if isinstance(current, DictionaryObject))


def _value(dictionary: DictionaryObject, key: str) -> PdfObject | None:
    """The entry, an indirect reference followed (a name may be stored as an object of its own)."""
    try:
        return dictionary[key]  # DictionaryObject.__getitem__ follows references; .get() does not
    except KeyError:
        return None


def _judge(dictionary: DictionaryObject) -> set[str]:
    found = {code for key, code in KEYS.items() if key in dictionary}
    kind = _value(dictionary, "/Type")
    action = _value(dictionary, "/S")
    subtype = _value(dictionary, "/Subtype")
    if kind == "/EmbeddedFile":
        found.add(PDF_EMBEDDED_FILE)
    if kind in (None, "/Action") and isinstance(action, str) and action in ACTIONS:
        found.add(ACTIONS[action])
    if isinstance(subtype, str) and subtype in ANNOTATIONS:
        found.add(ANNOTATIONS[subtype])
    automatic = [_value(dictionary, "/OpenAction")]
    additional = _value(dictionary, "/AA")
    if isinstance(additional, DictionaryObject):
        automatic.extend(additional.values())
    if any(_does_more_than_go_to(action) for action in automatic if action is not None):
        found.add(PDF_ACTIVE_CONTENT)
    return found


def _does_more_than_go_to(action: PdfObject) -> bool:
    """An automatic action (or one in its /Next chain) other than going to a page."""
    pending = [action]
    seen: set[tuple[int, int]] = set()
    while pending:
        reference = pending.pop()
        if isinstance(reference, IndirectObject):
            if (reference.idnum, reference.generation) in seen:
                continue  # a /Next chain that loops
            seen.add((reference.idnum, reference.generation))
        current = reference.get_object()
        if isinstance(current, ArrayObject):
            # a list of actions (/Next [a b]), or a destination ([page /Fit]: no action in it)
            pending.extend(item for item in current if _is_action(item.get_object()))
        elif isinstance(current, DictionaryObject):
            if _value(current, "/S") not in HARMLESS_AUTOMATIC:
                return True
            if "/Next" in current:
                pending.append(current.raw_get("/Next"))  # the reference itself: loops are recognised
    return False


def _is_action(obj: PdfObject | None) -> bool:
    return isinstance(obj, DictionaryObject) and "/S" in obj


# --------------------------------------------------------------------------- Office (OOXML and ODF)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NATIVE_CODE_MAGIC = (
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"dex\n",
)
PROGRAM_EXTENSIONS = (
    ".exe",
    ".dll",
    ".scr",
    ".com",
    ".cpl",
    ".pif",
    ".msi",
    ".bat",
    ".cmd",
    ".ps1",
    ".vbs",
    ".vbe",
    ".js",
    ".jse",
    ".wsf",
    ".wsh",
    ".hta",
    ".lnk",
    ".jar",
    ".reg",
)
LOCAL_PATH = re.compile(r"^(file:/{0,3})?[a-z]:[\\/]|^(?![a-z][a-z0-9+.-]*:)(?![\\/]{2})", re.IGNORECASE)
DDE_KEYWORD = re.compile(r"""^[\s"']*DDE(AUTO)?\b|\bDDEAUTO\b""", re.IGNORECASE)
EXCEL_STRING = re.compile(r'"(?:[^"]|"")*"')
ODF_DDE = {"dde-connection-decl", "dde-connection-decls", "dde-link", "dde-links", "dde-source"}
EXTERNAL_LINK_PARTS = ("xl/externallinks/", "xl/connections.xml")


def office_findings(archive: zipfile.ZipFile) -> list[str]:
    """The active content of an OOXML or ODF package, most serious first; empty when there is none."""
    try:
        findings = set(_package_findings(archive, depth=0))
    except Uninspectable:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        ElementTree.ParseError,
        EOFError,
        OSError,
        ValueError,
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,
        struct.error,
    ) as exc:
        raise Uninspectable(str(exc)) from exc
    return ordered(findings, OFFICE_FINDINGS)


def _package_findings(archive: zipfile.ZipFile, depth: int) -> Iterator[str]:
    infos = [info for info in archive.infolist() if not info.is_dir()]
    packages = {name.lower() for name in _internal_package_targets(archive, infos)}
    for info in infos:
        name = info.filename.lower()
        head = _head(archive, info)
        if name.endswith(PROGRAM_EXTENSIONS) or _is_program(head) or head.startswith(OLE_MAGIC):
            yield OFFICE_EMBEDDED_OBJECT
        elif "embeddings/" in f"/{name}" or name in packages:
            yield from _embedded_package(archive, info, head, depth)
        if name.endswith(".rels"):
            yield from _relationship_findings(archive, info)
        elif name.startswith(EXTERNAL_LINK_PARTS):
            yield OFFICE_DDE_FIELD if _has_element(archive, info, {"ddeLink"}) else OFFICE_EXTERNAL_LINK
        elif _has_dde(archive, info, name):
            yield OFFICE_DDE_FIELD


def _has_dde(archive: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> bool:
    """A DDE field or formula in a Word, Excel or OpenDocument part (parsed only when a quick look at
    its bytes finds what such a construct needs)."""
    if not name.endswith(".xml"):
        return False
    if name.startswith("word/"):
        return _contains(archive, info, b"instr") and _word_has_dde(archive, info)
    if name.startswith("xl/"):
        return _contains(archive, info, b"|") and _workbook_has_dde_formula(archive, info)
    if name in ("content.xml", "styles.xml"):
        return _contains(archive, info, b"dde-") and _has_element(archive, info, ODF_DDE)
    return False


def _head(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 4096) -> bytes:
    with archive.open(info) as part:
        return part.read(size)


def _is_program(head: bytes) -> bool:
    if head.startswith(NATIVE_CODE_MAGIC):
        return True
    if head.startswith(b"MZ") and len(head) >= 0x40:
        (offset,) = struct.unpack_from("<I", head, 0x3C)
        return head[offset : offset + 4] == b"PE\x00\x00" or b"This program cannot be run in DOS mode" in head
    return False


def _embedded_package(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, head: bytes, depth: int
) -> Iterator[str]:
    """An embedded part is allowed only when it is an Office package without findings of its own."""
    if not head.startswith(b"PK\x03\x04") or depth >= MAX_NESTING or info.file_size > MAX_EMBEDDED_PACKAGE:
        yield OFFICE_EMBEDDED_OBJECT
        return
    try:
        inner = zipfile.ZipFile(io.BytesIO(archive.read(info)))
    except zipfile.BadZipFile:
        yield OFFICE_EMBEDDED_OBJECT
        return
    with inner:
        inner_infos = inner.infolist()
        if len(inner_infos) > MAX_OFFICE_ENTRIES or sum(
            i.file_size for i in inner_infos
        ) > MAX_OFFICE_RATIO * max(info.file_size, 1):
            raise Uninspectable("embedded package too large")
        names = {i.filename.lower() for i in inner_infos}
        if "[content_types].xml" not in names and "mimetype" not in names:
            yield OFFICE_EMBEDDED_OBJECT  # a plain zip, not an Office package
            return
        if any(n.endswith("vbaproject.bin") or n.startswith(("basic/", "scripts/")) for n in names):
            yield OFFICE_EMBEDDED_OBJECT  # a package with macros
        yield from _package_findings(inner, depth + 1)


def _relationships(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[tuple[str, str, bool]]:
    """(type, target, external) of each relationship in a .rels part."""
    for element in _elements(archive, info, {"Relationship"}):
        kind = element.get("Type", "").rsplit("/", 1)[-1]
        external = element.get("TargetMode", "").lower() == "external"
        yield kind, element.get("Target", ""), external


def _relationship_findings(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[str]:
    for kind, target, external in _relationships(archive, info):
        if kind == "oleObject":
            yield OFFICE_EMBEDDED_OBJECT
        elif not external or kind == "hyperlink":
            continue
        elif kind.startswith("externalLink"):
            yield OFFICE_EXTERNAL_LINK
        elif _is_remote(target):
            yield OFFICE_EXTERNAL_TEMPLATE if kind == "attachedTemplate" else OFFICE_EXTERNAL_LINK


def _is_remote(target: str) -> bool:
    """Another computer (a web address, a network share); not a path on the author's own disk."""
    return not LOCAL_PATH.match(target.strip())


def _internal_package_targets(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> Iterator[str]:
    """The parts that a 'package' relationship points to (embedded packages, wherever they are)."""
    for info in infos:
        name = info.filename
        if not name.lower().endswith(".rels"):
            continue
        folder = name.rsplit("_rels/", 1)[0] if "_rels/" in name else ""
        for kind, target, external in _relationships(archive, info):
            if kind == "package" and not external:
                yield _resolve(folder, target)


def _resolve(folder: str, target: str) -> str:
    parts = [] if target.startswith("/") else [p for p in folder.split("/") if p]
    for piece in target.lstrip("/").split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _contains(archive: zipfile.ZipFile, info: zipfile.ZipInfo, needle: bytes) -> bool:
    """Whether the part's bytes contain ``needle`` (read in chunks; a cheap filter before parsing)."""
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(CHUNK):
            if needle in tail + chunk[: len(needle)] or needle in chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _attribute(element: ElementTree.Element, name: str) -> str:
    return next((value for key, value in element.attrib.items() if _local(key) == name), "")


def _parse(part: IO[bytes]) -> Iterator[tuple[str, ElementTree.Element]]:
    """Streaming events; each element is dropped from its parent once it ended, so memory stays small
    however long the part (a consumer reads an element's attributes at its start or end, and its own
    text at its end)."""
    open_elements: list[ElementTree.Element] = []
    for event, element in ElementTree.iterparse(part, events=("start", "end")):
        if event == "start":
            open_elements.append(element)
            yield event, element
        else:
            yield event, element
            open_elements.pop()
            if open_elements:
                open_elements[-1].remove(element)


def _elements(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, names: set[str]
) -> Iterator[ElementTree.Element]:
    with archive.open(info) as part:
        for event, element in _parse(part):
            if event == "end" and _local(element.tag) in names:
                yield element


def _has_element(archive: zipfile.ZipFile, info: zipfile.ZipInfo, names: set[str]) -> bool:
    return any(True for _ in _elements(archive, info, names))


def _word_has_dde(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A DDE/DDEAUTO field: its instruction is the text of the instrText runs between the field's
    begin and its end (fields nest), or the instr attribute of a fldSimple."""
    open_fields: list[list[str]] = []
    with archive.open(info) as part:
        for event, element in _parse(part):
            tag = _local(element.tag)
            instruction = None
            if tag == "fldChar" and event == "start":
                kind = _attribute(element, "fldCharType")
                if kind == "begin":
                    open_fields.append([])
                elif kind == "end" and open_fields:
                    instruction = "".join(open_fields.pop())
            elif tag == "instrText" and event == "end" and open_fields:
                open_fields[-1].append(element.text or "")
            elif tag == "fldSimple" and event == "start":
                instruction = _attribute(element, "instr")
            if instruction and DDE_KEYWORD.search(instruction):
                return True
    return any(DDE_KEYWORD.search("".join(field)) for field in open_fields)


def _workbook_has_dde_formula(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """A formula (in a cell or a defined name) with ``|`` outside its strings: Excel's DDE reference
    (``application|topic!item``); ``|`` is no operator in Excel."""
    formulas = _elements(archive, info, {"f", "definedName"})
    return any("|" in EXCEL_STRING.sub("", element.text or "") for element in formulas)
