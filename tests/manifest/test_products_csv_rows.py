"""Which rows of a products file are products: only a row with nothing written is skipped.

A row whose cells are blank but present (a code of spaces) used to be skipped like an empty
line, so such a product vanished without a word. Now it is read like any row and refused at
its own line and column, exactly as the same code written inline is; only a row with nothing
in it (an empty line, or delimiters only) is passed over.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from quotesync_gitops.manifest.products_csv import _boolean_cell, read_products_csv
from tests.manifest.helpers import diagnostics, quotesync, write

PRICE_LIST = """apiVersion: quotesync.io/v1
kind: PriceList
metadata:
  name: Prices
spec:
  currency: EUR
  validFrom: "2026-01-01"
  validTo: "2026-12-31"
  productsFile: products.csv
"""


def _files(csv: str) -> dict[str, str]:
    return {"prices.yaml": PRICE_LIST, "products.csv": csv}


def test_a_blank_code_is_refused_at_its_cell_not_dropped(workdir: Path) -> None:
    write(workdir, _files("code,name,listPrice\nA-1,Fine,10\n ,  ,\nA-2,Also fine,12\n"))

    checked = quotesync("validate", ".")
    applied = quotesync("apply", ".", "--crm", f"local:{workdir / 'crm.sqlite'}", "--auto-approve")

    expected = [
        "products.csv:3:1: error: the product code is blank: the CRM keeps no name made of "
        "spaces only",
    ]
    assert checked.exit_code == 1, checked.output
    assert diagnostics(checked) == expected
    assert applied.exit_code == 1, applied.output
    assert [line for line in applied.output.splitlines() if ": error: " in line] == expected
    assert not (workdir / "crm.sqlite").exists()  # the embedded CRM is made by its first write


def test_the_same_code_inline_is_refused_with_the_same_words(workdir: Path) -> None:
    inline = PRICE_LIST.replace("  productsFile: products.csv\n", "  products:\n    - code: ' '\n")
    write(workdir, {"prices.yaml": inline})

    checked = quotesync("validate", ".")

    assert checked.exit_code == 1, checked.output
    assert diagnostics(checked) == [
        "prices.yaml:10:13: error: the product code is blank: the CRM keeps no name made of "
        "spaces only",
    ]


def test_a_row_of_blank_cells_in_a_wider_file_is_reported_at_its_line(workdir: Path) -> None:
    write(workdir, _files("code,name,listPrice\nA-1,Fine,10\n   \n"))

    checked = quotesync("validate", ".")

    assert checked.exit_code == 1, checked.output
    assert diagnostics(checked) == [
        "products.csv:3:1: error: this row has 1 cells but the header has 3 columns",
    ]


def test_rows_with_nothing_written_are_skipped(workdir: Path) -> None:
    csv = "code,name,listPrice\n\nA-1,Fine,10\n,,\n\n\nA-2,Also fine,12\n,,\n"
    write(workdir, _files(csv))

    checked = quotesync("validate", ".")
    shown = quotesync("plan", ".", "--crm", f"local:{workdir / 'crm.sqlite'}", "--format", "json")

    assert checked.exit_code == 0, checked.output
    assert shown.exit_code == 0, shown.output
    assert re.findall(r'"name": "Prices/(.*)"', shown.output) == ["A-1", "A-2"]


def test_codes_repeated_or_untrimmed_within_the_file_are_each_reported(workdir: Path) -> None:
    # The file's products are taken at once only when every code is new, unique and
    # trimmed; otherwise each goes through the per-product checks, which word these.
    csv = "code,name,listPrice\nA-1,Fine,10\nB-2 ,Trailing,11\nA-1,Again,12\nC-3,Fine,13\n"
    write(workdir, _files(csv))

    checked = quotesync("validate", ".")
    applied = quotesync("apply", ".", "--crm", f"local:{workdir / 'crm.sqlite'}", "--auto-approve")

    expected = [
        "products.csv:3:1: error: the product code 'B-2 ' starts or ends with spaces, which the "
        "CRM removes when it saves: quotesync would not find the object by this name again and "
        "would create another on every apply; did you mean 'B-2'?",
        "products.csv:4:1: error: product code 'A-1' is listed twice in this price list (first "
        "at line 2)",
    ]
    assert checked.exit_code == 1, checked.output
    assert diagnostics(checked) == expected
    assert applied.exit_code == 1, applied.output
    assert not (workdir / "crm.sqlite").exists()


def test_a_plain_file_loads_every_product_with_its_values(workdir: Path) -> None:
    csv = "code,listPrice,name,inAssortment,vat\nB-2,11.5,Second,no,25\nA-1,10,First,,0\n"
    write(workdir, _files(csv))

    shown = quotesync("plan", ".", "--crm", f"local:{workdir / 'crm.sqlite'}", "--format", "json")

    assert shown.exit_code == 0, shown.output
    assert re.findall(r'"name": "Prices/(.*)"', shown.output) == ["A-1", "B-2"]
    assert '"after": 11.5' in shown.output and '"after": "Second"' in shown.output
    assert '"after": false' in shown.output  # B-2's inAssortment: no


@pytest.mark.parametrize(
    "text", ["true", "false", "yes", "no", "1", "0", "TRUE", "False", " yes ", "No", "maybe", "2"]
)
def test_each_boolean_cell_is_read_as_boolean_cell_reads_it(tmp_path: Path, text: str) -> None:
    # The usual spellings are looked up inline; every other cell goes through _boolean_cell.
    path = tmp_path / "products.csv"
    path.write_text(f"code,name,isSubscription\nP1,Name,{text}\n", encoding="utf-8")

    read = read_products_csv(path, "products.csv")

    value, problem = _boolean_cell(text.strip())
    if problem is None:
        assert [p["isSubscription"] for p, _ in read.products] == [value]
        assert type(read.products[0][0]["isSubscription"]) is bool
        assert read.diagnostics == []
    else:
        assert read.products == []
        assert [str(d) for d in read.diagnostics] == [
            f"products.csv:2:9: error: isSubscription: {problem}"
        ]
