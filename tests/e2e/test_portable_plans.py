"""Saved plans are portable: a --target plan applies while other manifests have pending
edits (only what it touches must be unchanged), and `apply PLANFILE` works from any folder
(relative paths and a relative local: target are relative to the plan's recorded workdir)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quotesync_gitops.cli.main import cli
from quotesync_gitops.target import open_client
from tests.e2e.conftest import Workspace, edit

NOK = "Standard NOK 2026"
ERP = "Demo ERP – Production"


def _nok(ws: Workspace) -> Path:
    return ws.manifests / "pricing" / "standard-nok-2026.yaml"


def _erp(ws: Workspace) -> Path:
    return ws.manifests / "erp" / "demo-erp-production.yaml"


def _price(ws: Workspace, code: str) -> float:
    with ws.client() as client:
        return float(next(p for p in client.iter_products() if p["Code"] == code)["UnitListPrice"])


def test_a_targeted_plan_applies_while_other_manifests_have_pending_edits(
    applied: Workspace, tmp_path: Path
) -> None:
    edit(_nok(applied), "listPrice: 14990", "listPrice: 15490")
    planfile = tmp_path / "plan.json"
    made = applied.plan("--target", f"PriceList/{NOK}", "--out", str(planfile))
    assert made.exit_code == 0, made.output
    saved = json.loads(planfile.read_text(encoding="utf-8"))
    assert saved["targets"] == [f"PriceList/{NOK}"]
    assert list(saved["fingerprints"]["desired"]) == [f"PriceList/{NOK}"]
    # Meanwhile another pull request edits a connection (not part of this plan).
    edit(_erp(applied), 'companyNumber: "1"', 'companyNumber: "2"')

    result = applied.run("apply", str(planfile))
    assert result.exit_code == 0, result.output
    assert "Apply complete: 1 updated (1 product)." in result.output
    assert _price(applied, "HW-1001") == 15490.0
    # The other edit is still pending: only what the plan touched was applied.
    pending = json.loads(applied.plan("--format", "json").output)
    assert [(c["name"], [f["path"] for f in c["fields"]]) for c in pending["changes"]] == [
        (ERP, ["config.companyNumber"])
    ]


def test_a_targeted_plan_is_stale_when_its_own_manifest_changed(
    applied: Workspace, tmp_path: Path
) -> None:
    edit(_nok(applied), "listPrice: 14990", "listPrice: 15490")
    planfile = tmp_path / "plan.json"
    assert applied.plan("--target", f"PriceList/{NOK}", "--out", str(planfile)).exit_code == 0
    edit(_nok(applied), "listPrice: 15490", "listPrice: 16490")
    result = applied.run("apply", str(planfile))
    assert result.exit_code == 3, result.output
    assert f"changed since it was made: manifest of PriceList/{NOK}" in result.output
    assert _price(applied, "HW-1001") == 14990.0


def test_a_plan_of_everything_is_still_stale_when_any_manifest_changed(
    applied: Workspace, tmp_path: Path
) -> None:
    edit(_nok(applied), "listPrice: 14990", "listPrice: 15490")
    planfile = tmp_path / "plan.json"
    assert applied.plan("--out", str(planfile)).exit_code == 0
    edit(_erp(applied), 'companyNumber: "1"', 'companyNumber: "2"')
    result = applied.run("apply", str(planfile))
    assert result.exit_code == 3, result.output
    assert "manifest manifests/erp/demo-erp-production.yaml" in result.output or (
        f"manifest {_erp(applied).as_posix()}" in result.output
    )
    assert _price(applied, "HW-1001") == 14990.0


def _run_in(folder: Path, *args: str) -> Result:
    """quotesync run from ``folder``, with no CRM named anywhere (the default local: one)."""
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        env: dict[str, str | None] = {"QUOTESYNC_CRM": None, "NO_COLOR": "1"}
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    finally:
        os.chdir(cwd)


def test_apply_planfile_works_from_any_folder(ws: Workspace, tmp_path: Path) -> None:
    repo = ws.root
    planfile = tmp_path / "plans" / "plan.json"
    made = _run_in(repo, "plan", "manifests", "--out", str(planfile))  # relative paths
    assert made.exit_code == 0, made.output
    saved = json.loads(planfile.read_text(encoding="utf-8"))
    assert saved["paths"] == ["manifests"]
    assert saved["workdir"] == str(repo)
    assert saved["target"] == "local:.quotesync/crm.sqlite"

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _run_in(elsewhere, "apply", str(planfile))
    assert result.exit_code == 0, result.output
    assert f"Target: local:{repo / '.quotesync' / 'crm.sqlite'}" in result.output
    assert not (elsewhere / ".quotesync").exists()  # no second, empty CRM made here
    with open_client(f"local:{repo / '.quotesync' / 'crm.sqlite'}", {}) as client:
        names = {r["DisplayName"] for r in client.erp_get_all_connections(include_deleted=True)}
    assert ERP in names
    assert _run_in(repo, "plan", "manifests", "--detailed-exitcode").exit_code == 0


def test_apply_planfile_elsewhere_refuses_a_different_crm_named_there(
    ws: Workspace, tmp_path: Path
) -> None:
    planfile = tmp_path / "plan.json"
    assert _run_in(ws.root, "plan", "manifests", "--out", str(planfile)).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = _run_in(elsewhere, "apply", str(planfile), "--crm", "local:.quotesync/crm.sqlite")
    assert result.exit_code == 1, result.output
    assert (
        f"the saved plan was made for local:{ws.root / '.quotesync' / 'crm.sqlite'}, not "
        f"local:{elsewhere / '.quotesync' / 'crm.sqlite'}; nothing was changed" in result.output
    )
    # Naming the plan's own CRM, relative to where apply runs, is fine.
    same = os.path.relpath(ws.root / ".quotesync" / "crm.sqlite", elsewhere)
    ok = _run_in(elsewhere, "apply", str(planfile), "--crm", f"local:{same}")
    assert ok.exit_code == 0, ok.output


@pytest.mark.parametrize("workdir", ["/nonexistent/checkout", ""])
def test_a_plan_from_another_checkout_reads_relative_paths_from_the_current_folder(
    ws: Workspace, tmp_path: Path, workdir: str
) -> None:
    planfile = tmp_path / "plan.json"
    assert _run_in(ws.root, "plan", "manifests", "--out", str(planfile)).exit_code == 0
    data = json.loads(planfile.read_text(encoding="utf-8"))
    planfile.write_text(json.dumps({**data, "workdir": workdir}), encoding="utf-8")
    result = _run_in(ws.root, "apply", str(planfile))
    assert result.exit_code == 0, result.output
    assert "Apply complete" in result.output
