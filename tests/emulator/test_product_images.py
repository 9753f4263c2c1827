"""The emulator's product image endpoints over HTTP, against Product.openapi3.json."""

from __future__ import annotations

import httpx

from quotesync_gitops.crm.images import multipart
from tests.emulator.conftest import Api
from tests.support.contract import assert_matches

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
GIF = b"GIF89a" + b"\x01" * 20


def product(api: Api) -> int:
    price_list = api.new_price_list()
    answer = api.http.post(
        "/api/v1/Product",
        json={"Name": "Widget", "Code": "W-1", "ERPPriceListKey": price_list["ERPPriceListKey"]},
    )
    assert answer.status_code == 200, answer.text
    return int(answer.json()["ProductId"])


def test_no_image_is_404_and_null_info(api: Api) -> None:
    pid = product(api)
    assert api.http.get(f"/api/v1/Product/{pid}/Image").status_code == 404
    info = api.http.get(f"/api/v1/Product/{pid}/ImageInfo")
    assert info.status_code == 200 and info.json() is None
    assert api.http.get("/api/v1/Product/999/ImageInfo").status_code == 404


def test_save_as_documented_then_read_back(api: Api) -> None:
    pid = product(api)
    body, content_type = multipart(PNG, "image/png", "w.png")
    saved = api.http.put(
        f"/api/v1/Product/{pid}/Image", content=body, headers={"Content-Type": content_type}
    )
    assert saved.status_code == 200 and isinstance(saved.json(), int)

    image = api.http.get(f"/api/v1/Product/{pid}/Image")
    assert image.content == PNG and image.headers["content-type"] == "image/png"
    info = api.http.get(f"/api/v1/Product/{pid}/ImageInfo").json()
    assert_matches("Product", "SuperOffice.CRM.Services.BlobEntity", info)
    assert (info["MimeType"], info["OriginalSize"], info["BlobId"]) == (
        "image/png",
        48,
        saved.json(),
    )

    raw = api.http.post(f"/api/v1/Product/{pid}/Image", content=GIF)  # a raw body works too
    assert raw.json() == saved.json()  # the same blob, replaced
    assert api.http.get(f"/api/v1/Product/{pid}/ImageInfo").json()["MimeType"] == "image/gif"

    described = api.http.put(
        f"/api/v1/Product/{pid}/ImageInfo", json={"Description": "front", "MimeType": "x/y"}
    ).json()
    assert (described["Description"], described["MimeType"]) == ("front", "image/gif")

    assert api.http.delete(f"/api/v1/Product/{pid}/Image").status_code == 204
    assert api.http.get(f"/api/v1/Product/{pid}/Image").status_code == 404


def test_a_body_without_a_bitmap_is_refused(api: Api, http: httpx.Client) -> None:
    pid = product(api)
    for content in (b"", b"hello", multipart(b"not an image", "image/png", "x.png")[0]):
        answer = http.put(f"/api/v1/Product/{pid}/Image", content=content)
        assert answer.status_code == 400, answer.text
        assert answer.json()["ErrorMessage"] == "Image bitmap is missing from body."
    assert http.get(f"/api/v1/Product/{pid}/ImageInfo").json() is None
