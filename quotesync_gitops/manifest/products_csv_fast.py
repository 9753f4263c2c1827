"""The usual rows of a plain products file, read by a loop written for the file's header.

The per-cell loop of ``products_csv._Rows.row`` decides each of a row's cells with a few
bytecode steps (the column's plan unpacked, its kind tested, the cell stored into a copy of
the template): ~3.5 µs a row of 18 cells. For a file whose body ``plain_body`` split, the
rows that need no wording are told by a handful of checks of the whole row, and their
product is the template's copy with the row's cells stored. So the loop here is made, as
Python source, from the header's columns (as ``collections.namedtuple`` and ``dataclasses``
make theirs), once per header, and runs over the body's lines: ~2 µs a row.

A row goes to ``slow`` (``_Rows.row``, which reads it exactly as before) unless every one of
these holds, each of which makes the per-cell loop's result the one built here:

- it has the header's number of cells, and its code cell is not empty;
- no cell starts with an apostrophe (checked only when the file has one);
- every text cell is within its column's length (checked only when some line is longer
  than the shortest limit);
- every number cell is empty or at most 7 characters that ``float`` reads, none of them
  ``_``, ``e``, ``E``, ``n``, ``N`` or beyond ASCII (so no exponent, inf or nan: digits,
  signs, a point and the spaces both loops strip), within the column's minimum and maximum
  when it has them: the per-cell loop's value too, the float of its text, not rounded;
- every boolean cell is empty or one of true/yes/1/false/no/0 as written.

An empty cell keeps the template's default, as in the per-cell loop. What is written into
the source is the schema's product field names, the template's defaults and the limits,
never the file's text. (``str.strip`` of the number cells' characters, the per-cell loop's
test, costs a search per character: 0.55 µs a row of six numbers, more than the rest of
the checks.)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from quotesync_gitops.manifest.products import ProductField, product_template

#: How one column is read: (cell index, field, its name, kind: 0 text, 1 number, 2 boolean,
#: max length, minimum, maximum), as ``products_csv._plan`` makes it.
Column = tuple[int, ProductField, str, int, int, float, float]
#: What reads a body: (lines, the line before the first, slow(record, line), append(product),
#: append(line))
BodyReader = Callable[
    [
        list[str],
        int,
        Callable[[list[str], int], None],
        Callable[[dict[str, Any]], None],
        Callable[[int], None],
    ],
    None,
]

TEXT, NUMBER, BOOLEAN = 0, 1, 2
_SPELLINGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
#: The most cells a made loop unpacks; a wider file is read cell by cell.
MAX_FAST_WIDTH = 255


def fast_reader(
    columns: tuple[Column, ...], width: int, delimiter: str, longest: int, apostrophes: bool
) -> BodyReader | None:
    """The made loop for this header and a body whose longest line is ``longest`` and
    that has an apostrophe somewhere or not, or None when the file has no code column or
    too many cells for one."""
    if width > MAX_FAST_WIDTH or not any(column[2] == "code" for column in columns):
        return None
    shortest = min((column[4] for column in columns if column[3] == TEXT), default=1 << 62)
    return _made(columns, width, delimiter, apostrophes, longest > shortest)


@lru_cache(maxsize=16)
def _made(
    columns: tuple[Column, ...],
    width: int,
    delimiter: str,
    apostrophes: bool,
    long_lines: bool,
) -> BodyReader:
    source, constants = _source(columns, width, delimiter, apostrophes, long_lines)
    namespace: dict[str, Any] = dict(constants)
    exec(compile(source, "<products_csv_fast>", "exec"), namespace)
    reader: BodyReader = namespace["read"]
    return reader


def _source(
    columns: tuple[Column, ...],
    width: int,
    delimiter: str,
    apostrophes: bool,
    long_lines: bool,
) -> tuple[str, dict[str, Any]]:
    """The loop's source, and the constants it names (the delimiter, the booleans' tables,
    the template's ``copy``)."""
    template = product_template()
    constants: dict[str, Any] = {
        "DELIMITER": delimiter,
        "QUOTED": delimiter + "'",
        "COPY": template.copy,
    }
    cells = ["_"] * width
    refuse: list[str] = []  # any of these true: the row goes to slow
    plain: list[str] = []  # the number cells, all of them only digits, signs and points
    checks: list[str] = []  # the boolean cells' lookups, and their refusal
    numbers: list[str] = []  # inside try: a ValueError sends the row to slow
    stores: list[str] = []
    for index, _, name, kind, longest, lowest, highest in columns:
        cell = f"c{index}"
        cells[index] = cell
        if kind == TEXT:
            stores.append(f"product[{name!r}] = {cell}")
            if long_lines:
                refuse.append(f"len({cell}) > {longest}")
        elif kind == NUMBER:
            plain.append(cell)
            refuse.append(f"len({cell}) > 7")
            bounds = [
                f"number {side} {limit!r}"
                for side, limit in (("<", lowest), (">", highest))
                if math.isfinite(limit)
            ]
            if bounds:
                numbers += [
                    f"if {cell}:",
                    f"    number = product[{name!r}] = float({cell})",
                    f"    if {' or '.join(bounds)}:",
                    "        slow(record, line)",
                    "        continue",
                ]
            else:
                numbers += [f"if {cell}:", f"    product[{name!r}] = float({cell})"]
        else:
            constants[f"B{index}"] = {**_SPELLINGS, "": template[name]}
            checks += [
                f"b{index} = B{index}.get({cell})",
                f"if b{index} is None:",
                "    slow(record, line)",
                "    continue",
            ]
            stores.append(f"product[{name!r}] = b{index}")
    code_cell = next(f"c{column[0]}" for column in columns if column[2] == "code")
    refuse.insert(0, f"not {code_cell}")
    if plain:
        # what float() reads beyond digits, signs, points and spaces: "_", an exponent,
        # inf and nan, non-ASCII digits (anything else float() refuses: a ValueError)
        refuse.append(f"'_' in (joined := {' + '.join(plain)})")
        refuse += [f"{letter!r} in joined" for letter in "eEnN"]
        refuse.append("not joined.isascii()")
    split = f"len(record) != {width}"
    if apostrophes:
        split += ' or text[:1] == "\'" or QUOTED in text'
    body = [
        "for text in body:",
        "    line += 1",
        "    record = text.split(DELIMITER)",
        f"    if {split}:",
        "        if any(record):",
        "            slow(record, line)",
        "        continue",
        f"    {', '.join(cells)}, = record",
        f"    if {' or '.join(refuse)}:",
        "        if any(record):",
        "            slow(record, line)",
        "        continue",
        *(f"    {part}" for part in checks),
        "    product = copy()",
    ]
    if numbers:
        body += [
            "    try:",
            *(f"        {part}" for part in numbers),
            "    except ValueError:",
            "        slow(record, line)",
            "        continue",
        ]
    body += [f"    {part}" for part in stores]
    body += ["    append(product)", "    append_line(line)"]
    lines = ["def read(body, line, slow, append, append_line):", "    copy = COPY"]
    lines += [f"    {part}" for part in body]
    return "\n".join(lines) + "\n", constants
