"""Apply respects SuperOffice's rules: config of an active connection, field order moves,
price list replacement, product soft delete, tombstones and restore."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import Workspace, edit, plan_json

ERP = "Demo ERP – Production"


def _converged(ws: Workspace) -> None:
    result = ws.plan("--detailed-exitcode")
    assert result.exit_code == 0, result.output


def _erp(ws: Workspace) -> dict[str, Any]:
    with ws.client() as client:
        rows = client.erp_get_all_connections(include_deleted=True)
    return next(r for r in rows if r["DisplayName"] == ERP)


def test_config_change_of_an_active_connection_deactivates_and_reactivates(
    applied: Workspace,
) -> None:
    manifest = applied.manifests / "erp" / "demo-erp-production.yaml"
    edit(manifest, 'companyNumber: "1"', 'companyNumber: "2"')
    plan = plan_json(applied)
    change = next(c for c in plan["changes"] if c["name"] == ERP)
    assert [f["path"] for f in change["fields"]] == ["config.companyNumber"]
    result = applied.apply()
    assert result.exit_code == 0, result.output
    _converged(applied)
    assert _erp(applied)["Active"] is True
    with applied.client() as client:
        assert (
            client.erp_get_connection_config_fields(_erp(applied)["ErpConnectionId"])[
                "companyNumber"
            ]
            == "2"
        )


def test_field_order_is_applied_with_relative_moves(applied: Workspace) -> None:
    manifest = applied.manifests / "erp" / "demo-erp-production.yaml"
    edit(
        manifest,
        "fieldOrder: [customerNo, name, orgNo, email, phone, country, category]",
        "fieldOrder: [category, country, phone, email, orgNo, name, customerNo]",
    )
    plan = plan_json(applied)
    change = next(c for c in plan["changes"] if c["name"] == ERP)
    assert change["action"] == "reorder"
    result = applied.apply()
    assert result.exit_code == 0, result.output
    _converged(applied)
    with applied.client() as client:
        mapping = client.erp_get_actor_type_mapping(_erp(applied)["ErpConnectionId"], "Customer")
    order = [fm["ErpFieldKey"] for fm in mapping["FieldMappings"]]
    wanted = ["category", "country", "phone", "email", "orgNo", "name", "customerNo"]
    assert [key for key in order if key in wanted] == wanted


def test_currency_change_replaces_the_price_list(applied: Workspace) -> None:
    manifest = applied.manifests / "pricing" / "standard-nok-2026.yaml"
    edit(manifest, "currency: NOK", "currency: SEK")
    plan = plan_json(applied)
    change = next(c for c in plan["changes"] if c["name"] == "Standard NOK 2026")
    assert change["action"] == "replace"
    assert "currency" in change["reason"]
    result = applied.apply()
    assert result.exit_code == 0, result.output
    _converged(applied)
    with applied.client() as client:
        lists = [p for p in client.iter_pricelists() if p["Name"].startswith("Standard NOK 2026")]
    assert sorted((p["Currency"], p["IsActive"]) for p in lists) == [("NOK", False), ("SEK", True)]


def test_removed_product_leaves_the_assortment_with_allow_deletes(applied: Workspace) -> None:
    manifest = applied.manifests / "pricing" / "standard-nok-2026.yaml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index("    - code: HW-1002")
    end = text.index("    - code: HW-1003")
    manifest.write_text(text[:start] + text[end:], encoding="utf-8")
    blocked = applied.apply()
    assert blocked.exit_code == 4, blocked.output
    result = applied.apply("--allow-deletes")
    assert result.exit_code == 0, result.output
    _converged(applied)
    with applied.client() as client:
        product = next(p for p in client.iter_products() if p["Code"] == "HW-1002")
    assert product["InAssortment"] is False


def test_tombstone_soft_deletes_and_removing_it_restores_the_same_id(applied: Workspace) -> None:
    manifest = applied.manifests / "erp" / "demo-accounting.yaml"
    original = manifest.read_text(encoding="utf-8")
    before = next(
        r["ErpConnectionId"]
        for r in applied.client().erp_get_all_connections(include_deleted=True)
        if r["DisplayName"] == "Demo Accounting"
    )
    sync = applied.manifests / "settings" / "sync.yaml"
    sync_text = sync.read_text(encoding="utf-8")
    edit(sync, "    - Demo Accounting\n", "")
    manifest.write_text(
        "apiVersion: quotesync.io/v1\nkind: ErpConnection\nmetadata:\n  name: Demo Accounting\n"
        "spec:\n  connector: Demo Accounting\n  deleted: true\n",
        encoding="utf-8",
    )
    result = applied.apply("--allow-deletes")
    assert result.exit_code == 0, result.output
    _converged(applied)
    manifest.write_text(original, encoding="utf-8")
    sync.write_text(sync_text, encoding="utf-8")
    plan = plan_json(applied)
    assert ("Demo Accounting", "restore") in [(c["name"], c["action"]) for c in plan["changes"]]
    result = applied.apply()
    assert result.exit_code == 0, result.output
    _converged(applied)
    rows = applied.client().erp_get_all_connections(include_deleted=True)
    same = [r for r in rows if r["DisplayName"] == "Demo Accounting"]
    assert [(r["ErpConnectionId"], r["Deleted"]) for r in same] == [(before, False)]
