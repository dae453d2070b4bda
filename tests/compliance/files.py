"""Small real files for upload tests, built in memory: valid ones of each allowed type and one of each
kind that must be refused."""

import io
import zipfile

CONTENT_TYPES_DOCX = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
CONTENT_TYPES_DOCM = CONTENT_TYPES_DOCX.replace(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroEnabled.main+xml",
)
CONTENT_TYPES_XLSX = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
CONTENT_TYPES_XLSM = CONTENT_TYPES_XLSX.replace(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
)


def pdf(text: str = "Antidiscriminatiebeleid") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="geheim", owner_password="geheim")  # RC4-128: no extra library
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    from pypdf import PdfWriter
    from pypdf.actions import JavaScript

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('hallo');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF"


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), (30, 30, 200)).save(out, format="JPEG")
    return out.getvalue()


def _zip(entries: dict[str, str | bytes], *, first: tuple[str, str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1])  # stored, first (ODF mimetype)
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES_DOCX, "word/document.xml": "<w:document/>"})


def docm() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES_DOCM,
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
        }
    )


def docx_with_hidden_macros() -> bytes:
    """A .docx content type, but with a VBA project inside (renamed .docm)."""
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES_DOCX,
            "word/document.xml": "<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro",
        }
    )


def xlsx() -> bytes:
    return _zip({"[Content_Types].xml": CONTENT_TYPES_XLSX, "xl/workbook.xml": "<workbook/>"})


def xlsm() -> bytes:
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES_XLSM,
            "xl/workbook.xml": "<workbook/>",
            "xl/vbaProject.bin": b"macro",
        }
    )


def odt() -> bytes:
    return _zip(
        {"content.xml": "<office:document-content/>", "META-INF/manifest.xml": "<manifest/>"},
        first=("mimetype", "application/vnd.oasis.opendocument.text"),
    )


def odt_with_macros() -> bytes:
    return _zip(
        {"content.xml": "<office:document-content/>", "Basic/Standard/Module1.xml": "<script/>"},
        first=("mimetype", "application/vnd.oasis.opendocument.text"),
    )


def plain_zip() -> bytes:
    return _zip({"jaarrekening.pdf": pdf(), "notes.txt": "zie bijlage"})


def exe() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 48
        + b"PE\x00\x00"
        + b"\x00" * 64
    )


def shell_script() -> bytes:
    return b"#!/bin/sh\nrm -rf /\n"


def legacy_doc() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def encrypted_docx() -> bytes:
    return (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + b"\x00" * 100
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 100
    )


def html() -> bytes:
    return b"<html><body><script>alert(1)</script></body></html>"


EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
