"""Drift goes quiet when nothing changed: unmanaged objects a repository acknowledges in git
(RepositorySettings.acknowledgeUnmanaged) are not drift, and never pruned; a new one is."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Workspace, edit, plan_json

ACKNOWLEDGE = """  acknowledgeUnmanaged:
    - {kind: QuoteConnection, name: Hand made, note: made by the partner before the repository}
"""


def _settings(ws: Workspace) -> Path:
    return ws.manifests / "settings" / "repository.yaml"


def _acknowledge(ws: Workspace, entries: str = ACKNOWLEDGE) -> None:
    path = _settings(ws)
    path.write_text(path.read_text(encoding="utf-8") + entries, encoding="utf-8")


def _hand_made(ws: Workspace, name: str) -> None:
    with ws.client() as client:
        client.quote_save_connection(
            {
                "QuoteConnectionId": 0,
                "ConnectorName": "CrmQuoteConnector",
                "DisplayName": name,
                "AllAccess": True,
            }
        )


def _quote_names(ws: Workspace) -> set[str]:
    with ws.client() as client:
        rows = client.quote_get_installed_connections()
    return {c["DisplayName"] for c in rows if not c.get("Deleted")}


def test_acknowledged_unmanaged_objects_are_not_drift_until_a_new_one_appears(
    applied: Workspace,
) -> None:
    _hand_made(applied, "Hand made")
    before = applied.run("drift", str(applied.manifests))
    assert before.exit_code == 2, before.output
    assert "? QuoteConnection/Hand made" in before.output

    _acknowledge(applied)
    quiet = applied.run("drift", str(applied.manifests))
    assert quiet.exit_code == 0, quiet.output
    assert "No drift: the CRM matches the manifests." in quiet.output
    assert "Hand made" not in quiet.output
    assert "1 unmanaged object acknowledged in RepositorySettings.acknowledgeUnmanaged" in (
        quiet.output
    )
    for fmt in ("markdown", "json"):
        assert applied.run("drift", str(applied.manifests), "--format", fmt).exit_code == 0
    report = json.loads(applied.run("drift", str(applied.manifests), "--format", "json").output)
    assert report["unmanaged"] == [
        {"kind": "QuoteConnection", "name": "Hand made", "deleted": False, "acknowledged": True}
    ]
    plan = applied.plan()
    assert plan.exit_code == 0, plan.output
    assert (
        "? QuoteConnection/Hand made  (acknowledged in RepositorySettings.acknowledgeUnmanaged)"
        in plan.output
    )

    _hand_made(applied, "Second hand")
    loud = applied.run("drift", str(applied.manifests))
    assert loud.exit_code == 2, loud.output
    assert "? QuoteConnection/Second hand" in loud.output
    assert "QuoteConnection/Hand made" not in loud.output
    assert "Drift: 1 new in the CRM, not in git." in loud.output


def test_pruning_leaves_acknowledged_objects_alone(applied: Workspace) -> None:
    _hand_made(applied, "Hand made")
    _hand_made(applied, "Not acknowledged")
    path = _settings(applied)
    path.write_text(
        path.read_text(encoding="utf-8").replace("prune: []", "prune: [QuoteConnection]"),
        encoding="utf-8",
    )
    _acknowledge(applied)
    plan = json.loads(applied.plan("--format", "json").output)
    assert [(c["name"], c["action"]) for c in plan["changes"]] == [("Not acknowledged", "delete")]
    result = applied.apply("--allow-deletes")
    assert result.exit_code == 0, result.output
    assert _quote_names(applied) == {"ERP Quotes", "Hand made"}
    assert applied.run("drift", str(applied.manifests)).exit_code == 0


def test_acknowledgement_mistakes_are_refused_at_their_line(ws: Workspace) -> None:
    _acknowledge(
        ws,
        "  acknowledgeUnmanaged:\n"
        "    - {kind: QuoteConnection, name: Hand made}\n"
        "    - {kind: Connector, name: X}\n"
        "    - {kind: QuoteConnection, name: Hand made}\n"
        "    - {kind: PriceList}\n",
    )
    shown = "manifests/settings/repository.yaml"
    result = ws.run("validate", str(ws.manifests))
    assert result.exit_code == 1, result.output
    lines = len(_settings(ws).read_text(encoding="utf-8").splitlines())
    out = result.output
    assert (
        f"{shown}:{lines - 2}:14: error: spec.acknowledgeUnmanaged[1].kind must be one of: " in out
    )
    assert "not 'Connector'; did you mean 'ErpConnector'?" in out
    assert (
        f"{shown}:{lines - 1}:7: error: 'QuoteConnection/Hand made' is listed twice in "
        f"acknowledgeUnmanaged (first at line {lines - 3}" in out
    )
    assert (
        f"{shown}:{lines}:7: error: spec.acknowledgeUnmanaged[3] is missing the required "
        "field 'name'" in out
    )
    applied = ws.apply()
    assert applied.exit_code == 1, applied.output
    with ws.client() as client:
        assert client.erp_get_all_connections(include_deleted=True) == []
        assert client.quote_get_installed_connections() == []


def test_connectors_installed_with_the_tenant_can_be_acknowledged(ws: Workspace) -> None:
    """A repository that manages price lists only: the tenant's pre-installed connectors are
    drift until acknowledged, and drift is quiet after that."""
    for folder in ("erp", "quote"):
        for path in (ws.manifests / folder).iterdir():
            path.unlink()
        (ws.manifests / folder).rmdir()
    (ws.manifests / "settings" / "sync.yaml").unlink()
    applied = ws.apply()
    assert applied.exit_code == 0, applied.output
    before = ws.run("drift", str(ws.manifests))
    assert before.exit_code == 2, before.output
    assert "? ErpConnector/Demo ERP" in before.output
    _acknowledge(
        ws,
        "  acknowledgeUnmanaged:\n"
        "    - {kind: ErpConnector, name: Demo ERP, note: installed with the tenant}\n"
        "    - {kind: ErpConnector, name: Demo Accounting}\n",
    )
    quiet = ws.run("drift", str(ws.manifests), "--format", "markdown")
    assert quiet.exit_code == 0, quiet.output
    assert "No drift" in quiet.output
    assert "2 unmanaged objects acknowledged in RepositorySettings" in quiet.output
    assert "Demo ERP" not in quiet.output


def test_what_the_tool_retired_itself_is_not_drift(applied: Workspace) -> None:
    """A tombstoned connection and a pruned one are soft-deleted by apply: quiet after."""
    edit(
        applied.manifests / "quote" / "erp-quotes.yaml",
        "spec:\n",
        "spec:\n  deleted: true\n",
    )
    _hand_made(applied, "Pruned later")
    settings = _settings(applied)
    edit(settings, "prune: []", "prune: [QuoteConnection]")
    result = applied.apply("--allow-deletes")
    assert result.exit_code == 0, result.output
    assert _quote_names(applied) == set()
    drift = applied.run("drift", str(applied.manifests))
    assert drift.exit_code == 0, drift.output
    assert "Pruned later" not in drift.output and "ERP Quotes" not in drift.output
    edit(settings, "prune: [QuoteConnection]", "prune: []")
    assert applied.run("drift", str(applied.manifests)).exit_code == 0


def test_acknowledging_a_declared_object_is_a_warning_and_it_stays_managed(
    ws: Workspace,
) -> None:
    _acknowledge(ws, "  acknowledgeUnmanaged:\n    - {kind: QuoteConnection, name: ERP Quotes}\n")
    lines = len(_settings(ws).read_text(encoding="utf-8").splitlines())
    result = ws.run("validate", str(ws.manifests))
    assert result.exit_code == 0, result.output
    assert (
        f"settings/repository.yaml:{lines}:7: warning: QuoteConnection 'ERP Quotes' is "
        "acknowledged as unmanaged, but a manifest declares it (at " in result.output
    )
    plan = plan_json(ws)
    assert ("QuoteConnection", "create") in {(c["kind"], c["action"]) for c in plan["changes"]}
