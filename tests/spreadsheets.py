"""Spreadsheets made by hand for tests of the import readers: minimal XLSX files whose sheet
XML a test writes itself, such as a zip bomb (a small file that unfolds into hundreds of MB)."""

from __future__ import annotations

import io
import zipfile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def workbook_parts(sheet_writer, *, compresslevel: int = 6) -> bytes:
    """A minimal XLSX whose first sheet ``sheet_writer(stream)`` writes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", f'<Relationships xmlns="{PKG}"><Relationship Id="rId1" '
                   f'Type="{RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        z.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
                   '<sheet name="Blad1" sheetId="1" r:id="rId1"/></sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f'<Relationships xmlns="{PKG}"><Relationship '
                   f'Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
                   "</Relationships>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            sheet_writer(sheet)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


HEADER_ROW = b'<row r="1"><c r="A1" t="inlineStr"><is><t>naam</t></is></c></row>'
BOMB_ROW = b'<row><c t="inlineStr"><is><t>Jan</t></is></c></row>'


def bomb_bytes(blocks: int = 380) -> bytes:
    """About 1 MB on disk, 390 MB of rows unpacked with the default: under the old guard
    (20 x the 20 MB upload limit)."""
    block = BOMB_ROW * 20_000

    def rows(sheet) -> None:
        sheet.write(HEADER_ROW)
        for _ in range(blocks):
            sheet.write(block)

    return workbook_parts(rows)
