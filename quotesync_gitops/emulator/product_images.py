"""Product images, as Product.openapi3.json has them: ``/api/v1/Product/{productId}/Image`` (the
bytes: GET, PUT/POST to save, DELETE) and ``.../ImageInfo`` (the ``BlobEntity`` describing them).

A save takes ``multipart/form-data`` with the bitmap in a part named ``image`` (the documented
request body) or the raw bitmap; PNG, JPEG, GIF and TIFF are recognised by their first bytes.
GET answers 404 when the product has no image; ImageInfo answers ``null`` then.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

from quotesync_gitops.emulator.http import (
    NO_CONTENT,
    Call,
    HttpError,
    Response,
    Route,
    bad_request,
    get_str,
    not_found,
    ok,
    route,
)

TABLES = ("product_image",)
SCHEMA = (
    """CREATE TABLE IF NOT EXISTS product_image (
        product_id INTEGER PRIMARY KEY, blob_id INTEGER NOT NULL UNIQUE, mime_type TEXT NOT NULL,
        data BLOB NOT NULL, description TEXT NOT NULL, extra_info TEXT NOT NULL,
        created TEXT NOT NULL, updated TEXT NOT NULL)""",
)

#: The largest image the emulator stores (SuperOffice documents no limit; this keeps tests honest
#: about large bodies without storing arbitrary amounts).
MAX_IMAGE_BYTES = 10 * 1024 * 1024

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
)


def create(db: sqlite3.Connection) -> None:
    for statement in SCHEMA:
        db.execute(statement)


def mime_type(data: bytes) -> str | None:
    return next((mime for magic, mime in _MAGIC if data.startswith(magic)), None)


def _product_id(call: Call) -> int:
    raw = call.params["productId"]
    if not raw.isdigit():
        raise bad_request(f"'{raw}' is not a product id.")
    product_id = int(raw)
    if call.db.execute("SELECT 1 FROM product WHERE id = ?", (product_id,)).fetchone() is None:
        raise not_found(f"There is no product with id {product_id}.")
    return product_id


def _bitmap(body: bytes) -> bytes:
    """The image of a multipart body (part ``image``), or the body itself."""
    if not body.startswith(b"--"):
        return body
    boundary = body.split(b"\r\n", 1)[0]
    for part in body.split(boundary)[1:]:
        head, _, content = part.partition(b"\r\n\r\n")
        if b'name="image"' in head:
            return content.removesuffix(b"\r\n")
    return b""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def save_image(call: Call) -> Response:
    product_id = _product_id(call)
    data = _bitmap(call.request.body)
    mime = mime_type(data)
    if not data or mime is None:
        raise bad_request("Image bitmap is missing from body.")
    if len(data) > MAX_IMAGE_BYTES:
        raise HttpError(413, "TooLarge", f"The image is larger than {MAX_IMAGE_BYTES} bytes.")
    row = call.db.execute(
        "SELECT blob_id, created FROM product_image WHERE product_id = ?", (product_id,)
    ).fetchone()
    now = _now()
    if row is None:
        highest = call.db.execute("SELECT MAX(blob_id) FROM product_image").fetchone()[0]
        blob_id, created = int(highest or 0) + 1, now
    else:
        blob_id, created = int(row["blob_id"]), str(row["created"])
    call.db.execute(
        "INSERT OR REPLACE INTO product_image VALUES (?, ?, ?, ?, '', '', ?, ?)",
        (product_id, blob_id, mime, data, created, now),
    )
    return ok(blob_id)


def get_image(call: Call) -> Response:
    row = call.db.execute(
        "SELECT mime_type, data FROM product_image WHERE product_id = ?", (_product_id(call),)
    ).fetchone()
    if row is None:
        raise not_found("No image on this product.")
    return Response(200, bytes(row["data"]), headers=(("Content-Type", row["mime_type"]),))


def delete_image(call: Call) -> Response:
    call.db.execute("DELETE FROM product_image WHERE product_id = ?", (_product_id(call),))
    return NO_CONTENT


def _info(row: sqlite3.Row) -> dict[str, Any]:
    size = len(bytes(row["data"]))
    return {
        "BlobId": row["blob_id"],
        "BlobSize": size,
        "Description": row["description"],
        "ExtraInfo": row["extra_info"],
        "IsEncrypted": False,
        "IsZipped": False,
        "MimeType": row["mime_type"],
        "OriginalSize": size,
        "CreatedDate": row["created"],
        "UpdatedDate": row["updated"],
        "ConceptualType": "PRODUCTIMAGE",
        "FieldProperties": {},
    }


def get_info(call: Call) -> Response:
    row = call.db.execute(
        "SELECT * FROM product_image WHERE product_id = ?", (_product_id(call),)
    ).fetchone()
    return ok(None if row is None else _info(row))


def put_info(call: Call) -> Response:
    """Only what a user may describe (Description, ExtraInfo); the bytes decide the rest."""
    product_id = _product_id(call)
    row = call.db.execute(
        "SELECT * FROM product_image WHERE product_id = ?", (product_id,)
    ).fetchone()
    if row is None:
        raise not_found("No image on this product.")
    body = call.request.json_object()
    call.db.execute(
        "UPDATE product_image SET description = ?, extra_info = ?, updated = ? "
        "WHERE product_id = ?",
        (
            get_str(body, "Description", row["description"]),
            get_str(body, "ExtraInfo", row["extra_info"]),
            _now(),
            product_id,
        ),
    )
    saved = call.db.execute(
        "SELECT * FROM product_image WHERE product_id = ?", (product_id,)
    ).fetchone()
    return ok(_info(saved))


_IMAGE = "/api/v1/Product/{productId}/Image"
_INFO = "/api/v1/Product/{productId}/ImageInfo"

ROUTES: list[Route] = [
    route("GET", _IMAGE, get_image, writes=False),
    route("PUT", _IMAGE, save_image, writes=True),
    route("POST", _IMAGE, save_image, writes=True),
    route("DELETE", _IMAGE, delete_image, writes=True),
    route("GET", _INFO, get_info, writes=False),
    route("PUT", _INFO, put_info, writes=True),
]
