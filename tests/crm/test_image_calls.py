"""Product image calls: documented paths and methods, the multipart body Product.openapi3.json
documents (one part, ``image``), "no image" read as None, and answers checked."""

from __future__ import annotations

import json

import httpx
import pytest

from quotesync_gitops.crm.errors import CrmProtocolError
from tests.crm.helpers import json_response, make_client
from tests.support.contract import API_DIR

PNG = b"\x89PNG\r\n\x1a\n" + b"\x07" * 30


def documented() -> dict[str, set[str]]:
    doc = json.loads((API_DIR / "Product.openapi3.json").read_text(encoding="utf-8"))
    return {path: set(ops) for path, ops in doc["paths"].items()}


def test_calls_use_documented_paths_and_a_multipart_image_part() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return json_response(7)
        if request.url.path.endswith("/ImageInfo"):
            return json_response({"BlobId": 7, "MimeType": "image/png", "OriginalSize": 38})
        if request.method == "GET":
            return httpx.Response(200, content=PNG, headers={"Content-Type": "image/png"})
        return httpx.Response(204)

    client, recorder = make_client(answer)
    assert client.put_product_image(3, PNG, "image/png", "a.png") == 7
    assert client.get_product_image_info(3) == {
        "BlobId": 7,
        "MimeType": "image/png",
        "OriginalSize": 38,
    }
    assert client.get_product_image(3) == PNG
    client.delete_product_image(3)

    paths = documented()
    for request in recorder.requests:
        template = request.url.path.removeprefix("/Cust12345").replace("/3/", "/{productId}/")
        assert request.method.lower() in paths[template], template
    put = recorder.requests[0]
    content_type = put.headers["content-type"]
    assert content_type.startswith("multipart/form-data; boundary=")
    boundary = content_type.split("boundary=")[1].encode()
    assert put.content.startswith(b"--" + boundary + b"\r\n")
    assert b'Content-Disposition: form-data; name="image"; filename="a.png"' in put.content
    assert b"\r\n\r\n" + PNG + b"\r\n--" + boundary + b"--\r\n" in put.content


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(404, json={"Error": True, "ErrorType": "NotFound", "ErrorMessage": "x"}),
        httpx.Response(200, json=None),
        httpx.Response(200, json={"BlobId": 0}),
    ],
)
def test_no_image_reads_as_none(answer: httpx.Response) -> None:
    client, _ = make_client(lambda _request: answer)
    assert client.get_product_image_info(3) is None


def test_a_save_answered_without_a_blob_id_is_a_protocol_error() -> None:
    client, _ = make_client(lambda _request: json_response("seven"))
    with pytest.raises(CrmProtocolError, match="blob id"):
        client.put_product_image(3, PNG, "image/png", "a.png")
