"""Quote agent: price lists and products (the agent face of ``/api/v1/Pricelist`` and ``/Product``).

The rules are the REST resources' (``rest.store_price_list`` / ``rest.store_product``); only the
way of failing differs: a rule violation answers the agent way (200 with a ``Message``), an unknown
id ``null`` for a read. ``GetPriceList``, ``DeletePriceList`` and ``DeleteProduct`` take their id
in the query string, as SuperOffice's client sends it; the others in the body.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from quotesync_gitops.emulator import rest
from quotesync_gitops.emulator.http import (
    NO_CONTENT,
    AgentMessage,
    Call,
    Handler,
    HttpError,
    Response,
    get_int,
    get_str,
    ok,
)
from quotesync_gitops.emulator.rights import with_rights
from quotesync_gitops.emulator.tables import PRICE_LIST


@contextmanager
def _agent_rules() -> Iterator[None]:
    """A refused save answers as agents do: a ``Message`` naming the rule, nothing written.

    Malformed input (a wrong JSON type) stays the 400 model binding gives.
    """
    try:
        yield
    except HttpError as error:
        if error.error_type == "BadRequest":
            raise
        raise AgentMessage(error.message, error.error_type) from error


def _id_param(call: Call, name: str) -> int:
    """An id from the query string (``?priceListId=3``), else from the body."""
    value = call.request.int_param(name)
    return get_int(call.request.json_object(), name) if value is None else value


def _price_list(db: sqlite3.Connection, price_list_id: int) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM price_list WHERE id = ?", (price_list_id,)).fetchone()
    return None if row is None else with_rights(PRICE_LIST.carrier(row))


def _product(db: sqlite3.Connection, product_id: int) -> dict[str, Any] | None:
    row = db.execute("SELECT * FROM product WHERE id = ?", (product_id,)).fetchone()
    return None if row is None else with_rights(rest.product_carrier(row))


def _existing_product(db: sqlite3.Connection, product_id: int) -> sqlite3.Row:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM product WHERE id = ?", (product_id,)
    ).fetchone()
    if row is None:
        raise AgentMessage(f"Product {product_id} does not exist.")
    return row


# --- price lists ------------------------------------------------------------------------------


def create_default_price_list(call: Call) -> Response:
    return ok(with_rights(rest.default_price_list_carrier()))


def get_price_list(call: Call) -> Response:
    return ok(_price_list(call.db, _id_param(call, "PriceListId")))


def save_price_list(call: Call) -> Response:
    body = call.request.json_object()
    with _agent_rules():
        saved = rest.store_price_list(call.db, body, get_int(body, "PriceListId"))
    return ok(_price_list(call.db, saved))


def delete_price_list(call: Call) -> Response:
    row = call.db.execute(
        "SELECT * FROM price_list WHERE id = ?", (_id_param(call, "PriceListId"),)
    ).fetchone()
    if row is not None:
        call.db.execute("DELETE FROM product WHERE erp_price_list_key = ?", (row["erp_key"],))
        call.db.execute("DELETE FROM price_list WHERE id = ?", (row["id"],))
    return NO_CONTENT


def _currency(call: Call, body: dict[str, Any]) -> str:
    """The currency a price-list query asks for: by name, or by the MDO ``currency`` item id."""
    if "CurrencyId" not in body:
        return get_str(body, "Currency")
    currency_id = get_int(body, "CurrencyId")
    row = call.db.execute(
        "SELECT name FROM mdo_item WHERE list_name = 'currency' AND id = ?", (currency_id,)
    ).fetchone()
    return str(row["name"]) if row is not None else f"#{currency_id}"


def _price_lists(call: Call, *, active_only: bool) -> Response:
    body = call.request.json_object()
    currency = _currency(call, body)
    rows = call.db.execute(
        "SELECT * FROM price_list WHERE quote_connection_id = ? ORDER BY id",
        (get_int(body, "QuoteConnectionId"),),
    ).fetchall()
    today = f"{date.today().isoformat()}T00:00:00"
    return ok(
        [
            with_rights(PRICE_LIST.carrier(r))
            for r in rows
            if (not currency or r["currency"] == currency)
            and (not active_only or (r["is_active"] and r["valid_from"] <= today <= r["valid_to"]))
        ]
    )


def get_all_price_lists(call: Call) -> Response:
    """Every price list of the connection, inactive ones too; ``Currency`` "" means any."""
    return _price_lists(call, active_only=False)


def get_active_price_lists(call: Call) -> Response:
    """Active price lists of the connection that are valid today."""
    return _price_lists(call, active_only=True)


# --- products ---------------------------------------------------------------------------------


def create_default_product(call: Call) -> Response:
    return ok(with_rights(rest.default_product_carrier()))


def get_product_from_db_id(call: Call) -> Response:
    return ok(_product(call.db, get_int(call.request.json_object(), "ProductId")))


def get_product(call: Call) -> Response:
    """The product with that ERPProductKey in a price list of the quote connection, or null."""
    body = call.request.json_object()
    row = call.db.execute(
        "SELECT product.* FROM product JOIN price_list "
        "ON price_list.erp_key = product.erp_price_list_key "
        "WHERE price_list.quote_connection_id = ? AND product.erp_product_key = ? "
        "ORDER BY product.id LIMIT 1",
        (get_int(body, "QuoteConnectionId"), get_str(body, "ERPProductKey")),
    ).fetchone()
    return ok(None if row is None else with_rights(rest.product_carrier(row)))


def save_product(call: Call) -> Response:
    body = call.request.json_object()
    with _agent_rules():
        saved = rest.store_product(call.db, body, get_int(body, "ProductId"))
    return ok(_product(call.db, saved))


def toggle_in_assortment(call: Call) -> Response:
    row = _existing_product(call.db, get_int(call.request.json_object(), "ProductId"))
    call.db.execute(
        "UPDATE product SET in_assortment = ? WHERE id = ?",
        (int(not row["in_assortment"]), row["id"]),
    )
    return NO_CONTENT


def remove_product(call: Call) -> Response:
    row = _existing_product(call.db, get_int(call.request.json_object(), "ProductId"))
    call.db.execute("DELETE FROM product WHERE id = ?", (row["id"],))
    return NO_CONTENT


def delete_product(call: Call) -> Response:
    call.db.execute("DELETE FROM product WHERE id = ?", (_id_param(call, "ProductId"),))
    return NO_CONTENT


METHODS: dict[str, tuple[Handler, bool]] = {
    "CreateDefaultPriceList": (create_default_price_list, False),
    "GetPriceList": (get_price_list, False),
    "SavePriceList": (save_price_list, True),
    "DeletePriceList": (delete_price_list, True),
    "GetAllPriceLists": (get_all_price_lists, False),
    "GetAllPriceListsByCurrencyId": (get_all_price_lists, False),
    "GetActivePriceLists": (get_active_price_lists, False),
    "GetActivePriceListsByCurrencyId": (get_active_price_lists, False),
    "CreateDefaultProduct": (create_default_product, False),
    "GetProduct": (get_product, False),
    "GetProductFromDbId": (get_product_from_db_id, False),
    "SaveProduct": (save_product, True),
    "ToggleProductInAssortment": (toggle_in_assortment, True),
    "RemoveProduct": (remove_product, True),
    "DeleteProduct": (delete_product, True),
}
