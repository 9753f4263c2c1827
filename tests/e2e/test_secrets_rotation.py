"""Secrets that rotate: ``secretsVersion`` says "write this connection's secrets again".

The CRM never hands a password back, so a new value in the CI secret alone is invisible. A
raised ``secretsVersion`` is a masked plan line; apply tests the connection with the values
it resolves now and only then writes them; the version written is kept in the CRM, so the
next plan has nothing to do. A test that fails writes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Workspace

ERP = "Demo ERP – Production"
QUOTE = "ERP Quotes"
STALE = "stale-password-Wq81"


def _set_version(ws: Workspace, relative: str, version: int) -> None:
    path = ws.manifests / relative
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines = [line for line in lines if not line.startswith("  secretsVersion:")]
    at = next(i for i, line in enumerate(lines) if line.startswith("spec:")) + 1
    lines.insert(at, f"  secretsVersion: {version}\n")
    path.write_text("".join(lines), encoding="utf-8")


def _erp(ws: Workspace) -> dict[str, Any]:
    with ws.client() as client:
        row = next(c for c in client.erp_get_all_connections() if c["DisplayName"] == ERP)
        return client.erp_get_connection(int(row["ErpConnectionId"]))


def _stored_works(ws: Workspace) -> bool:
    with ws.client() as client:
        return client.erp_test_connection_by_id(int(_erp(ws)["ErpConnectionId"]))


def _erp_side_rotated(ws: Workspace) -> None:
    """The CRM holds a password the ERP no longer accepts (written behind quotesync's back);
    the CRM will not activate the connection with it, so it stays inactive."""
    row = _erp(ws)
    with ws.client() as client:
        conn_id = int(row["ErpConnectionId"])
        assert client.erp_toggle_active(conn_id) == []
        config = client.erp_get_connection_config_fields(conn_id)
        body = {**row, "Active": False, "ConfigFields": {**config, "password": STALE}}
        client.erp_save_connection(body)


def test_a_raised_secrets_version_tests_then_writes_the_secrets(applied: Workspace) -> None:
    ws = applied
    rotated_in_ci = {"DEMO_ERP_PASSWORD": "a-new-value-in-the-ci-secret"}
    quiet = ws.plan("--detailed-exitcode", env=rotated_in_ci)
    assert quiet.exit_code == 0, quiet.output  # without a version, a new secret is invisible
    _erp_side_rotated(ws)
    assert not _stored_works(ws)

    _set_version(ws, "erp/demo-erp-production.yaml", 2)
    _set_version(ws, "quote/erp-quotes.yaml", 2)
    plan = ws.plan("--detailed-exitcode", "--format", "json")
    assert plan.exit_code == 2, plan.output
    changes = {f"{c['kind']}/{c['name']}": c for c in json.loads(plan.output)["changes"]}
    erp = {f["path"]: f for f in changes[f"ErpConnection/{ERP}"]["fields"]}
    assert erp["secretsVersion"]["after"] == 2
    assert erp["config.password"]["sensitive"] and erp["config.password"]["after"] == "(sensitive)"
    assert "demo-password" not in plan.output
    text = ws.plan()
    assert "secretsVersion" in text.output and "(sensitive)" in text.output

    applied_now = ws.apply()
    assert applied_now.exit_code == 0, applied_now.output
    assert _stored_works(ws)  # the password the manifest resolves now was written
    assert _erp(ws)["DisplayDescription"].endswith("[secrets v2]")
    again = ws.plan("--detailed-exitcode")
    assert again.exit_code == 0, again.output  # the version written is remembered
    drift = ws.run("drift", str(ws.manifests))
    assert drift.exit_code == 0, drift.output


def test_a_rotation_whose_test_fails_writes_nothing(applied: Workspace) -> None:
    ws = applied
    _set_version(ws, "erp/demo-erp-production.yaml", 2)
    assert ws.apply().exit_code == 0
    _set_version(ws, "erp/demo-erp-production.yaml", 3)
    wrong = {"DEMO_ERP_PASSWORD": "not-the-erp-password"}
    failed = ws.apply(env=wrong)
    assert failed.exit_code == 1, failed.output
    assert "connection test failed" in failed.output
    assert "not-the-erp-password" not in failed.output
    assert _erp(ws)["DisplayDescription"].endswith("[secrets v2]")
    assert _stored_works(ws)
    plan = ws.plan("--detailed-exitcode", env=wrong)
    assert plan.exit_code == 2  # still to do


def test_the_version_marker_is_not_a_description_change(applied: Workspace, tmp_path: Path) -> None:
    ws = applied
    _set_version(ws, "quote/erp-quotes.yaml", 1)
    assert ws.apply().exit_code == 0
    with ws.client() as client:
        row = next(c for c in client.quote_get_installed_connections() if c["DisplayName"] == QUOTE)
    assert row["DisplayDescription"].endswith(" [secrets v1]")
    out = tmp_path / "export"
    exported = ws.run("export", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    texts = "".join(p.read_text(encoding="utf-8") for p in out.rglob("*.yaml"))
    assert "[secrets v1]" not in texts and "secretsVersion: 1" in texts


def test_a_description_too_long_for_the_version_marker_is_refused(ws: Workspace) -> None:
    path = ws.manifests / "quote" / "erp-quotes.yaml"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith("  description:"))
    lines[index] = "  description: " + "x" * 250 + "\n"
    lines.insert(index + 1, "  secretsVersion: 3\n")
    path.write_text("".join(lines), encoding="utf-8")
    result = ws.apply()
    assert result.exit_code == 1
    assert f"quote/erp-quotes.yaml:{index + 1}:" in result.output
    assert "' [secrets v3]'" in result.output and "shorten it to 241" in result.output
    with ws.client() as client:
        assert client.quote_get_installed_connections() == []


def test_secrets_version_must_be_a_positive_whole_number(ws: Workspace) -> None:
    _set_version(ws, "erp/demo-erp-production.yaml", 0)
    result = ws.run("validate", str(ws.manifests))
    assert result.exit_code == 1
    assert "erp/demo-erp-production.yaml:" in result.output and "secretsVersion" in result.output


def test_plan_test_connections_proposes_writing_stale_stored_credentials(
    applied: Workspace,
) -> None:
    ws = applied
    fine = ws.plan("--test-connections")
    assert fine.exit_code == 0 and "stored fail" not in fine.output
    _erp_side_rotated(ws)
    for fmt in ("text", "markdown", "json"):
        result = ws.plan("--test-connections", "--detailed-exitcode", "--format", fmt)
        assert result.exit_code == 2, result.output  # a change, not only a note
        assert "credentials the CRM has stored fail" in result.output
        assert "config.password" in result.output
        assert STALE not in result.output
    assert ws.apply("--test-connections").exit_code == 0
    assert _stored_works(ws)
    after = ws.plan("--test-connections", "--detailed-exitcode")
    assert after.exit_code == 0, after.output
    assert "credentials the CRM has stored fail" not in after.output
