"""A secret never reaches stdout, stderr, plan files, reports or error messages."""

from __future__ import annotations

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
