"""Pages of products and price lists are checked a column at a time, with the same verdicts."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from quotesync_gitops.crm.errors import CrmProtocolError
from quotesync_gitops.crm.pages import rows_of_page
from quotesync_gitops.crm.responses import WrongShape
from quotesync_gitops.crm.shapes import BOOL, ID, INT, NUM, PRICE_LIST, PRODUCT, STR
from tests.crm.helpers import make_client

GOOD = {id(ID): 7, id(INT): 3, id(STR): "text", id(BOOL): True, id(NUM): 2.5}
WRONG = [None, "7", 7, 7.5, True, [], {}]


def page(carrier: Any, size: int = 5) -> list[dict[str, Any]]:
    rows = []
    for index in range(size):
        row = {key: GOOD[id(kind)] for key, kind in carrier.fields.items()}
        row[next(iter(carrier.fields))] = index + 1  # the id
        row["Extra"] = ["not", "checked"]
        rows.append(row)
    return rows


def verdict(rows: list[dict[str, Any]]) -> str | None:
    try:
        rows_of_page(copy.deepcopy(rows))
    except WrongShape as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("carrier", [PRODUCT, PRICE_LIST], ids=lambda c: c.name)
def test_a_good_page_passes_with_nulls_and_missing_optional_fields(carrier: Any) -> None:
    rows = page(carrier)
    optional = [k for k, kind in carrier.fields.items() if not kind.required]
    rows[1][optional[0]] = None
    del rows[2][optional[-1]]
    assert rows_of_page(rows) is rows


@pytest.mark.parametrize("carrier", [PRODUCT, PRICE_LIST], ids=lambda c: c.name)
def test_every_wrong_type_in_any_row_is_found_and_named(carrier: Any) -> None:
    for key, kind in carrier.fields.items():
        for value in WRONG:
            rows = page(carrier)
            rows[3][key] = value
            allowed = kind.accepts(value)
            message = verdict(rows)
            if allowed:
                assert message is None, (key, value)
            else:
                assert message is not None, (key, value)
                assert f"{carrier.name}[3].{key} should be" in message


def test_a_row_without_its_id_is_left_to_the_keyset_reader_and_others_still_checked() -> None:
    rows = page(PRODUCT)
    del rows[0]["ProductId"]
    assert verdict(rows) is None
    rows[4]["Name"] = 12
    assert verdict(rows) == "Product[4].Name should be text or null, not int"


def test_a_missing_id_in_a_later_row_is_an_error() -> None:
    rows = page(PRODUCT)
    rows[2]["ProductId"] = None
    assert verdict(rows) == "Product[2].ProductId should be an integer id, not null"


def test_a_row_with_its_keys_in_another_order_is_checked_by_name() -> None:
    rows = page(PRODUCT)
    rows[1] = dict(reversed(list(rows[1].items())))
    assert verdict(rows) is None
    rows[1]["VAT"] = "25"
    assert verdict(rows) == "Product[1].VAT should be a number or null, not str"


@pytest.mark.parametrize("value", [None, 3, [], {}])
def test_a_text_column_with_a_null_or_another_type_in_rows_of_one_key_order(value: Any) -> None:
    rows = page(PRODUCT)
    rows[2]["Name"] = value
    message = verdict(rows)
    if value is None:
        assert message is None
    else:
        assert message == f"Product[2].Name should be text or null, not {type(value).__name__}"


def test_a_row_with_a_key_more_than_the_others_is_checked_by_name() -> None:
    rows = page(PRICE_LIST)
    rows[0]["Another"] = 1.5
    rows[4]["IsActive"] = "yes"
    assert verdict(rows) == "PriceList[4].IsActive should be true, false or null, not str"


@pytest.mark.parametrize("number", [b"1e999", b"-1e400", b"1E309", b"9" * 310 + b".5"])
def test_a_product_page_with_a_number_past_the_float_range_is_refused(number: bytes) -> None:
    """Also where the page check takes the usual page whole: the number never reaches it."""
    rows = [{**row, "UnitListPrice": 1.5} for row in page(PRODUCT, size=3)]
    body = json.dumps({"value": rows}).encode().replace(b"1.5", number, 1)
    handler = lambda r: httpx.Response(200, content=body)  # noqa: E731
    with pytest.raises(CrmProtocolError, match="answer is not JSON"):
        list(make_client(handler)[0].iter_product_pages())
