"""The import readers are bounded: rows, cells per row and in total, and what an XLSX unpacks
to. A zip bomb — a small file whose sheet unfolds into hundreds of MB of rows — is refused
in seconds with little memory, naming the limit it passed."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from app.config import build_settings
from app.errors import ConfigError
from app.stakeholders import transfer
from app.stakeholders.transfer import ImportFileError
from app.storage import storage
from tests.spreadsheets import BOMB_ROW, HEADER_ROW, bomb_bytes, workbook_parts


def problems(error: pytest.ExceptionInfo[ImportFileError]) -> list[str]:
    return [code for code, _params in error.value.problems]


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bomb") / "bom.xlsx"
    path.write_bytes(bomb_bytes())
    return path


def refused_quickly(app, path: Path) -> tuple[list[str], float, float]:
    """Read ``path`` as a stored upload: (problem codes, seconds, peak MB traced)."""
    storage().write(f"{transfer.UPLOAD_FOLDER}/{path.name}", path.read_bytes())
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(ImportFileError) as error:
            transfer.read_stored(f"{transfer.UPLOAD_FOLDER}/{path.name}")
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    finally:
        tracemalloc.stop()
    return problems(error), seconds, peak


def test_the_limits_are_instance_settings(tmp_path):
    environ = {"KOERS_INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x" * 32}
    config = build_settings(environ)
    assert (config["KOERS_IMPORT_MAX_ROWS"], config["KOERS_IMPORT_MAX_CELLS"],
            config["KOERS_IMPORT_MAX_ROW_CELLS"], config["KOERS_IMPORT_MAX_UNPACKED_MB"],
            config["KOERS_IMPORT_STEP_ROWS"]) == (250_000, 5_000_000, 200, 300, 250)
    config = build_settings({**environ, "KOERS_IMPORT_MAX_ROWS": "1000",
                             "KOERS_IMPORT_MAX_UNPACKED_MB": "50"})
    assert config["KOERS_IMPORT_MAX_ROWS"] == 1000
    assert config["KOERS_IMPORT_MAX_UNPACKED_MB"] == 50
    with pytest.raises(ConfigError) as error:
        build_settings({**environ, "KOERS_IMPORT_MAX_CELLS": "0"})
    assert error.value.key == "KOERS_IMPORT_MAX_CELLS"


def test_a_zip_bomb_is_refused_by_its_declared_size_at_once(app, bomb):
    assert bomb.stat().st_size < 2 * 1024 * 1024
    codes, seconds, peak = refused_quickly(app, bomb)
    assert codes == ["too_much_unpacked"]
    assert seconds < 2 and peak < 20, (seconds, peak)


def test_a_zip_bomb_under_the_unpacked_limit_stops_at_the_row_limit(app, bomb):
    # As if the archive passed the size check: streaming stops at the first limit passed.
    app.config["KOERS_IMPORT_MAX_UNPACKED_MB"] = 1000
    app.config["KOERS_IMPORT_MAX_ROWS"] = 50_000
    codes, seconds, peak = refused_quickly(app, bomb)
    assert codes == ["too_many_rows"]
    assert seconds < 5 and peak < 20, (seconds, peak)
    with pytest.raises(ImportFileError) as error:
        transfer.read_stored(f"{transfer.UPLOAD_FOLDER}/{bomb.name}")
    assert "meer dan 50000 rijen" in error.value.message  # the instance speaks Dutch


def test_a_zip_that_lies_about_its_size_is_refused(app):
    data = workbook_parts(lambda sheet: (sheet.write(HEADER_ROW),
                                         sheet.write(BOMB_ROW * 200_000)))
    archive = zipfile.ZipFile(io.BytesIO(data))
    real = archive.getinfo("xl/worksheets/sheet1.xml").file_size
    # Claim 1,000 bytes in the central directory: unpacking stops there and fails.
    lying = bytearray(data)
    directory = lying.rfind(b"PK\x01\x02")  # the sheet's entry, written last
    assert lying[directory + 46:directory + 70] == b"xl/worksheets/sheet1.xml"
    assert int.from_bytes(lying[directory + 24:directory + 28], "little") == real
    lying[directory + 24:directory + 28] = (1000).to_bytes(4, "little")
    with pytest.raises(ImportFileError) as error:
        transfer.read(bytes(lying), "lijst.xlsx")
    assert problems(error) == ["not_xlsx"]


def csv_rows(count: int, columns: int = 2) -> bytes:
    header = ";".join(["naam", "e-mail", *[""] * (columns - 2)])
    lines = [header] + [";".join([f"Persoon {n}", f"p{n}@example.nl", *[""] * (columns - 2)])
                        for n in range(count)]
    return ("\r\n".join(lines) + "\r\n").encode()


def xlsx_rows(count: int, far_column: int | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["naam", "e-mail"])
    for n in range(count):
        sheet.append([f"Persoon {n}", f"p{n}@example.nl"])
    if far_column:
        sheet.cell(row=2, column=far_column, value="verdwaald")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name", ["lijst.csv", "lijst.xlsx"])
def test_the_row_limit(app, name):
    app.config["KOERS_IMPORT_MAX_ROWS"] = 100
    content = csv_rows if name.endswith(".csv") else xlsx_rows
    assert len(transfer.read(content(100), name).rows) == 100
    with pytest.raises(ImportFileError) as error:
        transfer.read(content(101), name)
    assert problems(error) == ["too_many_rows"]
    assert "meer dan 100 rijen" in error.value.message


def test_the_cells_per_row_limit(app):
    app.config["KOERS_IMPORT_MAX_ROW_CELLS"] = 20
    assert transfer.read(csv_rows(3, columns=20), "lijst.csv").rows
    with pytest.raises(ImportFileError) as error:
        transfer.read(csv_rows(3, columns=21), "lijst.csv")
    assert problems(error) == ["too_many_row_cells"]
    assert "meer dan 20 cellen" in error.value.message
    # in a workbook a cell far to the right is enough: the row would be that wide
    with pytest.raises(ImportFileError) as error:
        transfer.read(xlsx_rows(3, far_column=21), "lijst.xlsx")
    assert problems(error) == ["too_many_row_cells"]
    assert error.value.problems[0][1]["row"] == 2


@pytest.mark.parametrize("name", ["lijst.csv", "lijst.xlsx"])
def test_the_total_cells_limit(app, name):
    app.config["KOERS_IMPORT_MAX_CELLS"] = 100
    content = csv_rows if name.endswith(".csv") else xlsx_rows
    assert transfer.read(content(40), name).rows  # 82 cells with the header
    with pytest.raises(ImportFileError) as error:
        transfer.read(content(60), name)
    assert problems(error) == ["too_many_cells"]


def test_shared_strings_dates_and_a_1904_workbook(app):
    workbook = Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(["naam", "bewaren_tot", "telefoon", "notities"])
    sheet.append(["Zoë", date(2031, 5, 6), 612345678, 1.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    [(number, row)] = transfer.read(buffer.getvalue(), "lijst.xlsx").rows
    assert number == 2
    assert row == {"name": "Zoë", "retention_until": date(2031, 5, 6), "phone": "612345678",
                   "notes": "1.5"}


def test_a_workbook_with_a_dtd_is_refused(app):
    data = workbook_parts(lambda sheet: None)
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/workbook.xml":
                content = (b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>'
                           + content)
            target.writestr(info.filename, content)
    with pytest.raises(ImportFileError) as error:
        transfer.read(buffer.getvalue(), "lijst.xlsx")
    assert problems(error) == ["not_xlsx"]
