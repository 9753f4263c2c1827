"""Saved plans, staleness, guards, soft delete and restore, failing connection tests."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Workspace

ERP = "Demo ERP – Production"


def _names(ws: Workspace, include_deleted: bool) -> dict[str, tuple[int, bool]]:
    with ws.client() as client:
        rows = client.quote_get_installed_connections()
    return {
        r["DisplayName"]: (r["QuoteConnectionId"], bool(r.get("Deleted")))
        for r in rows
        if include_deleted or not r.get("Deleted")
    }


def test_saved_plan_applies_exactly(ws: Workspace, tmp_path: Path) -> None:
    planfile = tmp_path / "plan.json"
    assert ws.plan("--out", str(planfile)).exit_code == 0
    result = ws.run("apply", str(planfile), "--auto-approve")
    assert result.exit_code == 0, result.output
    assert ws.plan("--detailed-exitcode").exit_code == 0


def test_stale_plan_is_refused_and_changes_nothing(applied: Workspace, tmp_path: Path) -> None:
    manifest = next(applied.manifests.rglob("*.yaml"))
    text = manifest.read_text(encoding="utf-8")
    prices = next(
        p
        for p in applied.manifests.rglob("*.yaml")
        if "Standard NOK 2026" in p.read_text(encoding="utf-8")
    )
    prices.write_text(
        prices.read_text(encoding="utf-8").replace("description: ", "description: changed ", 1),
        encoding="utf-8",
    )
    planfile = tmp_path / "plan.json"
    assert applied.plan("--out", str(planfile)).exit_code == 0
    with applied.client() as client:  # someone changes a planned object
        row = next(p for p in client.iter_pricelists() if p["Name"] == "Standard NOK 2026")
        row["Description"] = "edited by hand"
        client.update_pricelist(row["PriceListId"], {k: v for k, v in row.items() if k != "_Links"})
    result = applied.run("apply", str(planfile), "--auto-approve")
    assert result.exit_code == 3, result.output
    assert "PriceList/Standard NOK 2026" in result.output
    with applied.client() as client:
        row = next(p for p in client.iter_pricelists() if p["Name"] == "Standard NOK 2026")
    assert row["Description"] == "edited by hand"
    assert manifest.read_text(encoding="utf-8") == text


def _enable_pruning(ws: Workspace) -> None:
    settings = next(
        p
        for p in ws.manifests.rglob("*.yaml")
        if "kind: RepositorySettings" in p.read_text(encoding="utf-8")
    )
    settings.write_text(
        "apiVersion: quotesync.io/v1\nkind: RepositorySettings\nmetadata:\n  name: repo\n"
        "spec:\n  prune: [QuoteConnection]\n",
        encoding="utf-8",
    )


def _quote_manifest(ws: Workspace) -> Path:
    return next(
        p
        for p in ws.manifests.rglob("*.yaml")
        if "kind: QuoteConnection" in p.read_text(encoding="utf-8")
    )


def test_pruned_removal_needs_allow_deletes_then_soft_deletes_and_restores(
    applied: Workspace, tmp_path: Path
) -> None:
    before = _names(applied, include_deleted=True)["ERP Quotes"]
    _enable_pruning(applied)
    quote = _quote_manifest(applied)
    saved = quote.read_text(encoding="utf-8")
    quote.unlink()
    blocked = applied.apply()
    assert blocked.exit_code == 4, blocked.output
    assert "--allow-deletes" in blocked.output
    assert _names(applied, include_deleted=False).get("ERP Quotes") is not None
    deleted = applied.apply("--allow-deletes")
    assert deleted.exit_code == 0, deleted.output
    assert _names(applied, include_deleted=True)["ERP Quotes"] == (before[0], True)
    quote.write_text(saved, encoding="utf-8")
    plan = json.loads(applied.plan("--format", "json").output)
    assert [(c["name"], c["action"]) for c in plan["changes"]] == [("ERP Quotes", "restore")]
    restored = applied.apply()
    assert restored.exit_code == 0, restored.output
    assert _names(applied, include_deleted=True)["ERP Quotes"] == (before[0], False)
    assert list(_names(applied, include_deleted=True)).count("ERP Quotes") == 1


def test_wrong_password_refuses_that_connection_only(ws: Workspace) -> None:
    wrong = "wrong-Qx7-password"  # not a word a temporary path could hold
    result = ws.apply(env={"DEMO_QUOTE_PASSWORD": wrong, "DEMO_ERP_PASSWORD": wrong})
    assert result.exit_code == 1, result.output
    assert "connection test failed" in result.output
    assert wrong not in result.output
    assert "ERP Quotes" not in _names(ws, include_deleted=False)
    with ws.client() as client:
        live = {r["DisplayName"]: r for r in client.erp_get_all_connections(include_deleted=True)}
    assert live.get(ERP) is None or live[ERP]["Deleted"]
    assert not live["Demo Accounting"]["Deleted"]
