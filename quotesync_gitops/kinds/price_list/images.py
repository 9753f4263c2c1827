"""Read the images of the products whose manifests manage one (``image:`` given).

The Product carrier says nothing about images, so every image costs calls of its own; only the
products a manifest names an image (or ``image: null``) for are read, and products without
``image`` cost nothing. The cheapest honest comparison: ``ImageInfo`` first (no image, or
another size, already differs, and the bytes are not fetched); only when the size agrees are
the bytes read and their sha256 compared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds.price_list import desired_images
from quotesync_gitops.model import (
    DesiredState,
    ImageFile,
    Kind,
    LiveState,
    SpecValue,
    image_value,
)


def live_image(
    client: CrmClient, product_id: int, wanted: ImageFile | None
) -> Callable[[], str | None]:
    """The call that reads one product's image as an ``image_value`` (None: no image).

    Only a size that certainly differs skips the bytes (``OriginalSize`` is the size before any
    zipping; 0 or missing means unknown); the type the CRM reports is not trusted for that
    (``image/jpg`` for ``image/jpeg``). Bytes with the wanted digest read as the wanted value.
    """

    def call() -> str | None:
        info = client.get_product_image_info(product_id)
        if info is None:
            return None
        mime_type = str(info.get("MimeType") or "") or "unknown type"
        size = int(info.get("OriginalSize") or 0)
        if wanted is None or (size and size != wanted.size):
            return image_value(mime_type, size or int(info.get("BlobSize") or 0))
        data = client.get_product_image(product_id)
        if data is None:
            return None
        digest = hashlib.sha256(data).hexdigest()
        if digest == wanted.sha256:
            return str(wanted)
        return image_value(mime_type, len(data), digest)

    return call


def read_product_images(client: CrmClient, desired: DesiredState, live: LiveState) -> None:
    """Put ``spec["images"]`` (code → image value or None) on every live price list whose
    manifest manages images, for exactly the codes it manages."""
    for want in desired.of_kind(Kind.PRICE_LIST):
        images = desired_images(want)
        have = live.get(Kind.PRICE_LIST, want.name)
        if not images or have is None:
            continue
        product_ids: Mapping[str, int] = have.ids.get("productIds", {})
        codes = sorted(code for code in images if code in product_ids)
        found = client.run_bulk(
            [live_image(client, product_ids[code], images[code]) for code in codes]
        )
        spec: dict[str, SpecValue] = dict(have.spec)
        spec["images"] = dict(zip(codes, found, strict=True))
        live.add(replace(have, spec=spec))


def _image_bytes(client: CrmClient, product_id: int) -> Callable[[], bytes | None]:
    def call() -> bytes | None:
        if client.get_product_image_info(product_id) is None:
            return None
        return client.get_product_image(product_id)

    return call


def read_all_product_images(client: CrmClient, live: LiveState) -> dict[str, dict[str, bytes]]:
    """Price list name → code → image bytes, for every product that has an image (export).

    The CRM cannot list which products have images, so this asks about every product: one
    ``ImageInfo`` each, and the bytes of those that have one.
    """
    out: dict[str, dict[str, bytes]] = {}
    for price_list in live.of_kind(Kind.PRICE_LIST):
        product_ids: Mapping[str, int] = price_list.ids.get("productIds", {})
        codes = sorted(product_ids)
        found = client.run_bulk([_image_bytes(client, product_ids[code]) for code in codes])
        images = {code: data for code, data in zip(codes, found, strict=True) if data}
        if images:
            out[price_list.name] = images
    return out
