"""The GitHub recipes sign in to SuperOffice Online as the system user by default.

The recipes' own plan, apply and drift steps run against the emulated Online tenant with
only the system user's three secrets set (every other sign-in secret unset, so empty), and
``QUOTESYNC_CRM`` naming the tenant. Nothing secret reaches a log or a file.
"""

from __future__ import annotations

from pathlib import Path

from tests.ci.test_workflow_runs import MANIFEST_SECRETS, _carry_artifact, _repo
from tests.ci.workflows import GITHUB, github_action_calls, load, run_action
from tests.crm import online


def test_github_recipes_plan_apply_and_drift_as_the_system_user(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    with online.online(tmp_path) as server:
        context = {
            "vars.QUOTESYNC_CRM": f"online:{online.CONTEXT_ID}",
            "secrets.QUOTESYNC_SYSTEM_USER_TOKEN": online.SYSTEM_USER_TOKEN,
            "secrets.QUOTESYNC_PRIVATE_KEY": online.private_pem(),
            "secrets.QUOTESYNC_CLIENT_SECRET": online.CLIENT_SECRET,
            "secrets.QUOTESYNC_TICKET": "",
            "secrets.QUOTESYNC_APP_TOKEN": "",
            "secrets.QUOTESYNC_ACCESS_TOKEN": "",
            "github.run_id": "4242",
            "github.server_url": "https://github.com",
            "github.repository": "acme/crm-settings",
            "steps.reviewed.outputs.allow-flags": "",
            **{f"secrets.{name}": value for name, value in MANIFEST_SECRETS.items()},
        }
        extra = {"QUOTESYNC_ENVIRONMENT_URL": server.url, "GITHUB_ACTIONS": "true"}

        def step(workflow: str, subcommand: str, expect: int) -> str:
            """The workflow's quotesync action step for ``subcommand``, run as the runner would."""
            (call,) = [
                c for c in github_action_calls(GITHUB[workflow]) if c.subcommand == subcommand
            ]
            result = run_action(call, repo, context=context, extra_env=extra)
            output = result.stdout + result.stderr
            assert result.outputs.get("exit-code") == str(expect), f"{call.step}\n{output}"
            assert online.leaks(output, server) == [], output
            return output

        assert "Plan: " in step("pr", "plan", 0)
        for name in ("plan.json", "plan.md"):
            text = (repo / name).read_text(encoding="utf-8")
            assert online.leaks(text, server) == []
        assert f"online:{online.CONTEXT_ID}" in (repo / "plan.json").read_text(encoding="utf-8")
        _carry_artifact(repo, load(GITHUB["apply"])["env"])
        assert "Apply complete" in step("apply", "apply", 0)
        step("drift", "drift", 0)
        assert server.login is not None and server.login.counts["system_user"] == 3
