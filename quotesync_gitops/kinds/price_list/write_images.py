"""Write product images: ``PUT .../Image`` for a new or changed one, ``DELETE`` for
``image: null``, after the price list's products are written (new products need their ids).

The file is read again here and must still have the digest the plan showed: an image edited
after the plan fails its price list instead of uploading something nobody reviewed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from pathlib import Path

from quotesync_gitops.changes import Action, Change, Section
from quotesync_gitops.kinds.price_list.kind import desired_images
from quotesync_gitops.kinds.price_list.write import write_price_list
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, wanted
from quotesync_gitops.model import ImageFile, Kind


def write_price_list_with_images(ac: ApplyContext, change: Change) -> None:
    write_price_list(ac, change)
    if change.action is not Action.DELETE:
        write_product_images(ac, change)


def _codes(change: Change, images: Mapping[str, ImageFile | None]) -> list[str]:
    if change.action in (Action.CREATE, Action.REPLACE):  # new products: every image named
        return sorted(code for code, image in images.items() if image is not None)
    return sorted(change.touched.within(Section.IMAGES))


def write_product_images(ac: ApplyContext, change: Change) -> None:
    want = wanted(change)
    images = desired_images(want)
    codes = _codes(change, images)
    if not codes:
        return
    client = ac.client
    have = change.live
    known: Mapping[str, int] = {}
    if have is not None and change.action is Action.UPDATE:
        known = have.ids.get("productIds", {})
    list_key = ""
    if any(code not in known for code in codes):
        price_list = client.get_pricelist(ac.id_of(Kind.PRICE_LIST, change.name))
        list_key = str(price_list.get("ERPPriceListKey") or "")
    calls: list[Callable[[], object]] = []
    for code in codes:
        product_id = known.get(code) or _find(ac, list_key, code, change)
        calls.append(_writer(ac, product_id, images[code], f"{change.address}/{code}"))
    ac.progress(f"{change.address}: writing {len(calls)} product image(s)")
    client.run_bulk(calls)


def _find(ac: ApplyContext, list_key: str, code: str, change: Change) -> int:
    for row in ac.client.find_products(list_key, code):
        return int(row["ProductId"])
    raise ResourceFailed(f"{change.address}: product {code!r} is not in the CRM for its image")


def _writer(
    ac: ApplyContext, product_id: int, image: ImageFile | None, what: str
) -> Callable[[], object]:
    client = ac.client
    if image is None:
        return lambda: client.delete_product_image(product_id)
    data = _read(image, what)
    name = Path(image.path).name
    return lambda: client.put_product_image(product_id, data, image.mime_type, name)


def _read(image: ImageFile, what: str) -> bytes:
    try:
        data = Path(image.path).read_bytes()
    except OSError as exc:
        raise ResourceFailed(f"{what}: cannot read image {image.path}: {exc.strerror}") from exc
    if hashlib.sha256(data).hexdigest() != image.sha256:
        raise ResourceFailed(
            f"{what}: image {image.path} changed since it was planned; run plan again"
        )
    return data
