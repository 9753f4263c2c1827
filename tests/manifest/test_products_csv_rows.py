"""Which rows of a products file are products: only a row with nothing written is skipped.

A row whose cells are blank but present (a code of spaces) used to be skipped like an empty
line, so such a product vanished without a word. Now it is read like any row and refused at
its own line and column, exactly as the same code written inline is; only a row with nothing
in it (an empty line, or delimiters only) is passed over.
"""

from __future__ import annotations

import re
from pathlib import Path

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
