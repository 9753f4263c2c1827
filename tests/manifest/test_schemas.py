"""The JSON Schemas: generated files in sync, valid draft 2020-12, closed, described, and
printed by `quotesync schema`."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from quotesync_gitops.manifest.schemagen import SCHEMA_DIR, build_all
from quotesync_gitops.manifest.schemas import KINDS
from tests.manifest.helpers import HEADER, quotesync, write


def test_schema_files_match_the_generator() -> None:
    for name, text in build_all().items():
        assert (SCHEMA_DIR / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: run python -m quotesync_gitops.manifest.schemagen"
        )


def _objects(node: Any, path: str = "#") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _objects(value, f"{path}/{index}")


@pytest.mark.parametrize("kind", KINDS)
def test_schema_is_valid_closed_and_described(kind: str) -> None:
    schema = json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8"))

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{kind}.schema.json")
    for where, node in _objects(schema):
        if "properties" in node and not where.endswith("/if"):
            assert node.get("additionalProperties") is False, where
            for name, prop in node["properties"].items():
                assert prop.get("description"), f"{where}/properties/{name}"


def test_schema_command_lists_and_prints() -> None:
    listing = quotesync("schema")
    printed = quotesync("schema", "erpconnection")
    combined = quotesync("schema", "manifest")

    assert listing.exit_code == 0
    assert [line.split()[0] for line in listing.stdout.splitlines()] == [
        *KINDS,
        "manifest",
        "plan",
    ]
    assert "ERP connection of a Sync Connector" in listing.stdout
    assert printed.exit_code == 0
    assert json.loads(printed.stdout)["title"] == "ERP connection of a Sync Connector"
    assert json.loads(combined.stdout)["properties"]["kind"]["enum"] == list(KINDS)


def test_schema_command_rejects_an_unknown_kind() -> None:
    result = quotesync("schema", "PriceLists")

    assert result.exit_code == 1
    assert result.stderr == (
        "error: unknown kind 'PriceLists'; did you mean PriceList? (kinds: ErpConnector, "
        "ErpConnection, QuoteConnection, SyncSettings, PriceList, ProductFieldSettings, "
        "SaleTypeQuoteSettings, RepositorySettings; also manifest, plan)\n"
    )


def test_combined_schema_checks_each_kind_by_its_own_rules() -> None:
    combined = json.loads((SCHEMA_DIR / "manifest.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(combined)
    good = {
        "apiVersion": "quotesync.io/v1",
        "kind": "ErpConnector",
        "metadata": {"name": "C"},
        "spec": {"url": "https://x.example"},
    }
    bad = {**good, "spec": {"url": "https://x.example", "colour": "red"}}

    assert list(validator.iter_errors(good)) == []
    assert list(validator.iter_errors(bad))


def test_tombstones_need_no_other_fields(workdir: Path) -> None:
    documents = [
        HEADER + f"kind: {kind}\nmetadata:\n  name: gone\nspec:\n  deleted: true\n"
        for kind in KINDS
    ]
    write(workdir, {"tombstones.yaml": "---\n".join(documents)})

    result = quotesync("validate", "tombstones.yaml")

    assert result.exit_code == 0, result.output
    assert result.stdout == f"{len(KINDS)} resources in 1 file, valid\n"
