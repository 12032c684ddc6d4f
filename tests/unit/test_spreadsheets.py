"""app.spreadsheets: the one reader and writer of CSV and XLSX, and formula neutralisation."""

from __future__ import annotations

import codecs
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app import spreadsheets
from app.spreadsheets import Limits, SpreadsheetError
from app.stakeholders import transfer

WIDE = Limits(rows=1000, cells=10_000, row_cells=100, unpacked_mb=10)


def rows_of(content: bytes, filename: str, limits: Limits = WIDE) -> list[tuple[int, list]]:
    return list(spreadsheets.records(io.BytesIO(content), filename, limits))


@pytest.mark.parametrize("value", ["=1+1", "+31", "-5", "@SUM(A1)", "\tx", "\uff1dA1", " =x"])
def test_neutralise_and_undo(value):
    guarded = spreadsheets.neutralise(value)
    assert guarded == "'" + value
    assert spreadsheets.neutralise(guarded) == guarded  # twice is once
    assert spreadsheets.unneutralise(guarded) == value
    assert spreadsheets.neutralise("gewoon") == "gewoon" and spreadsheets.neutralise(7) == 7


def test_write_csv_is_dutch_excel_csv_with_formulas_neutralised():
    content = spreadsheets.write_csv([["naam", "datum"], ["=HYPERLINK(1)", date(2027, 12, 31)]])
    assert content.startswith(codecs.BOM_UTF8)
    assert content.decode("utf-8-sig") == "naam;datum\r\n'=HYPERLINK(1);31-12-2027\r\n"


def test_write_xlsx_keeps_text_as_text_and_reads_back():
    content = spreadsheets.write_xlsx([["naam", "datum"], ["=1+1", date(2027, 12, 31)]],
                                      "Een heel lange titel van meer dan eenendertig tekens")
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.active
    assert sheet.title == "Een heel lange titel van meer d"  # Excel's 31 characters
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=1+1"
    assert sheet["B2"].number_format == "DD-MM-YYYY"
    assert rows_of(content, "lijst.xlsx") == [(1, ["naam", "datum"]),
                                              (2, ["=1+1", date(2027, 12, 31)])]


def test_csv_records_follow_the_sep_hint_and_the_encoding():
    content = "sep=,\r\nnaam,plaats\r\nJosé,Koersdam\r\n".encode("cp1252")
    assert rows_of(content, "lijst.CSV") == [(2, ["naam", "plaats"]), (3, ["José", "Koersdam"])]


def test_refusals_carry_codes_and_a_general_message(app):
    with pytest.raises(SpreadsheetError) as refused:
        spreadsheets.records(io.BytesIO(b"naam\n"), "lijst.pdf", WIDE)
    assert refused.value.problems == [("file_type", {})] and refused.value.field == "file"
    narrow = Limits(rows=2, cells=100, row_cells=10, unpacked_mb=1)
    with app.test_request_context(), pytest.raises(SpreadsheetError) as refused:
        rows_of(b"naam\na\nb\nc\n", "lijst.csv", narrow)
    assert refused.value.problems == [("too_many_rows", {"limit": 2})]
    words = refused.value.message
    assert "2" in words and "stakeholders" not in words and "betrokkenen" not in words


def test_the_register_words_a_reader_refusal_its_own_way(app):
    app.config["KOERS_IMPORT_MAX_ROWS"] = 2
    with app.test_request_context(), pytest.raises(transfer.ImportFileError) as refused:
        transfer.read(b"naam\na\nb\nc\n", "lijst.csv")
    assert refused.value.problems == [("too_many_rows", {"limit": 2})]
    assert "betrokkenen" in refused.value.message  # the register's own words (Dutch)
