"""Acceptance: export, then plan against the same CRM shows no changes; applied to a second,
empty CRM the export makes a CRM that reads back the same."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from quotesync_gitops.live.reader import read_live
from quotesync_gitops.model import Kind
from quotesync_gitops.target import open_client
from tests.export import crm_builder as built
from tests.export.conftest import printed_env_vars, run, tree_of, valid_env


def _no_changes(folder: Path, crm: str, env: dict[str, str]) -> None:
    result = run("plan", str(folder), "--detailed-exitcode", "--crm", crm, env=env)
    assert result.exit_code == 0, result.output
    assert "No changes. The CRM matches the manifests." in result.output


def test_examples_export_plans_as_no_changes(examples_crm: str, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    result = run("export", "--out", str(out), "--crm", examples_crm)
    assert result.exit_code == 0, result.output
    assert sorted(printed_env_vars(result.stdout)) == [
        "QUOTESYNC_ERP_CONNECTION_DEMO_ACCOUNTING_API_KEY",
        "QUOTESYNC_ERP_CONNECTION_DEMO_ERP_PRODUCTION_PASSWORD",
        "QUOTESYNC_QUOTE_CONNECTION_ERP_QUOTES_API_PASSWORD",
    ]
    assert sorted(p for p in tree_of(out) if p.endswith(".yaml")) == [
        "erp/connections/demo-accounting.yaml",
        "erp/connections/demo-erp-production.yaml",
        "erp/connectors/demo-accounting.yaml",
        "erp/connectors/demo-erp.yaml",
        "pricing/services-eur-2026.yaml",
        "pricing/standard-nok-2026.yaml",
        "quote/erp-quotes.yaml",
        "settings/product-fields.yaml",
        "settings/repository.yaml",
        "settings/sale-types/consulting.yaml",
        "settings/sale-types/hardware.yaml",
        "settings/sale-types/standard.yaml",
        "settings/sale-types/subscription.yaml",
        "settings/sync.yaml",
    ]
    _no_changes(out, examples_crm, valid_env(result.stdout))


def test_examples_file_is_small_and_in_reference_order(examples_crm: str, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    assert run("export", "--out", str(out), "--crm", examples_crm).exit_code == 0
    text = (out / "erp/connections/demo-accounting.yaml").read_text(encoding="utf-8")
    assert text.splitlines()[:6] == [
        "# yaml-language-server: $schema=../../schemas/ErpConnection.schema.json",
        "apiVersion: quotesync.io/v1",
        "kind: ErpConnection",
        "metadata:",
        "  name: Demo Accounting",
        "spec:",
    ]
    for default in ("active: true", "scope:", "region: eu", "showInTab: true", "deleted"):
        assert default not in text, f"{default!r} is a default and should be left out"
    assert "apiKey: ${env:QUOTESYNC_ERP_CONNECTION_DEMO_ACCOUNTING_API_KEY}" in text
    assert (out / "schemas/ErpConnection.schema.json").is_file()
    assert "prune: []" in (out / "settings/repository.yaml").read_text(encoding="utf-8")


def test_hand_built_crm_exports_with_tombstones_and_plans_as_no_changes(
    hand_built: str, tmp_path: Path
) -> None:
    out = tmp_path / "exported"
    result = run("export", "--out", str(out), "--crm", hand_built, "--include-deleted")
    assert result.exit_code == 0, result.output
    assert "3 soft-deleted object(s) as tombstones" in result.stdout
    files = tree_of(out)
    tombstone = files["erp/connections/old-erp-retired.yaml"].decode()
    assert tombstone.endswith("metadata:\n  name: Old ERP (retired)\nspec:\n  deleted: true\n")
    assert files["quote/retired-quotes.yaml"].decode().endswith("spec:\n  deleted: true\n")
    inactive = files["pricing/1e5.yaml"].decode()
    assert 'name: "1e5"' in inactive and "active: false" in inactive
    assert "deleted" not in inactive
    big = files["pricing/big-list-1-2026-27.yaml"].decode()
    assert "productsFile: big-list-1-2026-27-products.csv" in big
    rows = list(
        csv.DictReader(io.StringIO(files["pricing/big-list-1-2026-27-products.csv"].decode()))
    )
    assert len(rows) == built.BIG_LIST_SIZE
    assert "products:" in files["pricing/small-usd-list-x.yaml"].decode()
    _no_changes(out, hand_built, valid_env(result.stdout))


def test_soft_deleted_objects_are_left_out_without_include_deleted(
    hand_built: str, tmp_path: Path
) -> None:
    out = tmp_path / "exported"
    result = run("export", "--out", str(out), "--crm", hand_built)
    assert result.exit_code == 0, result.output
    assert "Left out 3 soft-deleted object(s); --include-deleted" in result.stdout
    assert not any(b"deleted: true" in content for content in tree_of(out).values())
    assert "old-erp-retired.yaml" not in str(list(tree_of(out)))
    _no_changes(out, hand_built, valid_env(result.stdout))


def test_products_csv_threshold_moves_small_lists_to_csv_and_back(
    hand_built: str, tmp_path: Path
) -> None:
    every = tmp_path / "all-csv"
    result = run(
        "export", "--out", str(every), "--crm", hand_built, "--products-csv-threshold", "0"
    )
    assert result.exit_code == 0, result.output
    assert sorted(p for p in tree_of(every) if p.endswith(".csv")) == [
        "pricing/1e5-products.csv",
        "pricing/big-list-1-2026-27-products.csv",
        "pricing/small-usd-list-x-products.csv",
    ]
    _no_changes(every, hand_built, valid_env(result.stdout))
    inline = tmp_path / "inline"
    result = run(
        "export", "--out", str(inline), "--crm", hand_built, "--products-csv-threshold", "1000"
    )
    assert result.exit_code == 0, result.output
    assert not [p for p in tree_of(inline) if p.endswith(".csv")]
    _no_changes(inline, hand_built, valid_env(result.stdout))


def _comparable(crm: str) -> dict[tuple[str, str], Any]:
    """Every live spec, as far as manifests describe it: a price list key the CRM gave itself
    (``str(PriceListId)``) is a server id, and the ERP tab order is managed for mapped fields
    only (manifests cannot name unmapped fields in fieldOrder)."""
    with open_client(crm, {}) as client:
        live = read_live(client)
    out: dict[tuple[str, str], Any] = {}
    for resource in live:
        spec = dict(resource.spec)
        if resource.kind == Kind.PRICE_LIST and spec["erpKey"] == str(resource.ids["id"]):
            spec["erpKey"] = "(assigned by the CRM)"
        if resource.kind == Kind.ERP_CONNECTION and not spec["deleted"]:
            spec["actors"] = {
                name: {
                    **actor,
                    "fieldOrder": [k for k in actor["fieldOrder"] if k in actor["mappings"]],
                }
                for name, actor in spec["actors"].items()
            }
        out[resource.key] = spec
    return out


def test_export_applied_to_an_empty_crm_makes_the_same_crm(hand_built: str, tmp_path: Path) -> None:
    first = tmp_path / "first"
    result = run("export", "--out", str(first), "--crm", hand_built)
    assert result.exit_code == 0, result.output
    env = valid_env(result.stdout)
    second_crm = f"local:{tmp_path / 'second.sqlite'}"
    applied = run("apply", str(first), "--auto-approve", "--crm", second_crm, env=env)
    assert applied.exit_code == 0, applied.output

    second = tmp_path / "second"
    again = run("export", "--out", str(second), "--crm", second_crm)
    assert again.exit_code == 0, again.output
    assert tree_of(second) == tree_of(first)
    assert printed_env_vars(again.stdout) == printed_env_vars(result.stdout)

    live_first, live_second = _comparable(hand_built), _comparable(second_crm)
    deleted = {key for key, spec in live_first.items() if spec["deleted"]}
    assert deleted == {
        (Kind.ERP_CONNECTION, built.ERP_DELETED),
        (Kind.ERP_CONNECTOR, built.CONNECTOR_DELETED),
        (Kind.QUOTE_CONNECTION, built.QUOTE_DELETED),
    }
    assert {k: v for k, v in live_first.items() if k not in deleted} == live_second
    _no_changes(first, second_crm, env)


def test_soft_deleted_connector_is_exported_as_a_tombstone(hand_built: str, tmp_path: Path) -> None:
    out = tmp_path / "exported"
    result = run("export", "--out", str(out), "--crm", hand_built, "--include-deleted")
    assert result.exit_code == 0, result.output
    assert (
        (out / "erp/connectors/legacy-erp.yaml")
        .read_text(encoding="utf-8")
        .endswith("spec:\n  deleted: true\n")
    )


def test_kind_limits_the_export_and_says_the_check_was_skipped(
    hand_built: str, tmp_path: Path
) -> None:
    out = tmp_path / "partial"
    result = run(
        "export", "--out", str(out), "--crm", hand_built, "--kind", "pricelist",
        "--kind", "QuoteConnection",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    folders = {path.split("/")[0] for path in tree_of(out)}
    assert folders == {"pricing", "quote", "schemas"}
    assert "Only some kinds were exported" in result.stdout
    assert printed_env_vars(result.stdout) == {
        "QUOTESYNC_QUOTE_CONNECTION_QUOTES_ERP_MAIN_API_PASSWORD": "apiPassword"
    }
