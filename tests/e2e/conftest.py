"""End-to-end fixtures: the real CLI against the embedded CRM in a temp directory."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from quotesync_gitops.cli.main import cli
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.target import open_client

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"


class Workspace:
    """A manifest repository copy and an embedded CRM, both in a temp directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifests = root / "manifests"
        shutil.copytree(EXAMPLES, self.manifests)
        self.crm = f"local:{root / 'crm.sqlite'}"
        self.runner = CliRunner()

    def run(
        self, *args: str, env: dict[str, str] | None = None, input: str | None = None
    ) -> Result:
        full_env = {"QUOTESYNC_CRM": self.crm, "NO_COLOR": "1"}
        full_env.update(env or {})
        return self.runner.invoke(
            cli, list(args), env=full_env, input=input, catch_exceptions=False
        )

    def plan(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.run("plan", str(self.manifests), *args, env=env)

    def apply(self, *args: str, env: dict[str, str] | None = None) -> Result:
        return self.run("apply", str(self.manifests), "--auto-approve", *args, env=env)

    def client(self) -> CrmClient:
        return open_client(self.crm, {})


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a manifest (which must be there) with ``new``."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def plan_json(ws: Workspace, *args: str) -> dict[str, Any]:
    """``plan --format json`` of the workspace's manifests, which must succeed."""
    result = ws.plan("--format", "json", *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)  # warnings go to stderr
    return data


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Workspace]:
    yield Workspace(tmp_path)


@pytest.fixture
def applied(ws: Workspace) -> Workspace:
    result = ws.apply()
    assert result.exit_code == 0, result.output
    return ws
