"""PriceList's live read (``KindDef.fetch``/``add``): the price lists and every product, the
two list reads together; products are kept as carriers (``kinds/live_products.py``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds import normalise as norm
from quotesync_gitops.kinds.live_products import LiveProducts
from quotesync_gitops.kinds.price_list import kind as price_list
from quotesync_gitops.kinds.reading import LiveRead
from quotesync_gitops.model import Kind, LiveState, Resource

_PRICE_LIST_KEY = itemgetter("ERPPriceListKey")

#: The price lists as listed, and every product by price list key.
PriceListRead = tuple[list[dict[str, Any]], dict[str, LiveProducts]]


def fetch(read: LiveRead) -> Callable[[], PriceListRead] | None:
    if not read.wants(Kind.PRICE_LIST):
        return None
    return lambda: fetch_price_lists(read.client)


def add(state: LiveState, fetched: PriceListRead | None, read: LiveRead) -> None:
    """A price list names its quote connection by id: the quote connections' read before it
    left their names in ``read``."""
    if fetched is not None:
        add_price_lists(state, fetched, read.names.get(Kind.QUOTE_CONNECTION, {}))


def fetch_price_lists(client: CrmClient) -> PriceListRead:
    """Price lists and every product: the two list reads go out together."""
    calls: list[Callable[[], Any]] = [
        lambda: list(client.iter_pricelists()),
        lambda: _read_products(client),
    ]
    pricelists, products = client.run_bulk(calls, workers=2)
    return pricelists, products


def add_price_lists(state: LiveState, read: PriceListRead, quote_names: dict[int, str]) -> None:
    pricelists, products = read
    seen: dict[str, Resource] = {}
    for carrier in pricelists:
        name, own = price_list.from_carrier(carrier, quote_names)
        of_list = products.get(own["erpKey"]) or LiveProducts()
        resource = Resource(
            kind=Kind.PRICE_LIST,
            name=name,
            spec={**own, "products": of_list, "deleted": False},
            ids={"id": int(carrier["PriceListId"]), "productIds": of_list.ids},
        )
        previous = seen.get(name)
        if previous is not None:
            state.notes.append(
                f"Two price lists are named {name!r} in the CRM; the active one is compared."
            )
            if previous.spec["active"] and not resource.spec["active"]:
                continue
        seen[name] = resource
        state.add(resource)


def _read_products(client: CrmClient) -> dict[str, LiveProducts]:
    """Every product, by price list key: carriers kept as read (see ``kinds.live_products``).

    Pages arrive in ``ProductId`` order (id ranges read concurrently by the client). A page
    usually holds products of one price list and goes to it whole; a mixed page is split.
    """
    products: dict[str, LiveProducts] = defaultdict(LiveProducts)
    for page in client.iter_product_pages():
        try:
            keys = list(map(_PRICE_LIST_KEY, page))
        except KeyError:
            keys = [carrier.get("ERPPriceListKey") for carrier in page]
        distinct = set(keys)
        if len(distinct) == 1 and type(keys[0]) is str:
            products[keys[0]].extend(page)
            continue
        batches: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for key, carrier in zip(keys, page, strict=True):
            batches[key if type(key) is str else norm.text(key)].append(carrier)
        for key, batch in batches.items():
            products[key].extend(batch)
    return dict(products)


