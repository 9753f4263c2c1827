"""A plain value equal to a secret of this run's manifests is masked in every output.

The CRM hands plain text back, even a value an earlier apply wrote from an ``${env:}``
reference into a plain Text field. When this run's manifests hold the same text as a secret,
the plan's before side must not show it. The masking is this run's: a later command whose
manifests hold no such secret shows the same CRM value as it is.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import Workspace, edit

CANARY = "canary-Eq42-s3cr3t"
ACCOUNTING = "erp/demo-accounting.yaml"
PRODUCTION = "erp/demo-erp-production.yaml"


def _crm_holds_the_canary_in_a_plain_field(ws: Workspace) -> None:
    """Apply A: ``clientId`` (a Text field) from ``${env:LEAK}``; the CRM keeps it plain."""
    edit(ws.manifests / ACCOUNTING, "clientId: acme", "clientId: ${env:LEAK}")
    result = ws.apply(env={"LEAK": CANARY})
    assert result.exit_code == 0, result.output
    edit(ws.manifests / ACCOUNTING, "clientId: ${env:LEAK}", "clientId: acme")


def _b_holds_it_as_a_secret(ws: Workspace) -> None:
    """Manifests B: clientId back to ``acme``; the canary is a secret elsewhere."""
    manifest = ws.manifests / PRODUCTION
    text = manifest.read_text(encoding="utf-8")
    old = next(line for line in text.splitlines() if line.startswith("  description: "))
    edit(manifest, old, "  description: ${env:LEAK}")


def _outputs(ws: Workspace, tmp_path: Path, env: dict[str, str]) -> list[str]:
    planfile, markdown = tmp_path / "plan.json", tmp_path / "comment.md"
    outputs = [ws.plan("--format", fmt, env=env).output for fmt in ("text", "markdown", "json")]
    saved = ws.plan("--out", str(planfile), "--markdown-out", str(markdown), env=env)
    assert saved.exit_code == 0, saved.output
    outputs += [saved.output, planfile.read_text(), markdown.read_text()]
    outputs += [ws.run("show", str(planfile), "--format", f).output for f in ("text", "json")]
    for fmt in ("text", "json", "markdown"):
        drift = ws.run("drift", str(ws.manifests), "--format", fmt, env=env)
        assert drift.exit_code == 2, drift.output
        outputs.append(drift.output)
    return outputs


def test_a_crm_value_equal_to_a_secret_of_this_run_is_masked_everywhere(
    applied: Workspace, tmp_path: Path
) -> None:
    _crm_holds_the_canary_in_a_plain_field(applied)
    _b_holds_it_as_a_secret(applied)
    env = {"LEAK": CANARY}
    outputs = _outputs(applied, tmp_path, env)
    for output in outputs:
        assert CANARY not in output
    plan = json.loads(outputs[2])
    accounting = next(c for c in plan["changes"] if c["name"] == "Demo Accounting")
    assert {"path": "config.clientId", "before": "(sensitive)", "after": "(sensitive)",
            "sensitive": True} in accounting["fields"]  # fmt: skip
    text = outputs[0]
    line = next(line for line in text.splitlines() if "config.clientId:" in line)
    assert line.split()[-4:] == ["(sensitive)", "→", "(sensitive)", "(changed)"]

    applied_text = applied.run(
        "--debug", "apply", str(applied.manifests), "--auto-approve", env=env
    )
    assert applied_text.exit_code == 0, applied_text.output
    assert CANARY not in applied_text.output
    again = applied.plan("--detailed-exitcode", env=env)
    assert again.exit_code == 0, again.output


def test_apply_json_result_masks_it_too(applied: Workspace) -> None:
    _crm_holds_the_canary_in_a_plain_field(applied)
    _b_holds_it_as_a_secret(applied)
    result = applied.run(
        "apply", str(applied.manifests), "--auto-approve", "--format", "json", env={"LEAK": CANARY}
    )
    assert result.exit_code == 0, result.output
    assert CANARY not in result.output
    assert json.loads(result.stdout)["ok"] is True


def test_the_same_value_is_shown_when_this_run_holds_no_such_secret(applied: Workspace) -> None:
    """Scoped to the run: the earlier commands of this process held the canary as a secret;
    a plan whose manifests do not is shown the CRM's value as it is."""
    _crm_holds_the_canary_in_a_plain_field(applied)
    _b_holds_it_as_a_secret(applied)
    masked = applied.plan(env={"LEAK": CANARY})
    assert masked.exit_code == 0 and CANARY not in masked.output
    innocent = applied.plan(env={"LEAK": "something else"})
    assert innocent.exit_code == 0, innocent.output
    line = next(line for line in innocent.output.splitlines() if "config.clientId:" in line)
    assert CANARY in line and line.rstrip().endswith('"acme"')
