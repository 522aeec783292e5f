""".xlsx files written by hand, byte by byte, for the attacks openpyxl would never produce itself."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

SHEET_XML = "xl/worksheets/sheet1.xml"
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PACKAGE = "application/vnd.openxmlformats-package"


def far_cell_xlsx(ref: str) -> bytes:
    """A one-sheet workbook whose only cell is `ref` (e.g. XFD20000), with a matching dimension."""
    row = re.sub(r"[A-Z]", "", ref)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{_PACKAGE}.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
            f'<Override PartName="/{SHEET_XML}" ContentType="{_TYPE}.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_DOC}">'
            '<sheets><sheet name="Báo cáo" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_RELS}">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>"
        ),
        SHEET_XML: (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
            f'<dimension ref="A1:{ref}"/><sheetData><row r="{row}">'
            f'<c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return out.getvalue()


def rewritten(data: bytes, member: str, change: Callable[[bytes], bytes]) -> bytes:
    """The workbook `data` with one member's bytes changed (e.g. cut short)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in source.namelist():
            content = source.read(name)
            archive.writestr(name, change(content) if name == member else content)
    return out.getvalue()


def with_far_cell(template: bytes, ref: str) -> bytes:
    """A template (openpyxl's output) with one more cell at `ref` and the dimension stretched to it."""
    row = re.sub(r"[A-Z]", "", ref)

    def stretch(xml: bytes) -> bytes:
        xml = re.sub(rb'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{ref}"/>'.encode(), xml)
        cell = f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
        return xml.replace(b"</sheetData>", cell.encode(), 1)

    return rewritten(template, SHEET_XML, stretch)


def with_sheet_rows(template: bytes, rows_xml: str) -> bytes:
    """A template with raw XML appended to its sheet data (e.g. millions of empty elements)."""
    return rewritten(
        template, SHEET_XML, lambda xml: xml.replace(b"</sheetData>", f"{rows_xml}</sheetData>".encode(), 1)
    )
