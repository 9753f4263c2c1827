"""A connector that declares its password field as Text does not get the password shown.

quotesync knows a value is a secret from the connector's FieldMetadata (``FieldType:
Password``). A connector (or a CRM) that declares the field as ``Text`` would otherwise have
a password written literally in a manifest printed in plans, plan files, comments and
exports. A field whose key names a credential (password, secret, token, api key, ...) is
treated as secret whatever type it is declared with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.reliability.helpers import WsgiApp, copy_examples, run_cli, running_crm
from tests.reliability.hostile import Hostile, mutated

CANARY = "litcanary-Txt4Pw-9f8e7d"


def _as_text(body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    return {
        key: {**meta, "FieldType": "Text"} if isinstance(meta, dict) else meta
        for key, meta in body.items()
    }


def test_a_password_declared_as_text_is_masked_everywhere(tmp_path: Path) -> None:
    manifests = copy_examples(tmp_path)
    quotes = manifests / "quote" / "erp-quotes.yaml"
    quotes.write_text(
        quotes.read_text(encoding="utf-8").replace(
            "${env:DEMO_QUOTE_PASSWORD:-demo-password}", CANARY
        ),
        encoding="utf-8",
    )
    holder: list[Hostile] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        holder.append(Hostile(app, "GetConfigurationFields", mutated(_as_text)))
        return holder[0]

    out = tmp_path / "out"
    out.mkdir()
    with running_crm(tmp_path, wrap=wrap) as crm:
        m, env = str(manifests), crm.env
        outputs = {
            f"plan {fmt}": run_cli("plan", m, "--format", fmt, env=env).output
            for fmt in ("text", "markdown", "json")
        }
        saved = run_cli(
            "plan", m, "--out", str(out / "plan.json"), "--markdown-out", str(out / "c.md"), env=env
        )
        outputs["plan --out"] = saved.output
        outputs["show"] = run_cli("show", str(out / "plan.json"), env=env).output
        outputs["apply"] = run_cli("apply", m, "--auto-approve", "--format", "json", env=env).output
        outputs["drift"] = run_cli("drift", m, "--format", "json", env=env).output
        outputs["export"] = run_cli("export", "--out", str(out / "export"), env=env).output
    assert holder[0].hits > 0
    for path in out.rglob("*"):
        if path.is_file():
            # bytes: exported product images are not text; the canary is ASCII either way
            text = path.read_bytes().decode("utf-8", errors="replace")
            outputs[str(path.relative_to(out))] = text
    assert any(label.startswith("export/") for label in outputs)
    leaks = [label for label, text in outputs.items() if CANARY in text]
    assert leaks == []
    assert "(sensitive)" in outputs["plan text"]
