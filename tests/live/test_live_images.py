"""How one product's image is read for comparison: ImageInfo first, the bytes only when the
size cannot tell, the CRM's spelling of the type never trusted to skip them."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from quotesync_gitops.kinds.price_list.images import live_image
from quotesync_gitops.model import ImageFile, image_value
from tests.crm.helpers import Recorder, json_response, make_client

JPEG = b"\xff\xd8\xff\xe0" + b"\x11" * 60
WANTED = ImageFile("p.jpg", "image/jpeg", len(JPEG), hashlib.sha256(JPEG).hexdigest())


def crm(info: Any, data: bytes) -> tuple[Any, Recorder]:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/ImageInfo"):
            return json_response(info)
        return httpx.Response(200, content=data, headers={"Content-Type": "image/jpeg"})

    client, recorder = make_client(answer)
    return client, recorder


@pytest.mark.parametrize(
    "info",
    [
        {"BlobId": 4, "MimeType": "image/jpeg", "OriginalSize": len(JPEG)},
        {"BlobId": 4, "MimeType": "image/jpg", "OriginalSize": len(JPEG)},  # other spelling
        {"BlobId": 4, "MimeType": "", "OriginalSize": 0, "BlobSize": 12},  # size unknown
    ],
)
def test_the_same_bytes_read_as_the_wanted_image(info: dict[str, Any]) -> None:
    client, paths = crm(info, JPEG)
    assert live_image(client, 7, WANTED)() == str(WANTED)
    assert [p.rsplit("/", 1)[1] for p in paths.paths()] == ["ImageInfo", "Image"]


def test_another_size_differs_without_reading_the_bytes() -> None:
    client, paths = crm({"BlobId": 4, "MimeType": "image/png", "OriginalSize": 999}, JPEG)
    assert live_image(client, 7, WANTED)() == image_value("image/png", 999)
    assert [p.rsplit("/", 1)[1] for p in paths.paths()] == ["ImageInfo"]


def test_other_bytes_of_the_same_size_differ_by_digest() -> None:
    other = b"\xff\xd8\xff\xe0" + b"\x22" * 60
    client, _ = crm({"BlobId": 4, "MimeType": "image/jpeg", "OriginalSize": len(other)}, other)
    value = live_image(client, 7, WANTED)()
    assert value == image_value("image/jpeg", len(other), hashlib.sha256(other).hexdigest())
    assert value != WANTED


def test_no_image_and_image_null() -> None:
    client, paths = crm(None, b"")
    assert live_image(client, 7, WANTED)() is None
    client, paths = crm({"BlobId": 4, "MimeType": "image/jpeg", "OriginalSize": 64}, JPEG)
    assert live_image(client, 7, None)() == image_value("image/jpeg", 64)
    assert [p.rsplit("/", 1)[1] for p in paths.paths()] == ["ImageInfo"]  # null needs no bytes
