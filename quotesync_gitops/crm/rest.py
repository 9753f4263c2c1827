"""REST resources: ``/api/v1/Pricelist``, ``/api/v1/Product`` (OData lists) and ``/api/v1/MDOList``.

Lists are read in pages ordered by primary key with a keyset filter
(``$orderBy=ProductId&$filter=ProductId gt <last id>&$top=1000``), as SuperOffice advises:
unlike a growing ``$skip``, a row created or removed during the read cannot shift the pages,
and the server never has to count past skipped rows. ``odata.nextLink`` is taken only as a
signal that more rows exist; the next URL is always built here.

A keyset read waits one round trip per page. :meth:`RestCalls.iter_product_pages` cuts the
id space into ranges of about a page each, from the density of the rows seen so far, and
reads up to ``read_concurrency`` ranges at once (each a keyset read bounded above), handing
pages back in id order: about as many requests as a sequential read, a fraction of its
waiting.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from operator import itemgetter, lt
from typing import Any
from urllib.parse import quote

from quotesync_gitops.crm.core import CrmCore, describe
from quotesync_gitops.crm.errors import CrmProtocolError, CrmRejected
from quotesync_gitops.crm.pages import rows_of_page
from quotesync_gitops.crm.responses import WrongShape, as_object, int_field
from quotesync_gitops.crm.shapes import MDO_LIST_ITEM, PRICE_LIST, list_of, object_of
from quotesync_gitops.crm.shapes import PRODUCT as PRODUCT_CARRIER

PRICELIST = "/api/v1/Pricelist"
PRODUCT = "/api/v1/Product"
MAX_PAGE_SIZE = 1000
#: Bounds on one list read. A server that answers page after page of new ascending ids
#: (a loop, or hostile) would otherwise grow memory without end (4.6 GB in 150 s).
MAX_ROWS = 500_000
MAX_PAGES = 20_000

Page = tuple[list[dict[str, Any]], bool]


def _page(data: Any) -> Page:
    """``{"value": [...], "odata.nextLink": "..."}`` → (rows, whether the server says more)."""
    body = as_object(data)
    rows = rows_of_page(body.get("value"))
    next_link = body.get("odata.nextLink")
    if next_link is not None and not isinstance(next_link, str):
        raise WrongShape("odata.nextLink is not a string")
    return rows, bool(next_link)


def _ascending_within(
    rows: list[dict[str, Any]], id_field: str, low: int | None, high: int | None
) -> tuple[bool, int | None]:
    """(True, last id) when every row has an integer ``id_field``, ascending within
    ``(low, high]``; else (False, low), and the caller checks row by row, wording the problem.

    A page of 1,000 ids is checked with a few C-level calls instead of a call per row.
    """
    try:
        ids = list(map(itemgetter(id_field), rows))
    except KeyError:
        return False, low
    if not ids:
        return True, low
    if set(map(type, ids)) != {int} or not all(map(lt, ids, islice(ids, 1, None))):
        return False, low
    if (low is not None and ids[0] <= low) or (high is not None and ids[-1] > high):
        return False, low
    return True, ids[-1]


class _Counted:
    """Rows and pages one read has received, refused past ``MAX_ROWS``/``MAX_PAGES``."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        self.rows = 0
        self.pages = 0

    def add(self, rows: list[dict[str, Any]]) -> None:
        self.rows += len(rows)
        self.pages += 1
        if self.rows > MAX_ROWS or self.pages > MAX_PAGES:
            raise CrmProtocolError(
                f"the list goes on past {MAX_ROWS:,} rows or {MAX_PAGES:,} pages; quotesync "
                "stops reading (a server that repeats its pages would never end)",
                operation=self.operation,
            )


def _check_page_size(page_size: int) -> None:
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")


def odata_string(value: str) -> str:
    """An OData string literal: single-quoted, quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


class RestCalls(CrmCore):
    """Price lists, products and MDO lists."""

    # --- paging -------------------------------------------------------------------------

    def _iter_keyset(
        self, path: str, id_field: str, page_size: int, where: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Rows in ``id_field`` order; ``where`` is an extra OData condition ANDed to the keyset."""
        _check_page_size(page_size)
        for rows in self._keyset_pages(path, id_field, page_size, where=where):
            yield from rows

    def _keyset_pages(
        self,
        path: str,
        id_field: str,
        page_size: int,
        low: int | None = None,
        high: int | None = None,
        where: str | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages of the rows with ``low < id <= high``, each request starting after the last."""
        counted = _Counted(f"GET {path}")
        while True:
            rows, more = self._keyset_page(path, id_field, page_size, low, high, where)
            counted.add(rows)
            yield rows
            if not more:
                return
            low = int_field(rows[-1], id_field)

    def _keyset_page(
        self,
        path: str,
        id_field: str,
        page_size: int,
        low: int | None,
        high: int | None,
        where: str | None = None,
    ) -> tuple[list[dict[str, Any]], bool]:
        """One page of rows with ``low < id <= high`` (None: unbounded), ids checked ascending.

        Returns the rows and whether more rows (of the range) may follow.
        """
        operation = f"GET {path}"
        conditions = [] if low is None else [f"{id_field} gt {low}"]
        conditions += [] if high is None else [f"{id_field} le {high}"]
        conditions += [where] if where else []
        params: dict[str, str | int] = {"$orderBy": id_field, "$top": page_size}
        if conditions:
            params["$filter"] = " and ".join(conditions)
        rows, more = self._call("GET", path, _page, operation=operation, params=params)
        checked, last = _ascending_within(rows, id_field, low, high)
        for row in () if checked else rows:
            try:
                ident = int_field(row, id_field)
            except WrongShape as exc:
                raise CrmProtocolError(str(exc), operation=operation) from exc
            if last is not None and ident <= last:
                # The server ignored the order or the filter: going on could loop forever.
                raise CrmProtocolError(
                    f"rows are not in ascending {id_field} order ({ident} after {last})",
                    operation=operation,
                )
            if high is not None and ident > high:
                raise CrmProtocolError(
                    f"the server ignored the filter: {id_field} {ident} is above {high}",
                    operation=operation,
                )
            last = ident
        if not rows or not (more or len(rows) >= page_size):
            return rows, False
        return rows, high is None or last is None or last < high

    def _range_pages(
        self,
        path: str,
        id_field: str,
        page_size: int,
        low: int,
        high: int | None,
        where: str | None = None,
    ) -> list[list[dict[str, Any]]]:
        """Every row with ``low < id <= high``, as pages (a keyset read bounded above)."""
        return list(self._keyset_pages(path, id_field, page_size, low, high, where))

    def _highest_id(self, path: str, id_field: str, where: str | None = None) -> int | None:
        """The largest id (one row, one column), or None when the server cannot sort down."""
        params: dict[str, str | int] = {
            "$orderBy": f"{id_field} desc",
            "$top": 1,
            "$select": id_field,
        }
        if where:
            params["$filter"] = where
        operation = f"GET {path}"
        try:
            rows, _ = self._call("GET", path, _page, operation=operation, params=params)
        except CrmRejected:
            return None
        if not rows:
            return None
        try:
            return int_field(rows[0], id_field)
        except WrongShape as exc:
            raise CrmProtocolError(str(exc), operation=operation) from exc

    def _iter_ranged_pages(
        self, path: str, id_field: str, page_size: int, where: str | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Pages in ``id_field`` order, id ranges read concurrently (see the module doc);
        ``where``: an OData condition ANDed to every request."""
        _check_page_size(page_size)
        counted = _Counted(f"GET {path}")
        for page in self._ranged_pages(path, id_field, page_size, where):
            counted.add(page)
            yield page

    def _ranged_pages(
        self, path: str, id_field: str, page_size: int, where: str | None
    ) -> Iterator[list[dict[str, Any]]]:
        first, more = self._keyset_page(path, id_field, page_size, None, None, where)
        yield first
        if not more:
            return  # the first page held everything
        lowest, last = int_field(first[0], id_field), int_field(first[-1], id_field)
        highest = self._highest_id(path, id_field, where)
        if highest == last and len(first) > 1:
            return  # the first page ended at the highest id (a full last page: no probe)
        workers = self.read_concurrency
        if highest is None or highest <= last or workers == 1:
            # No usable highest id (a server that cannot sort down, or ignored the order):
            # read on page after page.
            yield from self._keyset_pages(path, id_field, page_size, last, where=where)
            return
        # The ids the last range spanned per row decide the next width: enough ids for 95% of
        # a page (so a range rarely needs a second request), at least a page of ids (dense
        # ids: one request per page, as a sequential read), at most four times the last
        # width (a thin stretch is crossed in a few widening steps).
        width = max(page_size, (last - lowest + 1) * 95 // 100)
        window: deque[tuple[Future[list[list[dict[str, Any]]]], int, int]] = deque()
        pool = ThreadPoolExecutor(workers, thread_name_prefix="quotesync-read")
        try:
            cursor = last
            while cursor < highest or window:
                while cursor < highest and len(window) < workers:
                    upper = min(cursor + width, highest)
                    future = pool.submit(
                        self._range_pages, path, id_field, page_size, cursor, upper, where
                    )
                    window.append((future, cursor, upper))
                    cursor = upper
                future, low, high = window.popleft()
                done = future.result()
                found = sum(len(page) for page in done)
                wanted = page_size * 95 * (high - low) // (100 * found) if found else 4 * width
                width = max(page_size, min(wanted, 4 * width))
                yield from done
        finally:
            for future, _, _ in window:
                future.cancel()
            pool.shutdown(wait=True)

    # --- price lists ----------------------------------------------------------------------

    def iter_pricelists(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every price list row, in ``PriceListId`` order, one page request per ``page_size``."""
        return self._iter_keyset(PRICELIST, "PriceListId", page_size)

    def get_pricelist(self, pricelist_id: int) -> dict[str, Any]:
        return self._call(
            "GET",
            f"{PRICELIST}/{pricelist_id}",
            object_of(PRICE_LIST),
            subject=f"price list #{pricelist_id}",
        )

    def create_pricelist(
        self,
        pricelist: dict[str, Any],
        *,
        landed: Callable[[], dict[str, Any] | None] | None = None,
    ) -> dict[str, Any]:
        """``POST /api/v1/Pricelist``: not idempotent, so never resent on an unknown outcome."""
        return self._call(
            "POST",
            PRICELIST,
            object_of(PRICE_LIST),
            subject=describe("price list", pricelist, "Name", "PriceListId"),
            idempotent=False,
            body=pricelist,
            landed=landed,
            creating=True,
        )

    def update_pricelist(self, pricelist_id: int, pricelist: dict[str, Any]) -> dict[str, Any]:
        return self._call(
            "PUT",
            f"{PRICELIST}/{pricelist_id}",
            object_of(PRICE_LIST),
            subject=describe("price list", pricelist, "Name", "PriceListId"),
            body=pricelist,
        )

    # --- products -----------------------------------------------------------------------

    def iter_products(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every product row, in ``ProductId`` order, one page request per ``page_size``."""
        return self._iter_keyset(PRODUCT, "ProductId", page_size)

    def iter_product_pages(
        self, page_size: int = MAX_PAGE_SIZE, *, price_list_key: str | None = None
    ) -> Iterator[list[dict[str, Any]]]:
        """Every product row in ``ProductId`` order, a page at a time, ranges read concurrently.

        About one request per page, plus one for the highest id. Rows created once the read
        has started may be missed, as with any paged read. A server that cannot sort by
        ``ProductId desc`` is read sequentially. ``price_list_key``: only the products of that
        price list (``$filter=ERPPriceListKey eq '...'`` on every request).
        """
        where = None
        if price_list_key is not None:
            where = f"ERPPriceListKey eq {odata_string(price_list_key)}"
        return self._iter_ranged_pages(PRODUCT, "ProductId", page_size, where)

    def find_products(
        self, price_list_key: str, code: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Products of one price list, with this code (normally one) or all of them when
        ``code`` is None: a filtered keyset read, in ``ProductId`` order.

        Used to check whether a product create landed without reading every product, and
        whether another apply created the same codes at the same time.
        """
        where = f"ERPPriceListKey eq {odata_string(price_list_key)}"
        if code is not None:
            where += f" and Code eq {odata_string(code)}"
        return self._iter_keyset(PRODUCT, "ProductId", MAX_PAGE_SIZE, where)

    def get_product(self, product_id: int) -> dict[str, Any]:
        return self._call(
            "GET",
            f"{PRODUCT}/{product_id}",
            object_of(PRODUCT_CARRIER),
            subject=f"product #{product_id}",
        )

    def create_product(
        self,
        product: dict[str, Any],
        *,
        landed: Callable[[], dict[str, Any] | None] | None = None,
    ) -> dict[str, Any]:
        """``POST /api/v1/Product``: not idempotent, so never resent on an unknown outcome."""
        return self._call(
            "POST",
            PRODUCT,
            object_of(PRODUCT_CARRIER),
            subject=describe("product", product, "Code", "ProductId"),
            idempotent=False,
            body=product,
            landed=landed,
            creating=True,
        )

    def update_product(self, product_id: int, product: dict[str, Any]) -> dict[str, Any]:
        return self._call(
            "PUT",
            f"{PRODUCT}/{product_id}",
            object_of(PRODUCT_CARRIER),
            subject=describe("product", product, "Code", "ProductId"),
            body=product,
        )

    # --- MDO lists ------------------------------------------------------------------------

    def mdo_list(self, list_name: str) -> list[dict[str, Any]]:
        """``GET /api/v1/MDOList/<name>``: e.g. ``associate`` (users) or ``usergroup``."""
        path = f"/api/v1/MDOList/{quote(list_name, safe='')}"
        return self._call(
            "GET",
            path,
            list_of(MDO_LIST_ITEM),
            subject=f"list {list_name!r}",
        )
