"""The price list kind: everything it is, in one package (docs/design.md, "How to add a kind").
``kind.py`` holds its spec types, canonical form, carrier both ways and export, ``read.py``
its live read, ``images.py`` its products' images; the stages reach it only through ``KIND``
(``kinds.KINDS``) and the names below."""

from __future__ import annotations

from quotesync_gitops.kinds.price_list.kind import (
    KIND,
    PriceListFields,
    PriceListHeader,
    PriceListKind,
    PriceListSpec,
    desired_images,
    from_carrier,
    spec_of,
    to_carrier,
)

__all__ = [
    "KIND",
    "PriceListFields",
    "PriceListHeader",
    "PriceListKind",
    "PriceListSpec",
    "desired_images",
    "from_carrier",
    "spec_of",
    "to_carrier",
]
