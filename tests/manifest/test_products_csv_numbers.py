"""A number cell read on the CSV loader's short path is what ``_number_cell`` makes of it.

The loader decides a plainly written number (at most 7 characters, no exponent, within the
field's range) without calling ``_number_cell``; every other cell goes through it. Each text
below is read through a real products file, as ``,``- and ``;``-separated, and must give the
same value (the same float, sign of zero included) or the same problem at the same cell.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from quotesync_gitops.manifest.products import product_fields
from quotesync_gitops.manifest.products_csv import _number_cell, read_products_csv

TEXTS = [
    "0",
    "-0",
    "+5",
    "1",
    "10.00",
    "1234.50",
    "1234.5",
    "99.9999",
    "0.123456",
    "-12.5",
    " 7 ",
    "1.2345678",
    "0.1234567",
    "12345678",
    "123456.78",
    "1e3",
    "1E-9",
    "2.5e-7",
    "1_000",
    "١٢",
    "inf",
    "-inf",
    "nan",
    "Infinity",
    "1,5",
    "1,034",
    "1.034,5",
    "abc",
    "--1",
    ".5",
    "5.",
    "0x10",
    "101",
    "100",
    "-1",
    "99.5",
    "100.0000001",
    "1e400",
]


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("column", ["listPrice", "vat"])  # vat: 0..100
def test_each_number_cell_is_read_as_number_cell_reads_it(
    tmp_path: Path, delimiter: str, column: str
) -> None:
    field = product_fields()[column]
    lowest = field.minimum if field.minimum is not None else -math.inf
    highest = field.maximum if field.maximum is not None else math.inf

    def cell(text: str) -> str:
        return f'"{text}"' if delimiter in text else text

    rows = [f"code{delimiter}name{delimiter}{column}"]
    rows += [delimiter.join([f"P{i}", "Name", cell(t)]) for i, t in enumerate(TEXTS)]
    path = tmp_path / "products.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    read = read_products_csv(path, "products.csv")
    products = {product["code"]: product for product, _ in read.products}
    problems = {(d.source.line, d.message) for d in read.diagnostics}
    for i, text in enumerate(TEXTS):
        value, problem = _number_cell(field, text.strip(), lowest, highest, delimiter)
        if problem is None:
            got = products[f"P{i}"][column]
            assert repr(got) == repr(value) and type(got) is float, (text, got, value)
        else:
            assert f"P{i}" not in products, text
            assert (i + 2, f"{column}: {problem}") in problems, (text, problems)
    assert len(products) + len(problems) == len(TEXTS)
