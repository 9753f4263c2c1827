"""Generate the manifest JSON Schemas (``quotesync_gitops/schemas/<Kind>.schema.json``).

``python -m quotesync_gitops.manifest.schemagen`` rewrites the files; the tests fail when
the files and this generator disagree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from quotesync_gitops.manifest.schemagen.parts import DRAFT, ID_BASE, Schema

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"

#: The combined schema for files that hold documents of several kinds.
COMBINED_FILE = "manifest.schema.json"


def builders() -> dict[str, Callable[[], Schema]]:
    """Each kind's schema builder. Imported here, not with the package: validate and plan
    read the shipped files and import only ``parts`` (the patterns and limits) from it."""
    from quotesync_gitops.manifest.schemagen import connections, pricing, sale_types

    return {
        "ErpConnector": connections.erp_connector,
        "ErpConnection": connections.erp_connection,
        "QuoteConnection": connections.quote_connection,
        "SyncSettings": connections.sync_settings,
        "PriceList": pricing.price_list,
        "ProductFieldSettings": pricing.product_field_settings,
        "SaleTypeQuoteSettings": sale_types.sale_type_quote_settings,
        "RepositorySettings": pricing.repository_settings,
    }


def file_name(kind: str) -> str:
    return f"{kind}.schema.json"


def combined(schemas: dict[str, Schema]) -> Schema:
    """One schema for any kind: dispatches on ``kind`` to the kind's own rules."""
    defs: dict[str, Any] = {}
    branches = []
    for kind, schema in schemas.items():
        body = {k: v for k, v in schema.items() if k not in ("$schema", "$id", "$defs")}
        for def_name, definition in schema.get("$defs", {}).items():
            if defs.setdefault(def_name, definition) != definition:
                raise ValueError(f"definition {def_name} differs between kinds")
        defs[kind] = body
        branches.append(
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{kind}"},
            }
        )
    return {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}{COMBINED_FILE}",
        "title": "quotesync manifest (any kind)",
        "description": "A quotesync manifest document of any kind, chosen by its kind field.",
        "type": "object",
        "properties": {
            "apiVersion": {
                "description": "Version of the manifest language.",
                "const": "quotesync.io/v1",
            },
            "kind": {"description": "What this document describes.", "enum": list(schemas)},
        },
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "allOf": branches,
        "$defs": defs,
    }


def build_all() -> dict[str, str]:
    """File name → JSON text of every generated schema."""
    schemas = {kind: build() for kind, build in builders().items()}
    out = {file_name(kind): _dump(schema) for kind, schema in schemas.items()}
    out[COMBINED_FILE] = _dump(combined(schemas))
    return out


def _dump(schema: Schema) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def write_all(directory: Path = SCHEMA_DIR) -> list[Path]:
    written = []
    for name, content in build_all().items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        written.append(path)
    return written
