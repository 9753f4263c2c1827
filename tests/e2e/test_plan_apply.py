"""plan → apply → plan on the embedded CRM with the example manifests."""

from __future__ import annotations

import json

from tests.e2e.conftest import Workspace


def test_fresh_crm_plans_every_create_and_exits_2(ws: Workspace) -> None:
    result = ws.plan("--detailed-exitcode")
    assert result.exit_code == 2, result.output
    for name in ("Demo ERP – Production", "Demo Accounting", "ERP Quotes", "Standard NOK 2026"):
        assert name in result.output
    data = json.loads(ws.plan("--format", "json").output)
    actions = {(c["kind"], c["name"]): c["action"] for c in data["changes"]}
    assert actions[("ErpConnection", "Demo ERP – Production")] == "create"
    assert actions[("QuoteConnection", "ERP Quotes")] == "create"
    assert actions[("PriceList", "Services EUR 2026")] == "create"


def test_apply_then_plan_shows_no_changes(applied: Workspace) -> None:
    result = applied.plan("--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes" in result.output
    again = applied.apply()
    assert again.exit_code == 0, again.output


def test_apply_is_refused_off_a_terminal_without_auto_approve(ws: Workspace) -> None:
    result = ws.run("apply", str(ws.manifests))
    assert result.exit_code == 1
    assert "--auto-approve" in result.output
    with ws.client() as client:
        assert client.erp_get_all_connections(include_deleted=True) == []


def test_target_limits_the_plan_and_rejects_unknown_names(ws: Workspace) -> None:
    data = json.loads(ws.plan("--format", "json", "--target", "QuoteConnection/ERP Quotes").output)
    assert [(c["kind"], c["name"]) for c in data["changes"]] == [("QuoteConnection", "ERP Quotes")]
    bad = ws.plan("--target", "QuoteConnection/Nope")
    assert bad.exit_code == 1
    assert "--target QuoteConnection/Nope matches no resource" in bad.output
