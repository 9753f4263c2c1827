"""The price list kind: everything it is, in one package (docs/design.md, "How to add a
kind"). ``kind.py`` holds its spec types, canonical form, carrier both ways and export; the
stages reach it only through ``KIND`` (``kinds.KINDS``) and the names below."""

from __future__ import annotations

from quotesync_gitops.kinds.price_list.kind import (
    KIND,
    PriceListKind,
    PriceListSpec,
    from_carrier,
    to_carrier,
)

__all__ = ["KIND", "PriceListKind", "PriceListSpec", "from_carrier", "to_carrier"]
