"""The product carrier a price list's writer sends (the product hot path; the fields it maps
are ``kinds/product_parts.PRODUCT_FIELDS``, shared with the reader).

Each kind's own carriers are in its module (``quotesync_gitops.kinds``). Only those, this
module and the writers that call them reveal secrets, and only into request bodies: every
carrier is built with its secrets revealed as its last step (``${env:}``, ``${file:}`` may
stand in any text value of a spec), so no writer can hand the client a ``Secret`` (which
the client refuses to serialise, by design).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quotesync_gitops.kinds.product_parts import PRODUCT_FIELDS
from quotesync_gitops.secrets import Secret


def product(values: Mapping[str, Any], *, product_id: int, price_list_key: str) -> dict[str, Any]:
    carrier: dict[str, Any] = {"ProductId": product_id, "ERPPriceListKey": price_list_key}
    for key, carrier_key in PRODUCT_FIELDS.items():
        value = values.get(key)  # flat, and called per product: revealed inline
        carrier[carrier_key] = value.reveal() if isinstance(value, Secret) else value
    return carrier
