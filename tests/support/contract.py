"""Validate JSON bodies against SuperOffice's own API documents, kept in superoffice-api/.

Usage::

    from tests.support.contract import assert_matches
    assert_matches("ErpSyncAgent", "SuperOffice.CRM.Services.ErpConnection", body)
    assert_matches("QuoteAgent", "SuperOffice.CRM.Services.QuoteConnection", body, many=True)

The documents are OpenAPI 3 (``components/schemas``) or Swagger 2 (``definitions``); both are
close enough to JSON Schema draft 4 for body validation. ``nullable`` (OpenAPI 3) is honoured.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

API_DIR = Path(__file__).resolve().parents[2] / "superoffice-api"

DOCUMENTS = {
    "ErpSyncAgent": "ErpSyncAgent.openapi3.json",
    "QuoteAgent": "QuoteAgent.swagger2.json",
    "Pricelist": "Pricelist.openapi3.json",
    "Product": "Product.openapi3.json",
    "MDOList": "MDOList.swagger2.json",
    "ListAgent": "ListAgent.swagger2.json",
}


def _allow_null(node: Any) -> Any:
    """OpenAPI 3 ``nullable: true`` → JSON Schema type list with null; carriers may be null."""
    if isinstance(node, dict):
        out = {k: _allow_null(v) for k, v in node.items()}
        if out.get("nullable") is True and "type" in out:
            t = out["type"]
            out["type"] = [*t, "null"] if isinstance(t, list) else [t, "null"]
        return out
    if isinstance(node, list):
        return [_allow_null(v) for v in node]
    return node


def _closed(node: Any) -> Any:
    """Forbid properties a carrier does not document (strict contract checks)."""
    if isinstance(node, dict):
        out = {k: _closed(v) for k, v in node.items()}
        if "properties" in out and "additionalProperties" not in out:
            out["additionalProperties"] = False
        return out
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


@cache
def document(name: str, strict: bool = True) -> dict[str, Any]:
    """The API document; with strict (the default) undocumented properties are errors."""
    path = API_DIR / DOCUMENTS[name]
    doc: dict[str, Any] = _allow_null(json.loads(path.read_text(encoding="utf-8")))
    return _closed(doc) if strict else doc  # type: ignore[no-any-return]


def schema_names(name: str) -> list[str]:
    doc = document(name)
    defs = doc.get("components", {}).get("schemas") or doc.get("definitions") or {}
    return sorted(defs)


def _ref(doc: dict[str, Any], schema: str) -> str:
    if "components" in doc:
        return f"#/components/schemas/{schema}"
    return f"#/definitions/{schema}"


def assert_matches(
    doc_name: str, schema: str, body: Any, *, many: bool = False, strict: bool = True
) -> None:
    """Raise AssertionError (with the jsonschema message) unless body matches the schema.

    strict: properties the carrier does not document are errors too.
    """
    doc = document(doc_name, strict)
    ref = {"$ref": _ref(doc, schema)}
    root = dict(doc)
    root.update(ref if not many else {"type": "array", "items": ref})
    root.pop("$ref", None) if many else None
    validator = jsonschema.Draft4Validator(root)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
    if errors:
        lines = [f"{list(e.path)}: {e.message}" for e in errors[:10]]
        raise AssertionError(f"body does not match {doc_name} {schema}:\n" + "\n".join(lines))


def response_schema(doc_name: str, method: str, path: str, status: str = "200") -> Any:
    """The documented response schema of one operation (for tests that want it)."""
    doc = document(doc_name)
    op = doc["paths"][path][method.lower()]
    resp = op["responses"][status]
    if "content" in resp:
        return resp["content"]["application/json"]["schema"]
    return resp.get("schema")
