"""Products of a price list: inline manifest entries, or a CSV file beside the manifest.

Both forms leave out what the loader fills in (empty text, 0, ``isSubscription: false``,
``inAssortment: true``) and list products by code, so an export does not depend on the order
the CRM happens to store them in. A product out of the assortment (the soft delete of a
product) is exported with ``inAssortment: false``: it is still part of the price list.

CSV cells are what ``manifest/products_csv.py`` reads: text as it is (never trimmed, no
``${`` references), numbers like ``1234.5``, booleans ``true``/``false``; a cell is quoted
only when it holds a comma, a quote or a line break. Text that a spreadsheet would run as
a formula (``=``, ``+``, ``-``, ``@`` first) is written with an apostrophe in front, which
the reader drops again (CSV injection).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from quotesync_gitops.kinds.product_parts import ProductSpec, ProductValue
from quotesync_gitops.manifest.products import product_fields, product_template
from quotesync_gitops.manifest.products_csv import formula_like

Product = ProductSpec
_NEEDS_QUOTES = re.compile('[,"\r\n]')


def by_code(products: Mapping[str, Product]) -> list[Product]:
    return [products[code] for code in sorted(products)]


def inline_products(products: Mapping[str, Product]) -> list[dict[str, ProductValue]]:
    """Manifest entries: ``code`` first, then the fields that differ from the defaults."""
    defaults = product_template()
    return [
        {"code": p["code"]}
        | {
            key: p[key]
            for key in product_fields()
            if key != "code" and key in p and p[key] != defaults[key]
        }
        for p in by_code(products)
    ]


def number_text(value: float) -> str:
    """``14990.0`` → ``14990``, ``0.45`` → ``0.45``: what a person would type."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number_text(float(value))
    text = str(value)
    # A spreadsheet opening the file would run =..., +..., -..., @... as a formula: text
    # that looks like one gets an apostrophe in front, which the products reader drops.
    return "'" + text if formula_like(text) else text


def _quoted(cell: str) -> str:
    if _NEEDS_QUOTES.search(cell):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def products_csv(products: Mapping[str, Product]) -> str:
    """A CSV file: the header names ``code`` and every field some product sets."""
    defaults = product_template()
    rows = by_code(products)
    used: set[str] = {"code"}
    for product in rows:
        used.update(k for k, v in product.items() if k not in used and v != defaults.get(k, v))
    columns = [key for key in product_fields() if key in used]
    lines = [",".join(columns)]
    lines += [_line(_cell(p.get(key, defaults[key])) for key in columns) for p in rows]
    return "\n".join(lines) + "\n"


def _line(cells: Iterable[str]) -> str:
    return ",".join(_quoted(cell) for cell in cells)
