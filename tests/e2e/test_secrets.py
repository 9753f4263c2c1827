"""A secret never reaches stdout, stderr, plan files, reports or error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Workspace

VALID = "demo-password"  # the demo connectors' real password, given through ${env:}
CANARY = "canary-Zx81-s3cr3t"


def _outputs(ws: Workspace, tmp_path: Path, env: dict[str, str]) -> list[str]:
    planfile = tmp_path / "plan.json"
    markdown = tmp_path / "comment.md"
    outputs = []
    for fmt in ("text", "markdown", "json"):
        result = ws.plan("--format", fmt, "--test-connections", env=env)
        outputs.append(result.output)
    result = ws.plan("--out", str(planfile), "--markdown-out", str(markdown), env=env)
    outputs += [result.output, planfile.read_text(), markdown.read_text()]
    for fmt in ("text", "markdown", "json"):
        outputs.append(ws.run("show", str(planfile), "--format", fmt).output)
    outputs.append(ws.run("--debug", "apply", str(ws.manifests), "--auto-approve", env=env).output)
    for fmt in ("text", "json", "markdown"):
        outputs.append(ws.run("drift", str(ws.manifests), "--format", fmt, env=env).output)
    outputs.append(ws.run("validate", str(ws.manifests), env=env).output)
    return outputs


@pytest.mark.parametrize("secret", [VALID, CANARY])
def test_secret_is_in_no_output(ws: Workspace, tmp_path: Path, secret: str) -> None:
    env = {
        "DEMO_ERP_PASSWORD": secret,
        "DEMO_QUOTE_PASSWORD": secret,
        "DEMO_ACCOUNTING_API_KEY": secret,
    }
    for output in _outputs(ws, tmp_path, env):
        assert secret not in output
    assert "(sensitive)" in ws.plan(env=env).output


def test_a_new_products_secret_value_is_masked_in_every_plan_output(
    ws: Workspace, tmp_path: Path
) -> None:
    """A create shows a new product's values; one given by ${env:} shows as (sensitive)."""
    manifest = ws.manifests / "pricing" / "standard-nok-2026.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(
        text.replace(
            "  products:\n",
            "  products:\n    - {code: SEC-1, name: Sealed, description: '${env:PRODUCT_NOTE}'}\n",
            1,
        ),
        encoding="utf-8",
    )
    env = {"PRODUCT_NOTE": CANARY}
    planfile = tmp_path / "plan.json"
    markdown = tmp_path / "comment.md"
    outputs = [ws.plan("--format", fmt, env=env).output for fmt in ("text", "markdown", "json")]
    assert ws.plan("--out", str(planfile), "--markdown-out", str(markdown), env=env).exit_code == 0
    outputs += [planfile.read_text(), markdown.read_text()]
    outputs += [ws.run("show", str(planfile), "--format", f).output for f in ("text", "json")]
    for output in outputs:
        assert CANARY not in output
    text_plan = outputs[0]
    block = text_plan[text_plan.index("Product/SEC-1") :]
    assert "description: (none) → (sensitive)" in " ".join(block.split()[:40])
    product = next(
        c
        for change in json.loads(outputs[2])["changes"]
        for c in change.get("children", [])
        if c["name"].endswith("/SEC-1")
    )
    description = next(f for f in product["fields"] if f["path"] == "description")
    assert description == {
        "path": "description",
        "before": None,
        "after": "(sensitive)",
        "sensitive": True,
    }


def test_a_new_connections_password_shows_as_sensitive_in_plan_and_apply(ws: Workspace) -> None:
    """A create lists its values: Password fields and references among them stay masked."""
    env = {"DEMO_ERP_PASSWORD": CANARY}
    text = ws.plan(env=env).output
    assert "config.password:" in text
    line = next(line for line in text.splitlines() if "config.password:" in line)
    assert line.split()[-3:] == ["(none)", "→", "(sensitive)"]
    markdown = ws.plan("--format", "markdown", env=env).output
    assert "| <code>config.password</code> | <i>(none)</i> | <i>(sensitive)</i> |" in markdown
    plan = json.loads(ws.plan("--format", "json", env=env).output)
    erp = next(c for c in plan["changes"] if c["name"] == "Demo ERP – Production")
    config = next(f for f in erp["fields"] if f["path"] == "config")
    assert config["before"] is None
    assert config["after"]["password"] == "(sensitive)"  # masked where it stands
    applied = ws.apply(env=env)  # a wrong password: that connection's test fails
    assert CANARY not in applied.output
    assert "(sensitive)" in applied.output
