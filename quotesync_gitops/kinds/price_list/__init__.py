"""The price list kind: everything it is, in one package (docs/design.md, "How to add a
kind"). ``kind.py`` holds its spec types, canonical form, carrier both ways and export;
``write.py`` its writer (the list and its products, through ``product_carrier.py``) and
``write_images.py`` the product images written after them; this module assembles ``KIND`` from
them. The stages reach it only through ``KIND`` (``kinds.KINDS``) and the names below; the
siblings never import this module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotesync_gitops.kinds.price_list.kind import (
    PriceListKind,
    PriceListSpec,
    from_carrier,
    to_carrier,
)

if TYPE_CHECKING:
    from quotesync_gitops.changes import Change
    from quotesync_gitops.kinds.writing import ApplyContext


class PriceList(PriceListKind):
    """The kind with its writer, which writes its products too (a product is not a manifest
    kind). ``write.py`` is imported on the first write, not with the kind: it brings in the
    HTTP client, and importing the kinds must not."""

    def write(self, ac: ApplyContext, change: Change) -> None:
        from quotesync_gitops.kinds.price_list.write_images import write_price_list_with_images

        write_price_list_with_images(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        from quotesync_gitops.kinds.price_list.write import retire_price_list

        retire_price_list(ac, object_id, new_name)


KIND = PriceList()

__all__ = ["KIND", "PriceList", "PriceListKind", "PriceListSpec", "from_carrier", "to_carrier"]
