"""The JSON Schema files of the manifest kinds, as shipped in ``quotesync_gitops/schemas``."""

from __future__ import annotations

import json
from functools import cache

from quotesync_gitops.manifest.schema_check import SCHEMA_DIR
from quotesync_gitops.model import MANIFEST_KINDS

KINDS: tuple[str, ...] = tuple(str(k) for k in MANIFEST_KINDS)

#: The schema for files mixing kinds (dispatches on ``kind``).
COMBINED = "manifest"


def schema_file_name(kind: str) -> str:
    return f"{kind}.schema.json"


@cache
def schema_text(kind: str) -> str:
    """The schema file of ``kind`` (or ``manifest``) exactly as shipped."""
    return (SCHEMA_DIR / schema_file_name(kind)).read_text(encoding="utf-8")


def schema_title(kind: str) -> str:
    title = json.loads(schema_text(kind)).get("title", "")
    return str(title)
