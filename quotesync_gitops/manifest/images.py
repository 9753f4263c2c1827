"""Product images named in manifests (``image: images/hw-1001.png`` on a product).

The file's first bytes decide its type (PNG, JPEG or GIF: what SuperOffice shows on a
product), never its name; its size is limited; the canonical value is an
:class:`~quotesync_gitops.model.ImageFile` (type, size and sha256), so plans compare contents
and never carry bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from quotesync_gitops.model import ImageFile

#: The largest image a manifest may name.
MAX_IMAGE_BYTES = 5 * 1024 * 1024

MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif"}


def image_type(data: bytes) -> str | None:
    """The MIME type of an image by its magic bytes, or None when it is no PNG/JPEG/GIF."""
    return next((mime for magic, mime in MAGIC if data.startswith(magic)), None)


def read_image(path: Path, written: str) -> tuple[ImageFile | None, str | None]:
    """(the image, None) or (None, the problem) for the file a product's ``image`` names."""
    label = f"image {written!r}"
    try:
        size = path.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return None, (
                f"{label} is {size:,} bytes; images may be at most {MAX_IMAGE_BYTES:,} bytes"
            )
        data = path.read_bytes()
    except OSError as exc:
        return None, f"{label}: cannot read it: {exc.strerror or exc}"
    mime_type = image_type(data)
    if mime_type is None:
        return None, f"{label} is not a PNG, JPEG or GIF image (its first bytes say so)"
    return ImageFile(str(path), mime_type, len(data), hashlib.sha256(data).hexdigest()), None
