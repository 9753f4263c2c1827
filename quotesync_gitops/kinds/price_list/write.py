"""Write price lists and their products.

Products are written in bulk through the client's bounded concurrency: one request per
changed product and no more. Price lists have no deleted flag, so their soft delete is
``IsActive: false``; a product's is ``InAssortment: false``. Currency and validity cannot
change after creation, so such a change replaces the list: the old one is deactivated and
renamed out of the way, and a new one is created with the products.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from quotesync_gitops.changes import Action, Change
from quotesync_gitops.crm.errors import CrmConnectionError, CrmError
from quotesync_gitops.kinds.price_list import kind as price_list
from quotesync_gitops.kinds.price_list import product_carrier as carriers
from quotesync_gitops.kinds.price_list.kind import PriceListSpec
from quotesync_gitops.kinds.product_parts import ProductSpec
from quotesync_gitops.kinds.writing import (
    ApplyContext,
    ResourceFailed,
    claim_created_products,
    created_id,
    record_created,
    retired_name,
    wanted,
    write_body,
)
from quotesync_gitops.model import Kind


def write_price_list(ac: ApplyContext, change: Change) -> None:
    client = ac.client
    if change.action is Action.DELETE:
        current = client.get_pricelist(int(change.live_ids["id"]))
        client.update_pricelist(int(change.live_ids["id"]), _plain({**current, "IsActive": False}))
        return
    want = wanted(change)
    quote_id = ac.id_of(Kind.QUOTE_CONNECTION, price_list.spec_of(want).get("quoteConnection"))
    if change.action is Action.CREATE:
        _create(ac, change, price_list.spec_of(want), quote_id)
        return
    if change.action is Action.REPLACE:
        _replace(ac, change, price_list.spec_of(want), quote_id)
        return
    list_id = int(change.live_ids["id"])
    have = change.live
    assert have is not None
    if change.fields:
        body = price_list.to_carrier(
            price_list.spec_of(want), want.name, price_list_id=list_id, quote_connection_id=quote_id
        )
        if not want.spec.get("erpKey"):
            body["ERPPriceListKey"] = have.spec.get("erpKey", "")
        client.update_pricelist(list_id, body)
    _write_products(
        ac,
        change,
        price_list.spec_of(want),
        price_list.spec_of(have),
        str(have.spec.get("erpKey", "")),
        have.ids.get("productIds", {}),
    )


def retire_price_list(ac: ApplyContext, object_id: int, new_name: str) -> None:
    """A losing duplicate of a create: renamed out of the way, deactivated (a price list has
    no deleted flag)."""
    row = write_body(ac.client.get_pricelist(object_id))
    ac.client.update_pricelist(object_id, {**row, "Name": new_name, "IsActive": False})


def _replace(ac: ApplyContext, change: Change, spec: PriceListSpec, quote_id: int) -> None:
    """Retire the old list (deactivated, renamed out of the way), then create the new one;
    when the new list itself cannot be created, the old one is put back as it was."""
    client = ac.client
    old_id = int(change.live_ids["id"])
    current = _plain(client.get_pricelist(old_id))
    planned = change.retired_value("name")  # the name plan gave it (a str), or None
    retired = planned if isinstance(planned, str) and planned else retired_name(change.name, old_id)
    client.update_pricelist(old_id, {**current, "IsActive": False, "Name": retired})
    try:
        _create(ac, change, spec, quote_id, retired=retired)
    except ListNotCreated as exc:
        try:
            client.update_pricelist(old_id, current)
        except CrmConnectionError:
            raise
        except CrmError as undo:
            raise ResourceFailed(
                f"{exc}; the old list stays deactivated as {retired!r}: {undo}"
            ) from exc
        raise ResourceFailed(f"{exc} (nothing was written: the old list was put back)") from exc


class ListNotCreated(ResourceFailed):
    """The CRM refused the new price list itself (before any of its products)."""


def _create(
    ac: ApplyContext,
    change: Change,
    spec: PriceListSpec,
    quote_id: int,
    *,
    retired: str = "",
) -> None:
    client = ac.client

    def landed() -> dict[str, Any] | None:
        for row in client.iter_pricelists():
            if row.get("Name") == change.name and row.get("Currency") == spec.get("currency"):
                return row
        return None

    body = price_list.to_carrier(spec, change.name, price_list_id=0, quote_connection_id=quote_id)
    try:
        saved = client.create_pricelist(body, landed=landed)
    except CrmConnectionError:
        raise
    except CrmError as exc:
        raise ListNotCreated(f"the CRM refused the new price list: {exc}") from exc
    record_created(ac, change.kind, change.name, saved, "PriceListId")
    key = str(saved.get("ERPPriceListKey") or "")
    products: Mapping[str, ProductSpec] = spec.get("products", {})
    codes = sorted(products)
    old = f"; the old list is deactivated as {retired!r}" if retired else ""
    results = _run_bulk(
        ac,
        change,
        [_creator(ac, key, code, products[code]) for code in codes],
        written=f"the new price list #{saved['PriceListId']}{old}",
    )
    # Someone may have created the same codes in the new list at the same time.
    created = {
        code: created_id(result, "ProductId", f"{change.address}/{code}")
        for code, result in zip(codes, results, strict=True)
    }
    claim_created_products(ac, change.name, key, created)


def _write_products(
    ac: ApplyContext,
    change: Change,
    want: PriceListSpec,
    have: PriceListSpec,
    list_key: str,
    product_ids: Mapping[str, int],
) -> None:
    wanted: Mapping[str, ProductSpec] = want.get("products", {})
    live: Mapping[str, ProductSpec] = have.get("products", {})
    calls: list[Callable[[], Any]] = []
    creates: dict[int, str] = {}  # position in calls -> code
    for child in change.children:
        code = child.code
        if child.action is Action.CREATE:
            creates[len(calls)] = code
            calls.append(_creator(ac, list_key, code, wanted[code]))
        elif child.action is Action.UPDATE:
            body = carriers.product(
                wanted[code], product_id=product_ids[code], price_list_key=list_key
            )
            calls.append(_updater(ac, product_ids[code], body))
        elif child.action is Action.DELETE:
            body = carriers.product(
                {**live[code], "inAssortment": False},
                product_id=product_ids[code],
                price_list_key=list_key,
            )
            calls.append(_updater(ac, product_ids[code], body))
    if calls:
        written = "the price list's own fields" if change.fields else ""
        results = _run_bulk(ac, change, calls, written=written)
        # Another apply may have created the same codes in this list at the same time.
        created = {
            code: created_id(results[i], "ProductId", f"{change.address}/{code}")
            for i, code in creates.items()
        }
        claim_created_products(ac, change.name, list_key, created)


def _run_bulk(
    ac: ApplyContext, change: Change, calls: list[Callable[[], Any]], *, written: str = ""
) -> list[Any]:
    """Write products concurrently, reporting progress about every 1% (and at the end).

    A product the CRM refuses fails the price list; the report says exactly what was
    written (``written``: what came before the products, and how many products)."""
    label = f"{change.kind}/{change.name}"
    total = len(calls)
    ac.progress(f"{label}: writing {total} product(s)")
    step = max(1, total // 100)
    done = 0
    lock = threading.Lock()

    def counted(call: Callable[[], Any]) -> Callable[[], Any]:
        def run() -> Any:
            nonlocal done
            result = call()
            with lock:
                done += 1
                if done % step == 0 or done == total:
                    ac.bulk_progress(label, done, total)
            return result

        return run

    try:
        return ac.client.run_bulk([counted(call) for call in calls])
    except CrmConnectionError:
        raise
    except CrmError as exc:
        before = f"{written}, " if written else ""
        raise ResourceFailed(
            f"{exc} (written before the failure: {before}{done} of {total} product(s))"
        ) from exc


def _creator(ac: ApplyContext, list_key: str, code: str, product: ProductSpec) -> Callable[[], Any]:
    client = ac.client
    body = carriers.product(product, product_id=0, price_list_key=list_key)

    def landed() -> dict[str, Any] | None:
        # Re-read only this product: keyset read filtered to the price list and code.
        for row in client.find_products(list_key, code):
            return row
        return None

    return lambda: client.create_product(body, landed=landed)


def _updater(ac: ApplyContext, product_id: int, body: dict[str, Any]) -> Callable[[], Any]:
    return lambda: ac.client.update_product(product_id, body)


def _plain(carrier: Mapping[str, Any]) -> dict[str, Any]:
    """A price list as read, minus the REST links (not part of a write body)."""
    body = write_body(carrier)
    if not body.get("PriceListId"):
        raise ResourceFailed("the CRM answered a price list without an id")
    return body
