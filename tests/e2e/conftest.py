"""End-to-end fixtures: the real CLI against the embedded CRM in a temp directory."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
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


def copy_crm(source: Path, target: Path) -> None:
    """A consistent copy of an embedded CRM (SQLite's backup API: WAL content included)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


@pytest.fixture(scope="session")
def applied_crm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded CRM after ``apply`` of the example manifests, made once per session
    (per xdist worker) by the real CLI, exactly as ``applied`` used to make it per test."""
    template = Workspace(tmp_path_factory.mktemp("applied-template"))
    result = template.apply()
    assert result.exit_code == 0, result.output
    return template.root / "crm.sqlite"


@pytest.fixture
def applied(ws: Workspace, applied_crm: Path) -> Workspace:
    """A workspace whose CRM has the examples applied: its own copy of ``applied_crm``.

    Apply of the examples is deterministic and its only state is the CRM's database, so a
    copy is the same CRM a fresh apply makes, at a hundredth of the cost (130 tests)."""
    copy_crm(applied_crm, ws.root / "crm.sqlite")
    return ws
