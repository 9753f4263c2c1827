"""A plain products file (no quotes, NUL, lone carriage return or over-long line) is split
line by line instead of by ``csv.reader``: every file must read exactly as through
``csv.reader`` (the same products, lines, diagnostics, words and positions), and every other
file must still go through ``csv.reader``.
"""

from __future__ import annotations

import csv
import gc
from pathlib import Path
from typing import Any

import pytest

from quotesync_gitops.manifest import products_csv
from quotesync_gitops.manifest.products_csv import read_products_csv
from quotesync_gitops.manifest.products_csv_lines import plain_body

HEADER = "code,name,listPrice,vat,isSubscription,inAssortment,description\n"

#: Rows the per-cell reader has to word or convert, each in an otherwise plain file.
AWKWARD_ROWS = [
    "A-2,Exponent,1e3,25,false,true,x",
    "A-2,Formula,10,25,false,true,'=SUM(A1)",
    "A-2,Formula quoted twice,10,25,false,true,''+1",
    "A-2,Apostrophe,10,25,false,true,'plain",
    "X" * 255 + ",Too long code,10,25,false,true,x",
    "A-2,Too long name" + "n" * 250 + ",10,25,false,true,x",
    "A-2,Boolean spelling,10,25,TRUE,Yes,x",
    "A-2,Boolean spaced,10,25, yes ,no ,x",
    "A-2,Not a boolean,10,25,maybe,true,x",
    "A-2,Number spaced, 5 ,25,false,true,x",
    "A-2,Number point,.,25,false,true,x",
    "A-2,Number negative,-5,25,false,true,x",
    "A-2,Number plus,+5,25,false,true,x",
    "A-2,Vat out of range,10,101,false,true,x",
    "A-2,Vat negative,10,-1,false,true,x",
    "A-2,Eight decimals,1.12345678,25,false,true,x",
    "A-2,Underscore,1_000,25,false,true,x",
    "A-2,Infinity,inf,25,false,true,x",
    "A-2,Thousands,1.034.27,25,false,true,x",
    "A-2,Too few cells,10",
    "A-2,Too many cells,10,25,false,true,x,y",
    " ,Blank code,10,25,false,true,x",
    ",Empty code,10,25,false,true,x",
    "A-1,Repeated code,10,25,false,true,x",
    " A-2,Untrimmed code,10,25,false,true,x",
    ",,,,,,",
    "",
]


def _read_both(
    tmp_path: Path, text: str, monkeypatch: pytest.MonkeyPatch, split: str = "plain_body"
) -> tuple[Any, Any]:
    """``text`` read as a products file, then again with ``split`` (the plain split of the
    body, or of the header) turned off, so that csv.reader reads that part."""
    path = tmp_path / "products.csv"
    path.write_bytes(text.encode())
    plain = read_products_csv(path, "products.csv")
    with monkeypatch.context() as patched:
        patched.setattr(products_csv, split, lambda *args: None)
        through_csv = read_products_csv(path, "products.csv")
    return plain, through_csv


def _same(plain: Any, through_csv: Any) -> None:
    assert plain.products == through_csv.products
    assert plain.diagnostics == through_csv.diagnostics
    assert plain.sha256 == through_csv.sha256


@pytest.mark.parametrize("awkward", AWKWARD_ROWS)
def test_an_awkward_row_in_a_plain_file_reads_as_through_csv_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, awkward: str
) -> None:
    text = HEADER + "A-1,Fine,10,25,false,true,x\n" + awkward + "\nA-3,Fine too,12.5,0,yes,0,y\n"
    assert plain_body(text, text.split("\n"), 1) is not None  # read without csv.reader

    plain, through_csv = _read_both(tmp_path, text, monkeypatch)

    _same(plain, through_csv)
    assert [line for _, line in plain.products][-1] == 4  # the last row keeps its line


def test_every_awkward_row_at_once_reads_as_through_csv_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = HEADER + "\n".join(AWKWARD_ROWS) + "\n"

    plain, through_csv = _read_both(tmp_path, text, monkeypatch)

    _same(plain, through_csv)
    assert len(plain.diagnostics) > 10


@pytest.mark.parametrize(
    "text",
    [
        "code;name;listPrice\nA-1;Decimal comma;1034,27\nA-2;Thousands;1.034,27\n",
        "code\tname\tlistPrice\nA-1\tTabs\t10\nA-2\tBad\t1,5,5\n",
        "code,name,listPrice\r\nA-1,CRLF,10\r\nA-2,Bad,x\r\n\r\nA-3,Last,3\r\n",
        "code,name,listPrice\nA-1,No newline at the end,1e2",
        "\ufeffcode,name,listPrice\nA-1,After a BOM,10\n",
        '"code","name","listPrice"\nA-1,Quoted header only,10\nA-2,Bad,x\n',
        "code,name,listPrice,nonsense,name\nA-1,Unknown and repeated columns,10,z,n\n",
    ],
)
def test_plain_files_of_every_delimiter_and_line_end_read_as_through_csv_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    lines = text.lstrip("\ufeff").split("\n")
    assert plain_body(text.lstrip("\ufeff"), lines, 1) is not None

    plain, through_csv = _read_both(tmp_path, text, monkeypatch)

    _same(plain, through_csv)


@pytest.mark.parametrize(
    "body",
    [
        'A-1,"Quoted, with a comma",10\n',
        'A-1,"Two\nlines",10\n',
        "A-1,Lone carriage return,10\rA-2,Next,11\n",
        "A-1,Nul\0inside,10\n",
        "A-1," + "n" * (csv.field_size_limit() + 1) + ",10\n",
    ],
)
def test_any_other_file_still_goes_through_csv_reader(tmp_path: Path, body: str) -> None:
    text = "code,name,listPrice\n" + body

    assert plain_body(text, text.split("\n"), 1) is None


def test_a_bad_row_in_a_crlf_file_is_reported_at_the_same_place_as_in_an_lf_file(
    tmp_path: Path,
) -> None:
    rows = ["code,name,listPrice", "A-1,Fine,10", "A-2,Bad,1e999", "A-1,Again,3"]
    found = []
    for ending in ("\n", "\r\n"):
        path = tmp_path / "products.csv"
        path.write_text(ending.join(rows) + ending, newline="")
        found.append([str(d) for d in read_products_csv(path, "products.csv").diagnostics])

    assert found[0] == found[1]
    assert found[0][0].startswith("products.csv:3:9: error: listPrice: '1e999' is not a number")


@pytest.mark.parametrize("collecting", [True, False])
def test_reading_leaves_garbage_collection_as_it_found_it(tmp_path: Path, collecting: bool) -> None:
    path = tmp_path / "products.csv"
    path.write_text("code,name,listPrice\nA-1,Fine,10\nA-2,Bad,x\n")
    was = gc.isenabled()
    try:
        if not collecting:
            gc.disable()
        read_products_csv(path, "products.csv")
        assert gc.isenabled() is collecting
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize(
    ("header", "split_here"),
    [
        ("code,name,listPrice", True),
        ("code;name;listPrice", True),
        ("code\tname\tlistPrice", True),
        ("code,name,listPrice\r", True),
        (" code , name ,listPrice", True),
        ("code,,name,listPrice,nonsense", True),
        ("", True),
        (" , ", True),
        ('"code",name,listPrice', False),
        ('"code,name",listPrice', False),
        ("code,name\0,listPrice", False),
        ("code,name\rlistPrice", False),
    ],
)
def test_a_header_line_is_read_as_through_csv_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, header: str, split_here: bool
) -> None:
    text = header + "\nA-1,Fine,10\nA-2,Bad,x\n"
    lines = text.split("\n")
    assert (products_csv.plain_header(lines, products_csv._delimiter(lines[0])) is not None) is (
        split_here
    )
    _same(*_read_both(tmp_path, text, monkeypatch, "plain_header"))


def test_a_quoted_body_under_a_plain_header_is_read_by_csv_reader_after_the_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = 'code,name,listPrice\nA-1,"Two\nlines",10\nA-2,Bad,x\nA-3,"a,b",3\n'

    plain, through_csv = _read_both(tmp_path, text, monkeypatch)

    _same(plain, through_csv)
    assert [line for _, line in plain.products] == [2, 5]
    assert plain.products[0][0]["name"] == "Two\nlines"
