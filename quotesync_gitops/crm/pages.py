"""The rows of an OData page of products or price lists, checked as their carriers a field
group at a time.

A page of 1,000 products holds about 31,000 values to check (``shapes.PRODUCT``). Row by row
(:func:`shapes.check`) that is a Python call per value; here the usual page is taken in a
few C-level passes, one per group of fields of one type (one ``itemgetter`` each): a group
of text fields by joining its values (``str.join`` refuses anything but text, with no call
per value), any other by the set of its values' types. Anything else (a missing field, a
wrong type) is left to :func:`shapes.check`, which finds the row and words the problem: the
verdicts are the same either way (``tests/crm/test_page_shapes.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import chain
from operator import itemgetter
from typing import Any

from quotesync_gitops.crm.responses import as_list_of_objects
from quotesync_gitops.crm.shapes import BOOL, ID, INT, NUM, PRICE_LIST, PRODUCT, STR, Carrier, check

#: The types JSON gives each scalar field type, for the page-at-a-time check.
_EXACT_TYPES: dict[int, frozenset[type]] = {
    id(ID): frozenset({int}),
    id(INT): frozenset({int, type(None)}),
    id(STR): frozenset({str, type(None)}),
    id(BOOL): frozenset({bool, type(None)}),
    id(NUM): frozenset({int, float, type(None)}),
}
_Getter = Callable[[dict[str, Any]], Any]
_column_checks: dict[int, list[tuple[_Getter, bool, frozenset[type]]] | None] = {}
_STR_TYPES = _EXACT_TYPES[id(STR)]


def _columns_of(carrier: Carrier) -> list[tuple[_Getter, bool, frozenset[type]]] | None:
    """(getter of its fields, several fields?, the exact types they may have), per type."""
    if id(carrier) not in _column_checks:
        groups: dict[int, list[str]] = {}
        for key, kind in carrier.fields.items():
            groups.setdefault(id(kind), []).append(key)
        if not set(groups) <= set(_EXACT_TYPES):
            _column_checks[id(carrier)] = None  # nested carriers: row by row
        else:
            _column_checks[id(carrier)] = [
                (itemgetter(*keys), len(keys) > 1, _EXACT_TYPES[kind])
                for kind, keys in groups.items()
            ]
    return _column_checks[id(carrier)]


def _all_plain(carrier: Carrier, rows: list[dict[str, Any]]) -> bool:
    """True when every row has every field of ``carrier`` with one of its exact JSON types.

    Anything else (a missing field, a wrong type) is left to :func:`shapes.check`, which
    finds the row and words the problem.
    """
    columns = _columns_of(carrier)
    if columns is None:
        return False
    try:
        for getter, several, allowed in columns:
            if allowed is _STR_TYPES and several:
                try:
                    # Text only (JSON's text is exactly str): a row's fields joined, then
                    # the rows, with no call per value. A null or a wrong type: the set
                    # of types below decides.
                    "".join(map("".join, map(getter, rows)))
                    continue
                except TypeError:
                    pass
            values: Iterable[Any] = map(getter, rows)
            if several:
                values = chain.from_iterable(values)
            if not set(map(type, values)) <= allowed:
                return False
    except KeyError:
        return False
    return True


def rows_of_page(data: Any) -> list[dict[str, Any]]:
    """The rows of an OData page of price lists or products, each checked as its carrier."""
    rows = as_list_of_objects(data)
    if rows:
        carrier = _carrier_of(rows[0])
        if carrier is not None and _all_plain(carrier, rows):
            return rows
    for index, row in enumerate(rows):
        carrier = _carrier_of(row)
        if carrier is not None:  # a row without its id is reported by the keyset reader
            check(carrier, row, f"{carrier.name}[{index}]")
    return rows


def _carrier_of(row: dict[str, Any]) -> Carrier | None:
    """A product or a price list, by the id the row holds."""
    return PRODUCT if "ProductId" in row else PRICE_LIST if "PriceListId" in row else None
