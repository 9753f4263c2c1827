"""PriceList's live read (``KindDef.fetch``/``add``): the price lists and every product, the
two list reads together; products are kept as carriers (``kinds/live_products.py``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from operator import itemgetter
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.rest import MAX_PAGE_SIZE
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
    return lambda: fetch_price_lists(read.client, read.reuse, read.reread)


def add(state: LiveState, fetched: PriceListRead | None, read: LiveRead) -> None:
    """A price list names its quote connection by id: the quote connections' read before it
    left their names in ``read``."""
    if fetched is not None:
        add_price_lists(state, fetched, read.names.get(Kind.QUOTE_CONNECTION, {}))


def fetch_price_lists(
    client: CrmClient, reuse: LiveState | None = None, reread: Collection[str] = ()
) -> PriceListRead:
    """Price lists and every product: the two list reads go out together.

    With ``reuse`` (apply's verification): the price list rows are read, then the products
    of only the lists whose address is in ``reread`` (and of lists the earlier read did not
    see, such as one apply created), each with the API's filter on its key; every other
    list keeps the products ``reuse`` holds. When that would take more requests than
    reading every product (most lists written), every product is read, as without ``reuse``.
    """
    if reuse is None:
        calls: list[Callable[[], Any]] = [
            lambda: list(client.iter_pricelists()),
            lambda: _read_products(client),
        ]
        pricelists, products = client.run_bulk(calls, workers=2)
        return pricelists, products
    pricelists = list(client.iter_pricelists())
    again = set(reread)
    kept: dict[str, LiveProducts] = {}
    written: set[str] = set()
    for resource in reuse.of_kind(Kind.PRICE_LIST):
        key, of_list = resource.spec.get("erpKey"), resource.spec.get("products")
        if not isinstance(key, str) or not isinstance(of_list, LiveProducts):
            continue
        if f"{resource.kind}/{resource.name}" in again:
            written.add(key)
        else:
            kept[key] = of_list
    keys = sorted({norm.text(row.get("ERPPriceListKey")) for row in pricelists})
    fresh = [key for key in keys if key in written or key not in kept]
    sizes = {key: len(of_list) for key, of_list in kept.items()}
    if _requests(sizes.get(key, 0) for key in fresh) > _requests([sum(sizes.values())]):
        # More requests than one read of every product (most lists were written): read all.
        return pricelists, _read_products(client)
    read = client.run_bulk([_products_of(client, key) for key in fresh])
    products = {key: kept[key] for key in keys if key in kept and key not in written}
    products.update(zip(fresh, read, strict=True))
    return pricelists, products


def _requests(sizes: Iterable[int]) -> int:
    """About how many requests reading products of these counts takes, one read each: its
    pages, and the highest-id probe of a read longer than a page (``CrmClient``)."""
    return sum(1 if n < MAX_PAGE_SIZE else -(-n // MAX_PAGE_SIZE) + 1 for n in sizes)


def _products_of(client: CrmClient, key: str) -> Callable[[], LiveProducts]:
    def read() -> LiveProducts:
        products = LiveProducts()
        for page in client.iter_product_pages(price_list_key=key):
            products.extend(page)
        return products

    return read


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
