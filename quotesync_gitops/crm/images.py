"""Product images (Product.openapi3.json): ``/api/v1/Product/{productId}/Image`` and ``ImageInfo``.

The bytes travel as the documented ``multipart/form-data`` body with one part, ``image``. A
product without an image answers 404 on ``Image``, and ``null`` (or 404, or a blob without an
id) on ``ImageInfo``; all of those read as "no image" here.
"""

from __future__ import annotations

import secrets
from typing import Any

from quotesync_gitops.crm.core import CrmCore
from quotesync_gitops.crm.errors import CrmNotFound
from quotesync_gitops.crm.responses import WrongShape
from quotesync_gitops.crm.shapes import INT, STR, Carrier, object_of

PRODUCT = "/api/v1/Product"

BLOB_ENTITY = Carrier(
    "BlobEntity",
    {"BlobId": INT, "BlobSize": INT, "OriginalSize": INT, "MimeType": STR, "ExtraInfo": STR},
)


def _subject(product_id: int) -> str:
    return f"image of product #{product_id}"


def _bytes(data: Any) -> bytes:
    if not isinstance(data, bytes):
        raise WrongShape("the image answer is not bytes")
    return data


def _blob_id(data: Any) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        raise WrongShape("the answer to an image save should be the blob id (an integer)")
    return data


def multipart(data: bytes, mime_type: str, file_name: str) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with the one part ``image``, and its content type."""
    boundary = f"quotesync-{secrets.token_hex(12)}"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="image"; filename="{file_name}"\r\n'
        f"Content-Type: {mime_type}\r\n\r\n"
    ).encode("ascii")
    return head + data + f"\r\n--{boundary}--\r\n".encode("ascii"), (
        f"multipart/form-data; boundary={boundary}"
    )


class ImageCalls(CrmCore):
    """Read, write and delete the image of a product."""

    def get_product_image_info(self, product_id: int) -> dict[str, Any] | None:
        """The BlobEntity of the product's image, or None when it has none."""
        try:
            info = self._call(
                "GET",
                f"{PRODUCT}/{product_id}/ImageInfo",
                object_of(BLOB_ENTITY),
                subject=_subject(product_id),
            )
        except CrmNotFound:
            return None
        return info if int(info.get("BlobId") or 0) > 0 else None

    def get_product_image(self, product_id: int) -> bytes | None:
        """The image bytes, or None when the product has none (404)."""
        try:
            return self._call(
                "GET",
                f"{PRODUCT}/{product_id}/Image",
                _bytes,
                subject=_subject(product_id),
                binary=True,
            )
        except CrmNotFound:
            return None

    def put_product_image(
        self, product_id: int, data: bytes, mime_type: str, file_name: str
    ) -> int:
        """``PUT .../Image``: replaces the image (the same bytes again change nothing)."""
        return self._call(
            "PUT",
            f"{PRODUCT}/{product_id}/Image",
            _blob_id,
            subject=_subject(product_id),
            upload=multipart(data, mime_type, file_name),
        )

    def delete_product_image(self, product_id: int) -> None:
        self._call(
            "DELETE",
            f"{PRODUCT}/{product_id}/Image",
            lambda _data: None,
            subject=_subject(product_id),
        )
