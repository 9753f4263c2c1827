"""REST resources ``/api/v1/Pricelist`` and ``/api/v1/Product`` (with OData).

Failures answer a status code with ``{"Error": true, "ErrorType", "ErrorMessage"}``. A price list
saved with an empty ERPPriceListKey gets ``str(PriceListId)``; products belong to the price list
whose ERPPriceListKey they carry. Currency and validity of a price list are fixed at creation.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from typing import Any

from quotesync_gitops.emulator import odata
from quotesync_gitops.emulator.http import (
    INT32,
    MAX_NAME,
    NO_CONTENT,
    Call,
    HttpError,
    Response,
    Route,
    bad_request,
    not_found,
    ok,
    route,
)
from quotesync_gitops.emulator.rights import with_rights
from quotesync_gitops.emulator.tables import PRICE_LIST, PRODUCT, Column, Table


def _validation(message: str) -> HttpError:
    return HttpError(400, "ValidationError", message)


def _date(column: Column, value: str) -> str:
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise _validation(f"{column.carrier} '{value}' is not a date (use YYYY-MM-DD).") from exc
    return parsed.replace(tzinfo=None).strftime("%Y-%m-%dT%H:%M:%S")


#: What a column kind takes, in the words of the error answer.
_EXPECTED = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "str": "a string",
    "date": "a date string (YYYY-MM-DD or an ISO date-time)",
}


def _read(table: Table, body: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """Column values from a carrier body over ``stored``; unknown properties are ignored."""
    if not isinstance(body, dict):
        raise bad_request("The request body must be a JSON object.")
    values = dict(stored)
    for column in table.columns[1:]:
        value = body.get(column.carrier)  # one case-insensitive lookup: absent or null
        if value is None:
            continue
        kind = column.kind
        if kind == "bool" and isinstance(value, bool):
            values[column.name] = int(value)
        elif kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            if value not in INT32:
                raise bad_request(f"'{column.carrier}' is out of range for a 32-bit integer.")
            values[column.name] = value
        elif kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            values[column.name] = float(value)
        elif kind == "str" and isinstance(value, str):
            values[column.name] = value
        elif kind == "date" and isinstance(value, str):
            values[column.name] = _date(column, value) if value.strip() else ""
        else:
            raise bad_request(
                f"'{column.carrier}' has the wrong type: it takes {_EXPECTED[kind]}, "
                f"not {type(value).__name__}."
            )
    for carrier in ("Name", "Description"):
        limited = table.by_carrier(carrier)
        if limited is not None and len(values[limited.name]) > MAX_NAME:
            raise _validation(f"{carrier} is too long (at most {MAX_NAME} characters).")
    return values


def _row(db: sqlite3.Connection, table: Table, raw_id: str) -> sqlite3.Row:
    try:
        row_id = int(raw_id)
    except ValueError as exc:
        raise bad_request(f"'{raw_id}' is not an id.") from exc
    if row_id not in INT32:
        raise bad_request(f"'{raw_id}' is not an id.")
    row: sqlite3.Row | None = db.execute(
        f"SELECT * FROM {table.name} WHERE id = ?", (row_id,)
    ).fetchone()
    if row is None:
        kind = "Price list" if table is PRICE_LIST else "Product"
        raise not_found(f"{kind} {row_id} does not exist.")
    return row


def _insert(db: sqlite3.Connection, table: Table, values: dict[str, Any]) -> int:
    names = [c.name for c in table.columns[1:]]
    cursor = db.execute(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
        [values[n] for n in names],
    )
    return int(cursor.lastrowid or 0)


def _update(db: sqlite3.Connection, table: Table, row_id: int, values: dict[str, Any]) -> None:
    names = [c.name for c in table.columns[1:]]
    db.execute(
        f"UPDATE {table.name} SET {', '.join(f'{n} = ?' for n in names)} WHERE id = ?",
        [*(values[n] for n in names), row_id],
    )


def _page(call: Call, table: Table, where: str = "1 = 1", params: tuple[Any, ...] = ()) -> Response:
    query = odata.parse(call.request, table)
    needed = {c.name for c in query.select}
    rows = call.db.execute(
        f"SELECT {', '.join(sorted(needed))} FROM {table.name} "
        f"WHERE {where} AND ({query.where}) ORDER BY {query.order_by} LIMIT ? OFFSET ?",
        (*params, *query.params, query.top + 1, query.skip),
    ).fetchall()
    body: dict[str, Any] = {}
    if len(rows) > query.top and query.top > 0:
        body["odata.nextLink"] = odata.next_link(call.request, query)
    body["value"] = [table.carrier(r, query.select) for r in rows[: query.top]]
    return ok(body)


# --- price lists ------------------------------------------------------------------------------


def _price_list_defaults() -> dict[str, Any]:
    today = date.today()
    return {
        "erp_key": "",
        "quote_connection_id": 0,
        "name": "",
        "description": "",
        "currency": "",
        "currency_name": "",
        "valid_from": f"{today.isoformat()}T00:00:00",
        "valid_to": f"{(today + timedelta(days=365)).isoformat()}T00:00:00",
        "is_active": 1,
    }


def _with_links(call: Call, row: sqlite3.Row) -> dict[str, Any]:
    carrier = with_rights(PRICE_LIST.carrier(row))
    self_url = f"{call.request.base_url}/api/v1/Pricelist/{row['id']}"
    carrier["_Links"] = {"Self": self_url, "Products": f"{self_url}/Products"}
    return carrier


def _check_price_list(db: sqlite3.Connection, values: dict[str, Any], own_id: int) -> None:
    if not values["name"].strip():
        raise _validation("A price list needs a Name.")
    currencies = {
        r[0] for r in db.execute("SELECT name FROM mdo_item WHERE list_name = 'currency'")
    }
    if values["currency"] not in currencies:
        raise _validation(
            f"Unknown currency '{values['currency']}' (known: {', '.join(sorted(currencies))})."
        )
    if not values["valid_from"] or not values["valid_to"]:
        raise _validation("A price list needs ValidFrom and ValidTo.")
    if values["valid_to"] < values["valid_from"]:
        raise _validation("ValidTo is before ValidFrom.")
    connection = values["quote_connection_id"]
    if (
        connection
        and db.execute("SELECT 1 FROM quote_connection WHERE id = ?", (connection,)).fetchone()
        is None
    ):
        raise _validation(f"Quote connection {connection} does not exist.")
    if (
        values["erp_key"]
        and db.execute(
            "SELECT 1 FROM price_list WHERE erp_key = ? AND id <> ?", (values["erp_key"], own_id)
        ).fetchone()
    ):
        raise _validation(f"Another price list has the ERPPriceListKey '{values['erp_key']}'.")


def list_price_lists(call: Call) -> Response:
    return _page(call, PRICE_LIST)


def default_price_list_carrier() -> dict[str, Any]:
    """What a new price list starts as (REST ``/default``, agent ``CreateDefaultPriceList``)."""
    return PRICE_LIST.carrier({"id": 0, **_price_list_defaults()})


def default_price_list(call: Call) -> Response:
    return ok(with_rights(default_price_list_carrier()))


def store_price_list(db: sqlite3.Connection, body: Any, price_list_id: int) -> int:
    """Create (``price_list_id`` 0) or update a price list from a carrier body; its id.

    The REST resource and the Quote agent's ``SavePriceList`` share it. An unknown id is a 404.
    """
    if not price_list_id:
        values = _read(PRICE_LIST, body, _price_list_defaults())
        _check_price_list(db, values, 0)
        new_id = _insert(db, PRICE_LIST, values)
        if not values["erp_key"]:
            db.execute("UPDATE price_list SET erp_key = ? WHERE id = ?", (str(new_id), new_id))
        return new_id
    row = _row(db, PRICE_LIST, str(price_list_id))
    stored = dict(row)
    values = _read(PRICE_LIST, body, stored)
    for column in ("currency", "valid_from", "valid_to"):
        if values[column] != stored[column]:
            carrier = next(c.carrier for c in PRICE_LIST.columns if c.name == column)
            raise HttpError(
                400,
                "PriceListImmutableField",
                f"{carrier} of a price list cannot be changed after creation "
                f"(stored {stored[column]!r}, sent {values[column]!r}); create a new price list.",
            )
    if not values["erp_key"]:
        values["erp_key"] = str(row["id"])
    _check_price_list(db, values, row["id"])
    _update(db, PRICE_LIST, row["id"], values)
    return int(row["id"])


def price_list_row(db: sqlite3.Connection, price_list_id: int) -> sqlite3.Row:
    """The stored price list (404 when there is none)."""
    return _row(db, PRICE_LIST, str(price_list_id))


def create_price_list(call: Call) -> Response:
    new_id = store_price_list(call.db, call.request.json(), 0)
    return ok(_with_links(call, price_list_row(call.db, new_id)))


def get_price_list(call: Call) -> Response:
    return ok(_with_links(call, _row(call.db, PRICE_LIST, call.params["id"])))


def update_price_list(call: Call) -> Response:
    row = _row(call.db, PRICE_LIST, call.params["id"])
    store_price_list(call.db, call.request.json(), row["id"])
    return ok(_with_links(call, price_list_row(call.db, row["id"])))


def delete_price_list(call: Call) -> Response:
    row = _row(call.db, PRICE_LIST, call.params["id"])
    call.db.execute("DELETE FROM product WHERE erp_price_list_key = ?", (row["erp_key"],))
    call.db.execute("DELETE FROM price_list WHERE id = ?", (row["id"],))
    return NO_CONTENT


def price_list_products(call: Call) -> Response:
    row = _row(call.db, PRICE_LIST, call.params["id"])
    return _page(call, PRODUCT, "erp_price_list_key = ?", (row["erp_key"],))


# --- products ---------------------------------------------------------------------------------


def _product_defaults() -> dict[str, Any]:
    values = {c.name: c.empty for c in PRODUCT.columns[1:]}
    values.update(in_assortment=1, is_subscription=0)
    return {k: int(v) if isinstance(v, bool) else v for k, v in values.items()}


def _check_product(db: sqlite3.Connection, values: dict[str, Any]) -> None:
    key = values["erp_price_list_key"]
    if db.execute("SELECT 1 FROM price_list WHERE erp_key = ?", (key,)).fetchone() is None:
        raise _validation(f"No price list has the ERPPriceListKey '{key}'.")


def list_products(call: Call) -> Response:
    return _page(call, PRODUCT)


def product_carrier(row: Any) -> dict[str, Any]:
    return {**PRODUCT.carrier(row), "ExtraInfo": []}


def default_product_carrier() -> dict[str, Any]:
    """What a new product starts as (REST ``/default``, agent ``CreateDefaultProduct``)."""
    return product_carrier({"id": 0, **_product_defaults()})


def default_product(call: Call) -> Response:
    return ok(with_rights(default_product_carrier()))


def store_product(
    db: sqlite3.Connection, body: Any, product_id: int, row: sqlite3.Row | None = None
) -> int:
    """Create (``product_id`` 0) or update a product from a carrier body; its id.

    The REST resource and the Quote agent's ``SaveProduct`` share it. An unknown id is a 404.
    ``row``: the stored product, when the caller has just read it (not read again).
    """
    if not product_id:
        stored = _product_defaults()
    else:
        stored = dict(row if row is not None else _row(db, PRODUCT, str(product_id)))
    values = _read(PRODUCT, body, stored)
    _check_product(db, values)
    if not product_id:
        return _insert(db, PRODUCT, values)
    _update(db, PRODUCT, product_id, values)
    return product_id


def product_row(db: sqlite3.Connection, product_id: int) -> sqlite3.Row:
    """The stored product (404 when there is none)."""
    return _row(db, PRODUCT, str(product_id))


def create_product(call: Call) -> Response:
    new_id = store_product(call.db, call.request.json(), 0)
    return ok(with_rights(product_carrier(product_row(call.db, new_id))))


def get_product(call: Call) -> Response:
    return ok(with_rights(product_carrier(_row(call.db, PRODUCT, call.params["id"]))))


def update_product(call: Call) -> Response:
    row = _row(call.db, PRODUCT, call.params["id"])
    store_product(call.db, call.request.json(), row["id"], row)
    return ok(with_rights(product_carrier(product_row(call.db, row["id"]))))


def delete_product(call: Call) -> Response:
    row = _row(call.db, PRODUCT, call.params["id"])
    call.db.execute("DELETE FROM product WHERE id = ?", (row["id"],))
    return NO_CONTENT


ROUTES: list[Route] = [
    route("GET", "/api/v1/Pricelist/default", default_price_list, writes=False),
    route("GET", "/api/v1/Pricelist", list_price_lists, writes=False),
    route("POST", "/api/v1/Pricelist", create_price_list, writes=True),
    route("GET", "/api/v1/Pricelist/{id}", get_price_list, writes=False),
    route("PUT", "/api/v1/Pricelist/{id}", update_price_list, writes=True),
    route("DELETE", "/api/v1/Pricelist/{id}", delete_price_list, writes=True),
    route("GET", "/api/v1/Pricelist/{id}/Products", price_list_products, writes=False),
    route("GET", "/api/v1/Product/default", default_product, writes=False),
    route("GET", "/api/v1/Product", list_products, writes=False),
    route("POST", "/api/v1/Product", create_product, writes=True),
    route("GET", "/api/v1/Product/{id}", get_product, writes=False),
    route("PUT", "/api/v1/Product/{id}", update_product, writes=True),
    route("DELETE", "/api/v1/Product/{id}", delete_product, writes=True),
]
