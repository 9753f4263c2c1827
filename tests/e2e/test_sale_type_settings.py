"""SaleTypeQuoteSettings through the real CLI against the embedded CRM: plan, apply, drift,
rejections at the manifest line, removal, export and its round trip, another writer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quotesync_gitops.cli.main import cli
from quotesync_gitops.errors import StalePlanError
from quotesync_gitops.pipeline import ManifestOptions, execute, plan_against
from quotesync_gitops.target import open_client
from tests.e2e.conftest import Workspace
from tests.reliability.helpers import WsgiApp, copy_examples, run_cli, running_crm
from tests.reliability.hostile import Hostile, mutated

EXAMPLE = "settings/sale-types.yaml"
HEADER = "apiVersion: quotesync.io/v1\nkind: SaleTypeQuoteSettings\n"


def entities(ws: Workspace) -> dict[str, dict[str, Any]]:
    with ws.client() as client:
        return {e["Name"]: e for e in client.list_get_all_sale_types()}


def templates(ws: Workspace) -> dict[str, int]:
    with ws.client() as client:
        return {
            t["Name"]: int(t["DocumentTemplateId"])
            for t in client.list_get_all_document_templates()
        }


def hand_save(ws: Workspace, name: str, **changes: Any) -> None:
    with ws.client() as client:
        entity = next(e for e in client.list_get_all_sale_types() if e["Name"] == name)
        client.list_save_sale_type({**entity, **changes})


def only_sale_types(ws: Workspace, text: str) -> None:
    """Keep only a sale-type manifest in the workspace (the examples need connector tests)."""
    for path in ws.manifests.rglob("*.yaml"):
        path.unlink()
    (ws.manifests / "sale-types.yaml").write_text(text, encoding="utf-8")


def test_apply_sets_only_the_quote_settings(ws: Workspace) -> None:
    before = entities(ws)

    plan = ws.plan()
    assert "SaleTypeQuoteSettings/Hardware       update" in plan.output
    assert 'quoteLinesTemplate:        (none) → "Quote lines (grouped)"' in plan.output
    assert "maxDiscountPercent:        (none) → 15" in plan.output
    assert "SaleTypeQuoteSettings/Standard" not in plan.output  # no manifest: not managed

    assert ws.apply().exit_code == 0
    after = entities(ws)
    ids = templates(ws)
    hardware = after["Hardware"]
    assert hardware["AllowQuoteAlternatives"] is True
    assert hardware["DefaultQuoteValidity"] == 45
    assert hardware["QuoteLinesTemplate"] == ids["Quote lines (grouped)"]
    assert hardware["ConfirmationLinesTemplate"] == ids["Order confirmation lines"]
    assert (hardware["MaxDiscountPercentSet"], hardware["MaxDiscountPercent"]) == (True, 15)
    assert hardware["MinEarningPercentSet"] is False
    quote_fields = {
        "AllowQuoteAlternatives",
        "DefaultQuoteValidity",
        "QuoteLinesTemplate",
        "ConfirmationLinesTemplate",
        "MaxDiscountPercentSet",
        "MaxDiscountPercent",
    }
    untouched = {k: v for k, v in before["Hardware"].items() if k not in quote_fields}
    assert {k: v for k, v in hardware.items() if k not in quote_fields} == untouched
    assert untouched["Stages"] and untouched["HasGuide"] is True  # the rest survived the save
    assert {k: after[k] for k in after if k != "Hardware"} == {
        k: before[k] for k in before if k != "Hardware"
    }
    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_drift_shows_hand_changes_to_managed_settings_only(applied: Workspace) -> None:
    hand_save(applied, "Hardware", SortGroupLinesBy=3)  # not in the manifest: not managed
    quiet = applied.run("drift", str(applied.manifests))
    assert quiet.exit_code == 0, quiet.output

    hand_save(applied, "Hardware", MaxDiscountPercentSet=False, DefaultQuoteValidity=10)
    drift = applied.run("drift", str(applied.manifests))
    assert drift.exit_code == 2, drift.output
    assert "SaleTypeQuoteSettings/Hardware" in drift.output
    assert "defaultQuoteValidity: live: 10, manifests: 45" in drift.output
    assert "maxDiscountPercent:   live: (none), manifests: 15" in drift.output

    assert applied.apply().exit_code == 0
    assert entities(applied)["Hardware"]["SortGroupLinesBy"] == 3  # left alone
    assert applied.run("drift", str(applied.manifests)).exit_code == 0


def test_unknown_sale_type_is_an_error_at_its_name(ws: Workspace) -> None:
    only_sale_types(
        ws, HEADER + "metadata:\n  name: Hardwear\nspec:\n  allowQuoteAlternatives: true\n"
    )
    before = entities(ws)

    for command in ("plan", "apply"):
        args = [command, str(ws.manifests)] + (["--auto-approve"] if command == "apply" else [])
        result = ws.run(*args)
        assert result.exit_code == 1, result.output
        assert (
            "sale-types.yaml:4:9: error: SaleTypeQuoteSettings 'Hardwear': the CRM has no sale "
            "type named 'Hardwear'"
        ) in result.output
        assert "did you mean 'Hardware'?" in result.output
    assert entities(ws) == before


def test_template_of_the_wrong_type_is_refused(ws: Workspace) -> None:
    only_sale_types(
        ws,
        HEADER + "metadata:\n  name: Consulting\nspec:\n"
        "  quoteLinesTemplate: Order confirmation lines\n"
        "  confirmationLinesTemplate: Order confirmaton lines\n",
    )
    before = entities(ws)

    result = ws.run("apply", str(ws.manifests), "--auto-approve")

    assert result.exit_code == 1, result.output
    assert (
        "sale-types.yaml:6:23: error: SaleTypeQuoteSettings 'Consulting': spec.quoteLinesTemplate "
        "names 'Order confirmation lines', which is not a QuoteLines document template in the "
        "CRM; the CRM has: Quote lines, Quote lines (grouped)"
    ) in result.output
    assert "sale-types.yaml:7:30: error: " in result.output
    assert "did you mean 'Order confirmation lines'?" in result.output
    assert entities(ws) == before


def test_schema_errors_point_at_the_value(ws: Workspace) -> None:
    only_sale_types(
        ws,
        HEADER + "metadata:\n  name: Standard\nspec:\n  maxDiscountPercent: 101\n"
        "  defaultQuoteValidity: -1\n  allowQuoteAlternatives: yes\n",
    )
    result = ws.run("validate", str(ws.manifests))
    assert result.exit_code == 1
    assert "sale-types.yaml:6:23: error: spec.maxDiscountPercent must be at most 100" in (
        result.output
    )
    assert "sale-types.yaml:7:25: error: spec.defaultQuoteValidity must be at least 0" in (
        result.output
    )
    assert "sale-types.yaml:8:27: error: spec.allowQuoteAlternatives" in result.output


def test_templates_cannot_come_from_the_environment(ws: Workspace) -> None:
    only_sale_types(
        ws,
        HEADER + "metadata:\n  name: Standard\nspec:\n  quoteLinesTemplate: ${env:TEMPLATE}\n",
    )
    result = ws.run("validate", str(ws.manifests), env={"TEMPLATE": "Quote lines"})
    assert result.exit_code == 1
    assert "sale-types.yaml:6:23: error: spec.quoteLinesTemplate cannot come from ${env:}" in (
        result.output
    )


def test_removing_the_manifest_or_a_tombstone_writes_nothing(applied: Workspace) -> None:
    settled = entities(applied)
    (applied.manifests / EXAMPLE).write_text(
        HEADER + "metadata:\n  name: Hardware\nspec:\n  deleted: true\n", encoding="utf-8"
    )
    tombstone = applied.plan("--detailed-exitcode")
    assert tombstone.exit_code == 0, tombstone.output
    (applied.manifests / EXAMPLE).unlink()
    gone = applied.plan("--detailed-exitcode")
    assert gone.exit_code == 0, gone.output
    assert "SaleTypeQuoteSettings" not in gone.output  # never "unmanaged" either
    assert applied.apply().exit_code == 0
    assert entities(applied) == settled


def test_a_change_by_hand_after_the_plan_makes_it_stale(applied: Workspace) -> None:
    (applied.manifests / EXAMPLE).write_text(
        (applied.manifests / EXAMPLE).read_text(encoding="utf-8").replace("45", "60"),
        encoding="utf-8",
    )
    planfile = applied.root / "plan.json"
    assert applied.plan("--out", str(planfile)).exit_code == 0
    hand_save(applied, "Hardware", DefaultQuoteValidity=50)

    result = applied.run("apply", str(planfile))

    assert result.exit_code == 3, result.output
    assert "SaleTypeQuoteSettings/Hardware" in result.output
    assert entities(applied)["Hardware"]["DefaultQuoteValidity"] == 50


def test_export_round_trips_to_the_same_and_to_a_new_crm(
    applied: Workspace, tmp_path: Path
) -> None:
    hand_save(applied, "Subscription", MinEarningPercentSet=True, MinEarningPercent=12)
    out = tmp_path / "exported"
    exported = applied.run("export", "--out", str(out), "--kind", "SaleTypeQuoteSettings")
    assert exported.exit_code == 0, exported.output
    files = sorted(p.name for p in (out / "settings" / "sale-types").iterdir())
    assert files == ["consulting.yaml", "hardware.yaml", "standard.yaml", "subscription.yaml"]
    text = (out / "settings" / "sale-types" / "subscription.yaml").read_text(encoding="utf-8")
    assert "  minEarningPercent: 12\n" in text
    assert "  quoteLinesTemplate: null\n" in text
    same = applied.run("plan", str(out), "--detailed-exitcode")
    assert same.exit_code == 0, same.output

    fresh = f"local:{tmp_path / 'fresh.sqlite'}"
    runner = CliRunner()
    env = {"QUOTESYNC_CRM": fresh, "NO_COLOR": "1"}
    applied_fresh = runner.invoke(cli, ["apply", str(out), "--auto-approve"], env=env)
    assert applied_fresh.exit_code == 0, applied_fresh.output
    with open_client(fresh, {}) as client:
        copied = {e["Name"]: e for e in client.list_get_all_sale_types()}
    assert copied == entities(applied)


def test_another_writer_during_apply_stops_the_run(ws: Workspace) -> None:
    """Between the plan's read and the write, someone changes a setting apply is about to set:
    the writer's own read-before-write sees it and stops (exit 3) instead of overwriting it."""
    only_sale_types(ws, HEADER + "metadata:\n  name: Standard\nspec:\n  defaultQuoteValidity: 90\n")
    options = ManifestOptions(paths=[str(ws.manifests)], env={}, variables={})
    hand_save(ws, "Standard")  # the embedded CRM is made by its first write: share one file

    def meddle(message: str) -> None:
        if message.startswith("update SaleTypeQuoteSettings/Standard"):
            hand_save(ws, "Standard", DefaultQuoteValidity=7)

    with ws.client() as client:
        run = plan_against(client, options)
        with pytest.raises(StalePlanError, match="had its quote settings changed"):
            execute(client, run, meddle)
    assert entities(ws)["Standard"]["DefaultQuoteValidity"] == 7


def test_a_save_answered_with_other_settings_fails_that_sale_type(tmp_path: Path) -> None:
    """A CRM that answers the save with other quote settings than were sent: the sale type is
    reported as failed (exit 1), the rest of the plan goes on."""
    manifests = copy_examples(tmp_path)

    def wrap(app: WsgiApp) -> WsgiApp:
        other = mutated(lambda body: {**body, "DefaultQuoteValidity": 1})
        return Hostile(app, target="Agents/List/SaveSaleTypeEntity", corruption=other)

    with running_crm(tmp_path, wrap=wrap) as crm:
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
    assert result.exit_code == 1, result.output
    assert "failed SaleTypeQuoteSettings/Hardware: the CRM saved other values for " in (
        result.output
    )
    assert "defaultQuoteValidity" in result.output
    assert "created PriceList/Standard NOK 2026" in result.output
