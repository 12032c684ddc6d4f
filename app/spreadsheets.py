"""Spreadsheets in and out, as Dutch Excel reads and writes them: one module for every list
the house imports or exports (the stakeholder register, a plan's history).

* **Reading** (:func:`records`): a CSV file in UTF-8 (with or without BOM) or Windows-1252,
  with ``;``, ``,`` or a tab as the delimiter (or Excel's ``sep=`` hint), or the first sheet
  of an XLSX workbook. Streaming, and refused with a :class:`SpreadsheetError` the moment the
  file passes a :class:`Limits` bound (rows, cells, unpacked bytes): a zip bomb costs
  seconds, not gigabytes.
* **Writing** (:func:`write_csv`, :func:`write_xlsx`): UTF-8 with BOM and ``;`` for CSV, text
  cells as text (never a formula) for XLSX.
* **Formula neutralisation** (:func:`neutralise`): text a spreadsheet would run as a formula
  gets a leading ``'``; :func:`unneutralise` undoes it, so an exported file imports the same
  values again.

Refusals carry a code with parameters (:attr:`SpreadsheetError.problems`), so a job can store
them without a value from the file and show them later in the reader's language.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import posixpath
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO
from xml.parsers import expat

from flask import current_app

from app.errors import DomainError
from app.translate import lazy_gettext as _l

EXTENSIONS = (".csv", ".xlsx")

# Stored as a code with parameters, translated when shown: the reader's language, no values.
MESSAGES: dict[str, Any] = {
    "file_type": _l("Only CSV files (.csv) and Excel workbooks (.xlsx) can be imported."),
    "empty": _l("The file is empty: it needs a header row and at least one row below it."),
    "encoding": _l("The file cannot be read as text. Save it from Excel as “CSV UTF-8 "
                   "(comma delimited)” or “CSV (semicolon delimited)” and upload it again."),
    "not_csv": _l("The file is not a readable CSV file. Save it from Excel as CSV and upload "
                  "it again."),
    "not_xlsx": _l("The file is not a readable Excel workbook (.xlsx). Save it again from "
                   "Excel, or save it as CSV."),
    # limits on what a file unfolds into (KOERS_IMPORT_MAX_*); an area may word them its way
    "too_many_rows": _l("The file has more than %(limit)d rows. Split it into smaller files."),
    "too_many_cells": _l("The file has more than %(limit)d cells in all. Split it into smaller "
                         "files, or remove the columns that are not needed."),
    "too_many_row_cells": _l("Row %(row)d has more than %(limit)d cells. Remove the columns "
                             "that are not imported, also empty ones far to the right."),
    "too_much_unpacked": _l("The workbook unpacks to more than %(limit)d MB. Save it again "
                            "from Excel, or save it as CSV."),
}


def message(code: str, params: dict[str, Any] | None = None) -> str:
    """The translated text of a stored problem (its code when unknown)."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % params if params else str(template)


class SpreadsheetError(DomainError):
    """The file as a whole cannot be read: ``problems`` lists (code, parameters)."""

    def __init__(self, problems: Sequence[tuple[str, dict[str, Any]]]) -> None:
        self.problems = [(code, dict(params)) for code, params in problems]
        super().__init__(" ".join(self.describe(code, params)
                                  for code, params in self.problems), field="file")

    @staticmethod
    def describe(code: str, params: dict[str, Any]) -> str:
        return message(code, params)


def refuse(code: str, **params: Any) -> SpreadsheetError:
    return SpreadsheetError([(code, params)])


# --- reading --------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not) when the bytes are valid UTF-8, otherwise Windows-1252 — what Excel
    writes on Dutch Windows. Bytes that are neither, or control characters (a binary file, a
    UTF-16 export), are refused."""
    try:
        text = data.decode("utf-8-sig") if data.startswith(codecs.BOM_UTF8) \
            else data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise refuse("encoding") from error
    if _CONTROL.search(text):
        raise refuse("encoding")
    return text


def _delimiter(first_line: str) -> str:
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Limits:
    """What one uploaded file may unfold into: a zip bomb is small on disk, so the file size
    alone says little (``KOERS_IMPORT_MAX_*``). Far above any municipal list."""

    rows: int
    cells: int
    row_cells: int
    unpacked_mb: int

    @classmethod
    def configured(cls) -> Limits:
        config = current_app.config
        return cls(rows=int(config["KOERS_IMPORT_MAX_ROWS"]),
                   cells=int(config["KOERS_IMPORT_MAX_CELLS"]),
                   row_cells=int(config["KOERS_IMPORT_MAX_ROW_CELLS"]),
                   unpacked_mb=int(config["KOERS_IMPORT_MAX_UNPACKED_MB"]))


class _Budget:
    """Counts what a reader takes from a file and refuses the moment a limit is passed, so a
    hostile file costs no more time and memory than the largest file allowed."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.rows = self.cells = self.unpacked = 0

    def row(self, cells: int, width: int | None = None) -> None:
        if max(cells, width or 0) > self.limits.row_cells:
            raise refuse("too_many_row_cells", row=self.rows + 1, limit=self.limits.row_cells)
        self.rows += 1
        if self.rows > self.limits.rows + 1:  # the header row comes on top
            raise refuse("too_many_rows", limit=self.limits.rows)
        self.cells += cells
        if self.cells > self.limits.cells:
            raise refuse("too_many_cells", limit=self.limits.cells)

    def unpack(self, size: int) -> None:
        self.unpacked += size
        if self.unpacked > self.limits.unpacked_mb * 1024 * 1024:
            raise refuse("too_much_unpacked", limit=self.limits.unpacked_mb)


_CHUNK = 256 * 1024


def _encoding(handle: BinaryIO) -> str:
    """:func:`decode`'s choice, made reading the file in chunks: UTF-8 (BOM or not) when all
    of it is valid UTF-8, otherwise Windows-1252; control characters refuse the file."""
    bom = handle.read(3) == codecs.BOM_UTF8
    for encoding in ("utf-8-sig" if bom else "utf-8", "cp1252"):
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := handle.read(_CHUNK):
                if _CONTROL.search(decoder.decode(chunk)):
                    raise refuse("encoding")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise refuse("encoding")


def _csv_records(handle: BinaryIO, budget: _Budget) -> Iterator[tuple[int, list[Any]]]:
    encoding = _encoding(handle)
    handle.seek(0)
    text = io.TextIOWrapper(handle, encoding=encoding, newline="")
    peeked: list[str] = []
    first = ""
    for line in text:  # up to the first line with text: Excel's sep= hint or the header
        peeked.append(line)
        if line.strip():
            first = line
            break
        if len(peeked) > budget.limits.rows:
            raise refuse("too_many_rows", limit=budget.limits.rows)
    skip = 0
    match = re.fullmatch(r'"?sep=(.)"?', first.strip(), flags=re.IGNORECASE)
    if match:
        delimiter, skip = match.group(1), 1
    else:
        delimiter = _delimiter(first)
    try:
        reader = csv.reader(itertools.chain(peeked, text), delimiter=delimiter)
        for number, record in enumerate(reader, start=1):
            if number > skip:
                budget.row(len(record))
                yield number, record
    except csv.Error as error:
        raise refuse("not_csv") from error
    finally:
        with contextlib.suppress(ValueError):  # the caller closes the file, maybe already
            text.detach()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, date) else str(value)


# XLSX is read with expat straight from the zip, not with openpyxl: openpyxl loads the shared
# strings and styles whole before the first row, so a bomb hidden there costs its full size.
_MAX_PARTS = 10_000
_MAX_CELL_TEXT = 32_767  # what Excel allows in one cell
_WORKBOOK_REL = "officeDocument/2006/relationships/officeDocument"


class _Xml:
    """Streams one part of the workbook through expat: every byte unpacked is counted, no
    DTD (so no entity expansion), and element names without their prefix."""

    def __init__(self, archive: zipfile.ZipFile, name: str, budget: _Budget) -> None:
        self.archive, self.name, self.budget = archive, name, budget

    def events(self, start: Callable[[str, dict[str, str]], None],
               end: Callable[[str], None] | None = None,
               text: Callable[[str], None] | None = None) -> Iterator[None]:
        """Parse in chunks, yielding after each, so a caller can hand on what is complete."""
        # Without namespace processing (faster): names keep a prefix, if the writer used one.
        parser = expat.ParserCreate()
        parser.buffer_text = True

        def no_dtd(*_args: Any) -> None:
            raise refuse("not_xlsx")

        def started(name: str, attributes: dict[str, str]) -> None:
            if ":" in name:
                name = name.rpartition(":")[2]
            start(name, attributes)

        def ended(name: str) -> None:
            end(name.rpartition(":")[2] if ":" in name else name)  # type: ignore[misc]

        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        parser.StartElementHandler = started
        if end is not None:
            parser.EndElementHandler = ended
        if text is not None:
            parser.CharacterDataHandler = text
        try:
            with self.archive.open(self.name) as stream:
                while chunk := stream.read(_CHUNK):
                    if not self.counted:
                        self.budget.unpack(len(chunk))
                    parser.Parse(chunk, False)
                    yield
                parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, KeyError,
                NotImplementedError) as error:  # damaged, lying about sizes, or not there
            raise refuse("not_xlsx") from error
        yield

    def count(self, *groups: tuple[Sequence[bytes], int, SpreadsheetError]) -> None:
        """Count start tags in the part at C speed — unpacking it once — and refuse with a
        group's problem when its ``tokens`` pass its limit, before a slow parse begins: a
        bomb of tiny rows is refused in a second instead of minutes."""
        found, tail = [0] * len(groups), b""
        try:
            with self.archive.open(self.name) as stream:
                while chunk := stream.read(_CHUNK):
                    self.budget.unpack(len(chunk))
                    both = tail + chunk  # a tag may straddle two chunks
                    for index, (tokens, limit, problem) in enumerate(groups):
                        found[index] += sum(both.count(token) - tail.count(token)
                                            for token in tokens)
                        if found[index] > limit:
                            raise problem
                    tail = chunk[-8:]
        except (zipfile.BadZipFile, zlib.error, EOFError, KeyError,
                NotImplementedError) as error:
            raise refuse("not_xlsx") from error
        self.counted = True

    counted = False  # unpacked bytes were counted by count(): a parse does not count them again

    def parse(self, start: Callable[[str, dict[str, str]], None],
              end: Callable[[str], None] | None = None,
              text: Callable[[str], None] | None = None) -> None:
        for _chunk in self.events(start, end, text):
            pass


def _rels(archive: zipfile.ZipFile, part: str, budget: _Budget) -> dict[str, tuple[str, str]]:
    """A part's relationships: id → (type, target path inside the archive)."""
    folder, _sep, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    found: dict[str, tuple[str, str]] = {}
    if rels not in archive.NameToInfo:
        return found

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "Relationship" and attributes.get("TargetMode") != "External":
            target = attributes.get("Target", "")
            path = target[1:] if target.startswith("/") else posixpath.join(folder, target)
            found[attributes.get("Id", "")] = (attributes.get("Type", ""),
                                               posixpath.normpath(path))

    _Xml(archive, rels, budget).parse(start)
    return found


class _Workbook:
    """What the rows need from the workbook: its first worksheet, shared strings and which
    cell styles are dates."""

    def __init__(self, archive: zipfile.ZipFile, budget: _Budget) -> None:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.archive, self.budget = archive, budget
        root = _rels(archive, "", budget)
        self.path = next((target for kind, target in root.values()
                          if kind.endswith(_WORKBOOK_REL)), "xl/workbook.xml")
        sheets: list[str] = []
        self.epoch = CALENDAR_WINDOWS_1900

        def workbook(tag: str, attributes: dict[str, str]) -> None:
            if tag == "sheet":  # r:id, whatever the writer's prefix for the namespace
                sheets.append(next((value for key, value in attributes.items()
                                    if key.endswith(":id")), ""))
            elif tag == "workbookPr" and attributes.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904

        _Xml(archive, self.path, budget).parse(workbook)
        rels = _rels(archive, self.path, budget)
        worksheets = [rels[rid][1] for rid in sheets
                      if rid in rels and rels[rid][0].endswith("/worksheet")]
        if not worksheets:
            raise refuse("not_xlsx")
        self.sheet = worksheets[0]
        by_type = {kind.rpartition("/")[2]: target for kind, target in rels.values()}
        self.strings = self._strings(by_type.get("sharedStrings"))
        self.dates = self._date_styles(by_type.get("styles"))

    def _strings(self, path: str | None) -> list[str]:
        strings: list[str] = []
        if path is None or path not in self.archive.NameToInfo:
            return strings
        part = _Xml(self.archive, path, self.budget)
        limit = self.budget.limits.cells
        part.count(((b"<si>", b"<si ", b":si>", b":si "), limit,
                    refuse("too_many_cells", limit=limit)))
        parts: list[str] = []
        state = {"in_t": False, "phonetic": 0}

        def start(tag: str, _attributes: dict[str, str]) -> None:
            if tag == "si":
                parts.clear()
            elif tag == "t":
                state["in_t"] = True
            elif tag == "rPh":  # a reading aid, not part of the text
                state["phonetic"] += 1

        def end(tag: str) -> None:
            if tag == "si":
                strings.append("".join(parts))
                if len(strings) > self.budget.limits.cells:
                    raise refuse("too_many_cells", limit=self.budget.limits.cells)
            elif tag == "t":
                state["in_t"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1

        def text(data: str) -> None:
            if state["in_t"] and not state["phonetic"]:
                parts.append(data)
                if len(parts) > _MAX_CELL_TEXT or sum(map(len, parts)) > _MAX_CELL_TEXT:
                    raise refuse("not_xlsx")

        part.parse(start, end, text)
        return strings

    def _date_styles(self, path: str | None) -> set[int]:
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

        if path is None or path not in self.archive.NameToInfo:
            return set()
        formats: dict[int, str] = {}
        styles: list[int] = []
        inside: list[str] = []

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "numFmt":
                with contextlib.suppress(ValueError):
                    formats[int(attributes.get("numFmtId", ""))] = attributes.get(
                        "formatCode", "")
            elif tag == "xf" and inside and inside[-1] == "cellXfs":
                try:
                    styles.append(int(attributes.get("numFmtId", "0")))
                except ValueError:
                    styles.append(0)
            inside.append(tag)

        _Xml(self.archive, path, self.budget).parse(start, lambda _tag: inside.pop())
        return {index for index, number in enumerate(styles)
                if is_date_format(formats.get(number) or BUILTIN_FORMATS.get(number) or "")}

    def rows(self) -> Iterator[tuple[int, list[Any]]]:
        """The first sheet's rows as (row number, values by column), as they are parsed."""
        budget = self.budget
        done: list[tuple[int, list[Any]]] = []
        row: dict[int, Any] = {}
        cell: dict[str, Any] = {}
        parts: list[str] = []
        state = {"row": 0, "column": 0, "cells": 0, "text": False, "phonetic": 0}

        def start(tag: str, attributes: dict[str, str]) -> None:
            if tag == "row":
                row.clear()
                state["row"] = _int(attributes.get("r"), state["row"] + 1)
                state["column"] = state["cells"] = 0
            elif tag == "c":
                state["cells"] += 1
                reference = attributes.get("r", "")
                letters = reference.rstrip("0123456789")
                column = _column(letters) if letters else state["column"] + 1
                if column > budget.limits.row_cells or state["cells"] > budget.limits.row_cells:
                    raise refuse("too_many_row_cells", row=state["row"],
                                  limit=budget.limits.row_cells)
                state["column"] = column
                cell.clear()
                cell.update(type=attributes.get("t", "n"), style=attributes.get("s"))
                parts.clear()
            elif tag in ("v", "t"):
                state["text"] = True
            elif tag == "rPh":
                state["phonetic"] += 1

        def end(tag: str) -> None:
            if tag in ("v", "t"):
                state["text"] = False
            elif tag == "rPh":
                state["phonetic"] -= 1
            elif tag == "c":
                row[state["column"]] = _cell(self._value(cell, "".join(parts)))
            elif tag == "row":
                budget.row(state["cells"], max(row, default=0))
                if row:
                    values = [""] * max(row)
                    for column, value in row.items():
                        values[column - 1] = value
                    done.append((state["row"], values))

        def text(data: str) -> None:
            if state["text"] and not state["phonetic"]:
                parts.append(data)
                if sum(map(len, parts)) > _MAX_CELL_TEXT:
                    raise refuse("not_xlsx")

        sheet = _Xml(self.archive, self.sheet, budget)
        limits = budget.limits
        sheet.count(((b"<row ", b"<row>", b":row ", b":row>"), limits.rows + 1,
                     refuse("too_many_rows", limit=limits.rows)),
                    ((b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/"), limits.cells,
                     refuse("too_many_cells", limit=limits.cells)))
        for _chunk in sheet.events(start, end, text):
            yield from done
            done.clear()

    def _value(self, cell: dict[str, Any], text: str) -> Any:
        kind = cell["type"]
        if kind == "s":
            try:
                return self.strings[int(text)]
            except (ValueError, IndexError) as error:
                raise refuse("not_xlsx") from error
        if kind in ("inlineStr", "str", "e"):
            return text
        if kind == "b":
            return text.strip() in ("1", "true")
        if kind == "d":
            try:
                return datetime.fromisoformat(text.strip())
            except ValueError:
                return text
        if not text.strip():
            return ""
        try:
            number: float = int(text) if text.strip().lstrip("-").isdigit() else float(text)
        except ValueError:
            return text
        if _int(cell["style"], -1) in self.dates:
            from openpyxl.utils.datetime import from_excel

            with contextlib.suppress(ValueError, OverflowError, TypeError):
                return from_excel(number, self.epoch)
        return number


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


def _column(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        if not "A" <= letter <= "Z":
            raise refuse("not_xlsx")
        number = number * 26 + ord(letter) - 64
        if number > 16_384:  # beyond Excel's last column, XFD
            raise refuse("not_xlsx")
    return number


def _xlsx_records(handle: BinaryIO, budget: _Budget) -> Iterator[tuple[int, list[Any]]]:
    if handle.read(4) != b"PK\x03\x04":
        raise refuse("not_xlsx")
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise refuse("not_xlsx") from error
    with archive:
        parts = archive.infolist()
        if len(parts) > _MAX_PARTS:
            raise refuse("not_xlsx")
        # What the archive says it unpacks to, before a byte is unpacked; the parts read are
        # counted again as they stream, as a zip can lie about its sizes.
        declared = sum(part.file_size for part in parts)
        if declared > budget.limits.unpacked_mb * 1024 * 1024:
            raise refuse("too_much_unpacked", limit=budget.limits.unpacked_mb)
        yield from _Workbook(archive, budget).rows()


def _dangerous(text: str) -> bool:
    """Would a spreadsheet treat this text as a formula (or a control character)?"""
    if not text:
        return False
    if text[0] in "\t\r\n":
        return True
    return text.lstrip(" \t\r\n")[:1] in FORMULA_STARTS


FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    """Prefix a ' to text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and _dangerous(value):
        return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    """The reverse of :func:`neutralise`, so an exported file imports the values unchanged."""
    if isinstance(value, str) and value.startswith("'") and _dangerous(value[1:]):
        return value[1:]
    return value


def records(handle: BinaryIO, filename: str,
            limits: Limits | None = None) -> Iterator[tuple[int, list[Any]]]:
    """The rows of an open CSV file or of an XLSX workbook's first sheet, as (row number as the
    spreadsheet shows it, cell values), streaming. The type follows ``filename``'s extension;
    ``limits`` default to the configured ones (:meth:`Limits.configured`)."""
    extension = Path(filename).suffix.lower()
    if extension not in EXTENSIONS:
        raise refuse("file_type")
    head = handle.read(8192)
    handle.seek(0)
    if not head.strip() and len(head) < 8192:
        raise refuse("empty")
    budget = _Budget(limits or Limits.configured())
    return (_xlsx_records if extension == ".xlsx" else _csv_records)(handle, budget)


def formula_cells(handle: BinaryIO, limits: Limits | None = None, *,
                  at_most: int = 5) -> list[str]:
    """Up to ``at_most`` references ("B3") of cells on an XLSX workbook's first sheet that
    hold a formula — :func:`records` reads a formula's last computed value, which a list to
    import should not depend on. Bounded and refused as :func:`records` is."""
    handle.seek(0)
    if handle.read(4) != b"PK\x03\x04":
        raise refuse("not_xlsx")
    handle.seek(0)
    budget = _Budget(limits or Limits.configured())
    found: list[str] = []
    cell = {"reference": ""}

    def start(tag: str, attributes: dict[str, str]) -> None:
        if tag == "c":
            cell["reference"] = attributes.get("r", "")
        elif tag == "f" and len(found) < at_most:
            found.append(cell["reference"])

    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise refuse("not_xlsx") from error
    with archive:
        for _chunk in _Xml(archive, _Workbook(archive, budget).sheet, budget).events(start):
            if len(found) >= at_most:
                break
    return found


# --- writing --------------------------------------------------------------------------------

def _csv_value(value: Any) -> Any:
    return value.strftime("%d-%m-%Y") if isinstance(value, date) else neutralise(value)


def write_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with BOM and ``;``: what Excel on Dutch Windows opens with the columns right.
    Dates as dd-mm-jjjj; text that would run as a formula is neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_xlsx(rows: Iterable[Sequence[Any]], title: str) -> bytes:
    """A workbook with one sheet named ``title``: text stays text (never a formula, whatever
    it starts with), dates show as dd-mm-jjjj."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text
            elif isinstance(value, date):
                cell.number_format = "DD-MM-YYYY"
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
