"""Products from a CSV file (``productsFile:``): header row of product field names.

Cells are text; numbers (``1234.50``) and booleans (true/false, yes/no, 1/0) are parsed by
the field's type, an empty cell keeps the field's default. Problems point at the CSV file's
own line and column. ``,`` separates cells unless the header uses ``;`` or tabs only (as
spreadsheet exports in many locales do). In such a file a number may also be written with a
decimal comma (``1034,27``), as those same exports write them; in a ``,``-separated file a
comma in a number is refused, since ``1,034`` could mean a thousand.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quotesync_gitops.manifest.products import (
    FILE_KEYS,
    MAX_PRODUCT_PROBLEMS,
    ProductField,
    length_problem,
    number_value,
    product_fields,
    product_template,
    required_fields,
)
from quotesync_gitops.manifest.products_csv_fast import BOOLEAN, NUMBER, TEXT, Column, fast_reader
from quotesync_gitops.manifest.products_csv_lines import (
    CsvCell,
    byte_position,
    cell_position,
    plain_body,
    plain_header,
    read_plain,
)
from quotesync_gitops.manifest.wording import suggestion
from quotesync_gitops.model import Diagnostic, SourceRef

MAX_CSV_BYTES = 50 * 1024 * 1024
_TRUE = frozenset({"true", "yes", "1"})
_FALSE = frozenset({"false", "no", "0"})
#: The booleans as usually written (any other case or spelling: _boolean_cell)
_BOOLEANS = {text: True for text in _TRUE} | {text: False for text in _FALSE}
#: The characters of a number the row reader takes as written, without _number_cell
_PLAIN_NUMBER = "0123456789.+-"


@dataclass
class CsvProducts:
    #: the canonical products, in the file's order
    found: list[dict[str, Any]] = field(default_factory=list)
    #: the line each one's row starts on (``code_cell`` says where its code is): two lists,
    #: not pairs, so that the garbage collector has nothing to walk per product
    lines: list[int] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sha256: str | None = None
    _hidden: int = 0
    #: what code_cell needs: (display, the file's lines, delimiter, the code's cell index)
    _where: tuple[str, list[str], str, int] = ("", [], ",", 0)

    @property
    def products(self) -> list[tuple[dict[str, Any], int]]:
        """(product, the line its row starts on) of every product read."""
        return list(zip(self.found, self.lines, strict=True))

    def code_cell(self, line: int) -> CsvCell:
        """Where the code of the product read from the row starting at ``line`` is."""
        display, lines, delimiter, index = self._where
        return CsvCell(display, lines, delimiter, line, index)

    def problem(self, source: SourceRef, message: str) -> None:
        if len(self.diagnostics) < MAX_PRODUCT_PROBLEMS:
            self.diagnostics.append(Diagnostic(source, message))
        else:
            self._hidden += 1

    def finish(self, display: str) -> None:
        if self._hidden:
            self.diagnostics.append(
                Diagnostic(
                    SourceRef(display, 1, 1),
                    f"{self._hidden} more problems in this "
                    "file are not shown; fix the ones above first",
                )
            )


#: Characters a spreadsheet reads as the start of a formula (CSV injection).
FORMULA_STARTS = frozenset("=+-@\t\r")


def formula_like(text: str) -> bool:
    """Text a spreadsheet would run as a formula, also after leading apostrophes: such a
    cell is written with one more apostrophe in front, and read without it."""
    return text[:1] in FORMULA_STARTS or (
        text[:1] == "'" and text.lstrip("'")[:1] in FORMULA_STARTS
    )


def read_products_csv(path: Path, display: str) -> CsvProducts:
    out = CsvProducts()
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            out.problem(
                SourceRef(display, 1, 1), f"the file is larger than {MAX_CSV_BYTES // 2**20} MB"
            )
            return out
        data = path.read_bytes()
    except OSError as exc:
        out.problem(
            SourceRef(display, 1, 1), f"cannot read the products file: {exc.strerror or exc}"
        )
        return out
    out.sha256 = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = byte_position(data, exc.start)
        out.problem(
            SourceRef(display, line, column),
            "the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8 in spreadsheets)",
        )
        return out
    collecting = gc.isenabled()
    gc.disable()  # see _parse
    try:
        _parse(text, display, out)
    finally:
        if collecting:
            gc.enable()
    out.finish(display)
    return out


def _delimiter(header_line: str) -> str:
    if "," not in header_line:
        if ";" in header_line:
            return ";"
        if "\t" in header_line:
            return "\t"
    return ","


def _parse(text: str, display: str, out: CsvProducts) -> None:
    lines = text.split("\n")
    delimiter = _delimiter(lines[0])
    header = plain_header(lines, delimiter)
    reader = None if header is not None else _reader(text, delimiter)
    try:
        if reader is not None:
            header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            out.problem(
                SourceRef(display, 1, 1),
                "the products file is empty; its first row "
                "must name the columns (code, name, listPrice, ...)",
            )
            return
        columns = _header(header, lines, delimiter, display, out)
        named = {column.name for column in columns if column is not None}
        if not named.issuperset(required_fields()):
            return  # reported with the header; every row would repeat it
        rows = _Rows(_plan(columns), len(columns), lines, delimiter, display, out)
        row = rows.row
        previous_end = 1 if reader is None else reader.line_num
        plain = plain_body(text, lines, previous_end)
        if plain is not None:
            body, longest = plain
            fast = fast_reader(tuple(rows.plan), rows.width, delimiter, longest, "'" in text)
            if fast is not None:
                fast(body, previous_end, row, out.found.append, out.lines.append)
            else:
                read_plain(body, previous_end + 1, delimiter, row)
            return
        if reader is None:
            reader = _reader(text, delimiter)
            next(reader)  # the header, read above
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if any(record):  # no cells, or only empty ones: nothing written, skipped
                row(record, start)
    except csv.Error as exc:
        line = reader.line_num if reader is not None else 0
        out.problem(SourceRef(display, line or 1, 1), f"CSV syntax error: {exc}")


def _reader(text: str, delimiter: str) -> Any:
    """``csv.reader`` over the whole file, as it reads it."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)


def _header(
    header: list[str], lines: list[str], delimiter: str, display: str, out: CsvProducts
) -> list[ProductField | None]:
    fields = product_fields()
    columns: list[ProductField | None] = []
    seen: set[str] = set()
    for index, raw in enumerate(header):
        name = raw.strip()
        where = SourceRef(display, *cell_position(lines, 1, index, delimiter))
        if name in seen:
            out.problem(where, f"column {name!r} appears twice in the header")
            columns.append(None)
            continue
        seen.add(name)
        found = fields.get(name)
        if name in FILE_KEYS:
            out.problem(
                where,
                f"{name!r} cannot be a CSV column: name a product's {name} on its inline entry "
                "in the manifest (spec.products)",
            )
        elif found is None:
            out.problem(
                where, f"unknown product field {name!r} in the header{suggestion(name, fields)}"
            )
        columns.append(found)
    for name in required_fields():
        if name not in seen:
            out.problem(
                SourceRef(display, 1, 1),
                f"the header has no {name!r} column; every product needs one",
            )
    return columns


_KINDS = {"string": TEXT, "number": NUMBER, "boolean": BOOLEAN}


def _plan(columns: list[ProductField | None]) -> list[Column]:
    return [
        (
            index,
            column,
            column.name,
            _KINDS[column.type],
            column.max_length if column.max_length is not None else 1 << 62,
            column.minimum if column.minimum is not None else -math.inf,
            column.maximum if column.maximum is not None else math.inf,
        )
        for index, column in enumerate(columns)
        if column is not None
    ]


class _Rows:
    """CSV records → canonical products, with what every record of the file shares."""

    __slots__ = ("code_index", "delimiter", "display", "lines", "out", "plan", "width")

    def __init__(
        self,
        plan: list[Column],
        width: int,
        lines: list[str],
        delimiter: str,
        display: str,
        out: CsvProducts,
    ) -> None:
        self.plan, self.width, self.lines = plan, width, lines
        self.delimiter, self.display, self.out = delimiter, display, out
        self.code_index = next((column[0] for column in plan if column[2] == "code"), -1)
        out._where = (display, lines, delimiter, self.code_index)

    def row(self, record: list[str], line: int) -> None:
        """One record → a canonical product, or its problems. The usual cell is decided
        without a call: a number written plainly (at most 7 characters, no exponent, within
        the field's range) is the float of its text, as ``_number_cell`` would find; anything
        else goes through ``_number_cell``, which words the problem or rounds."""
        out = self.out
        if len(record) != self.width:
            out.problem(
                SourceRef(self.display, line, 1),
                f"this row has {len(record)} cells but the header has {self.width} columns",
            )
            return
        product = product_template().copy()
        ok = True
        for index, column, name, kind, longest, lowest, highest in self.plan:
            raw = record[index]
            problem: str | None = None
            if kind == TEXT:
                if not raw:
                    continue
                if raw[0] == "'" and formula_like(raw[1:]):
                    raw = raw[1:]  # '=SUM(A1) in the file is the text =SUM(A1)
                if len(raw) <= longest:
                    product[name] = raw
                    continue
                problem = length_problem(column, raw, "the value", secret=False)
            else:
                if not raw:
                    continue
                if kind == NUMBER:
                    # Only digits, signs and points (so no spaces around it, ASCII, no
                    # exponent, no "_", never inf or nan), at most 6 decimals, in range.
                    if len(raw) <= 7 and not raw.strip(_PLAIN_NUMBER):
                        try:
                            number = float(raw)
                        except ValueError:
                            number = math.nan  # "1-2", ".": _number_cell words it
                        if lowest <= number <= highest:  # False for nan
                            product[name] = number
                            continue
                    text = raw.strip()
                    if not text:
                        continue
                    value, problem = _number_cell(column, text, lowest, highest, self.delimiter)
                else:
                    flag = _BOOLEANS.get(raw)
                    if flag is not None:
                        product[name] = flag
                        continue
                    text = raw.strip()
                    if not text:
                        continue
                    value, problem = _boolean_cell(text)
                if problem is None:
                    product[name] = value
                    continue
            ok = False
            out.problem(
                CsvCell(self.display, self.lines, self.delimiter, line, index).source(),
                f"{name}: {problem}",
            )
        if not ok:
            return
        if not product["code"]:
            out.problem(
                SourceRef(self.display, line, 1), "code is empty; every product needs a code"
            )
        else:
            out.found.append(product)
            out.lines.append(line)


def _number_cell(
    f: ProductField, text: str, lowest: float, highest: float, delimiter: str = ","
) -> tuple[Any, str | None]:
    written = text
    if delimiter != "," and "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")  # a decimal comma (1034,27), in a ;- or tab-separated file
    try:
        number = float(text)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or "_" in text or not text.isascii():
        how = (
            "1234.50 or 1234,50 (no spaces or thousands separators)"
            if delimiter != ","
            else "1234.50 (no spaces or commas; a decimal comma only in a ;-separated file)"
        )
        return None, f"{written!r} is not a number; write numbers like {how}"
    if number < lowest or number > highest:
        return number_value(f, number, "the value")  # words the problem
    dot = text.find(".")
    if "e" in text or "E" in text or (dot >= 0 and len(text) - dot > 7):
        number = round(number, 6)  # written with more than 6 decimals
    return number, None


def _boolean_cell(text: str) -> tuple[Any, str | None]:
    lowered = text.lower()
    if lowered in _TRUE:
        return True, None
    if lowered in _FALSE:
        return False, None
    return None, f"{text!r} is not true or false"
