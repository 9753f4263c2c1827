"""The loop made for a plain products file's header (``products_csv_fast``) reads the usual
row itself and hands every other one to the per-cell loop (``_Rows.row``): a file must read
exactly as through the per-cell loop alone (the same products, lines and diagnostics), and
each kind of row the made loop cannot decide must reach the per-cell loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotesync_gitops.manifest import products_csv, products_csv_fast
from quotesync_gitops.manifest.products_csv import CsvProducts, read_products_csv

HEADER = "code,name,listPrice,vat,isSubscription,inAssortment,description,inStock"
FINE = "A-1,Fine,10.50,25,false,true,x,3"


def _read(path: Path, monkeypatch: pytest.MonkeyPatch, *, fast: bool) -> CsvProducts:
    with monkeypatch.context() as patched:
        if not fast:
            patched.setattr(products_csv, "fast_reader", lambda *args: None)
        return read_products_csv(path, "products.csv")


def _same(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> CsvProducts:
    path.write_bytes(text.encode())
    made = _read(path, monkeypatch, fast=True)
    per_cell = _read(path, monkeypatch, fast=False)
    assert made.products == per_cell.products
    assert [type(v) for p, _ in made.products for v in p.values()] == [
        type(v) for p, _ in per_cell.products for v in p.values()
    ]
    assert [list(p) for p, _ in made.products] == [list(p) for p, _ in per_cell.products]
    assert made.diagnostics == per_cell.diagnostics
    return made


def _slow_rows(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lines of the rows the made loop handed to the per-cell loop."""
    handed: list[int] = []
    row = products_csv._Rows.row

    def counted(self: Any, record: list[str], line: int) -> None:
        handed.append(line)
        row(self, record, line)

    with monkeypatch.context() as patched:
        patched.setattr(products_csv._Rows, "row", counted)
        read_products_csv(path, "products.csv")
    return handed


#: Rows the made loop must hand to the per-cell loop (each read in a file of fine rows).
HANDED = [
    "A-2,Too few cells,10",
    "A-2,Too many cells,10,25,false,true,x,3,4",
    ",Empty code,10,25,false,true,x,3",
    "A-2,Formula,10,25,false,true,'=SUM(A1),3",
    "'A-2,Apostrophe first,10,25,false,true,x,3",
    "A-2,Exponent,1e3,25,false,true,x,3",
    "A-2,Exponent,1E3,25,false,true,x,3",
    "A-2,Small exponent,1e-7,25,false,true,x,3",
    "A-2,Underscore,1_000,25,false,true,x,3",
    "A-2,Infinity,inf,25,false,true,x,3",
    "A-2,Not a number,nan,25,false,true,x,3",
    "A-2,Eight characters,1.123456,25,false,true,x,3",
    "A-2,Arabic digits,\u0661\u0662,25,false,true,x,3",
    "A-2,Two signs,1-2,25,false,true,x,3",
    "A-2,Point,.,25,false,true,x,3",
    "A-2,Spaces only,   ,25,false,true,x,3",
    "A-2,Vat out of range,10,101,false,true,x,3",
    "A-2,Vat negative,10,-1,false,true,x,3",
    "A-2,Boolean spelling,10,25,TRUE,true,x,3",
    "A-2,Boolean spaced,10,25, yes,true,x,3",
    "A-2,Not a boolean,10,25,maybe,true,x,3",
    "A-2,Eight digits,00000001,25,false,true,x,3",
]


@pytest.mark.parametrize("row", HANDED)
def test_a_row_the_made_loop_cannot_decide_goes_to_the_per_cell_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row: str
) -> None:
    path = tmp_path / "products.csv"
    text = f"{HEADER}\n{FINE}\n{row}\nA-3,Fine too,12,0,yes,0,y,\n"

    _same(path, text, monkeypatch)
    assert _slow_rows(path, monkeypatch) == [3]


def test_usual_rows_are_read_by_the_made_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        FINE,
        "A-2,Empty cells,,,,,,",
        "A-3,Signs and spaces, +5 ,0,yes,no,,-0",
        "A-4,Vat at its limits,0.5,100,1,0,Men's shirt,1234567",
        "A-5,Whitespace float() takes,\t7\x0b,25,true,false,x,3",
    ]
    path = tmp_path / "products.csv"
    read = _same(path, HEADER + "\n" + "\n".join(rows) + "\n,,,,,,,\n\n", monkeypatch)

    assert _slow_rows(path, monkeypatch) == []
    assert [line for _, line in read.products] == [2, 3, 4, 5, 6]
    assert read.products[3][0]["vat"] == 100.0
    assert read.products[3][0]["description"] == "Men's shirt"
    assert read.products[1][0]["inAssortment"] is True  # an empty cell keeps the default


def test_text_lengths_are_checked_only_in_a_file_with_long_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "products.csv"
    long_name = "n" * 254
    too_long = "n" * 255
    text = f"{HEADER}\nA-1,{long_name},1,0,0,1,x,1\nA-2,{too_long},1,0,0,1,x,1\n"

    read = _same(path, text, monkeypatch)

    assert _slow_rows(path, monkeypatch) == [3]
    assert "name: the value is too long (255 characters)" in str(read.diagnostics[0])


def test_other_delimiters_and_crlf_are_read_by_the_made_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "products.csv"
    for text in (
        HEADER.replace(",", ";") + "\r\n" + FINE.replace(",", ";") + "\r\nA-2;x;1,5;25;;;;\r\n",
        HEADER.replace(",", "\t") + "\n" + FINE.replace(",", "\t") + "\n'A-2\tx\t1\t\t\t\t\t\n",
    ):
        read = _same(path, text, monkeypatch)
        assert _slow_rows(path, monkeypatch) == [3]
        assert [line for _, line in read.products] == [2, 3]


def test_the_made_loop_spells_booleans_as_the_per_cell_loop() -> None:
    assert products_csv_fast._SPELLINGS == products_csv._BOOLEANS


def test_a_file_without_a_code_column_or_too_wide_is_read_cell_by_cell() -> None:
    plan = products_csv._plan([products_csv.product_fields()["name"]])
    assert products_csv_fast.fast_reader(tuple(plan), 1, ",", 1, False) is None
    plan = products_csv._plan([products_csv.product_fields()["code"]])
    assert products_csv_fast.fast_reader(tuple(plan), 1, ",", 1, False) is not None
    wide = products_csv_fast.MAX_FAST_WIDTH + 1
    assert products_csv_fast.fast_reader(tuple(plan), wide, ",", 1, False) is None


_CELL = st.one_of(
    st.sampled_from(["", "0", "1", "25", "100", "10.50", "-0", "+5", "true", "no", "YES"]),
    st.text(alphabet="0123456789.+-eEnNi_ '=\t\x1c\u0661xa", max_size=9),
)


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(st.lists(_CELL, min_size=7, max_size=9), max_size=6))
def test_any_rows_read_as_through_the_per_cell_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[list[str]]
) -> None:
    body = "\n".join(",".join(cells) for cells in rows)
    _same(tmp_path / "products.csv", f"{HEADER}\n{FINE}\n{body}\n", monkeypatch)
