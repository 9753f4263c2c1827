"""REST resources: ``/api/v1/Pricelist``, ``/api/v1/Product`` (OData lists) and ``/api/v1/MDOList``.

Lists are read in pages ordered by primary key with a keyset filter
(``$orderBy=ProductId&$filter=ProductId gt <last id>&$top=1000``), as SuperOffice advises:
unlike a growing ``$skip``, a row created or removed during the read cannot shift the pages,
and the server never has to count past skipped rows. ``odata.nextLink`` is taken only as a
signal that more rows exist; the next URL is always built here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

from quotesync_gitops.crm.core import CrmCore, describe
from quotesync_gitops.crm.errors import CrmProtocolError
from quotesync_gitops.crm.responses import WrongShape, as_list_of_objects, as_object, int_field

PRICELIST = "/api/v1/Pricelist"
PRODUCT = "/api/v1/Product"
MAX_PAGE_SIZE = 1000

Page = tuple[list[dict[str, Any]], bool]


def _page(data: Any) -> Page:
    """``{"value": [...], "odata.nextLink": "..."}`` → (rows, whether the server says more)."""
    body = as_object(data)
    rows = as_list_of_objects(body.get("value"))
    next_link = body.get("odata.nextLink")
    if next_link is not None and not isinstance(next_link, str):
        raise WrongShape("odata.nextLink is not a string")
    return rows, bool(next_link)


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
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}")
        operation = f"GET {path}"
        last: int | None = None
        while True:
            params: dict[str, str | int] = {"$orderBy": id_field, "$top": page_size}
            conditions = [] if last is None else [f"{id_field} gt {last}"]
            conditions += [where] if where else []
            if conditions:
                params["$filter"] = " and ".join(conditions)
            rows, more = self._call("GET", path, _page, operation=operation, params=params)
            for row in rows:
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
                last = ident
                yield row
            if not rows or not (more or len(rows) >= page_size):
                return

    # --- price lists ----------------------------------------------------------------------

    def iter_pricelists(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every price list row, in ``PriceListId`` order, one page request per ``page_size``."""
        return self._iter_keyset(PRICELIST, "PriceListId", page_size)

    def get_pricelist(self, pricelist_id: int) -> dict[str, Any]:
        return self._call(
            "GET",
            f"{PRICELIST}/{pricelist_id}",
            as_object,
            operation=f"GET {PRICELIST}/{pricelist_id}",
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
            as_object,
            operation=f"POST {PRICELIST}",
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
            as_object,
            operation=f"PUT {PRICELIST}/{pricelist_id}",
            subject=describe("price list", pricelist, "Name", "PriceListId"),
            body=pricelist,
        )

    # --- products -----------------------------------------------------------------------

    def iter_products(self, page_size: int = MAX_PAGE_SIZE) -> Iterator[dict[str, Any]]:
        """Every product row, in ``ProductId`` order, one page request per ``page_size``."""
        return self._iter_keyset(PRODUCT, "ProductId", page_size)

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
            as_object,
            operation=f"GET {PRODUCT}/{product_id}",
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
            as_object,
            operation=f"POST {PRODUCT}",
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
            as_object,
            operation=f"PUT {PRODUCT}/{product_id}",
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
            as_list_of_objects,
            operation=f"GET {path}",
            subject=f"list {list_name!r}",
        )
