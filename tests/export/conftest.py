"""Fixtures for export tests: the real CLI against embedded CRMs in temp directories."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quotesync_gitops.cli.main import cli
from quotesync_gitops.target import open_client
from tests.export.crm_builder import VALID, build

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"
CANARY = "canary-Zx81-s3cr3t"
_ENV_LINE = re.compile(r"^  (QUOTESYNC_[A-Z0-9_]+) +.* config\.(\S+)$", re.MULTILINE)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """``quotesync ARGS`` as a user runs it (no colour, no target from the outer shell)."""
    full_env: dict[str, str | None] = {"NO_COLOR": "1", "QUOTESYNC_CRM": None}
    full_env.update(env or {})
    return CliRunner().invoke(cli, list(args), env=full_env, catch_exceptions=False)


def printed_env_vars(output: str) -> dict[str, str]:
    """The variables export asks for → config field key they stand for."""
    return {name: field for name, field in _ENV_LINE.findall(output)}


def valid_env(output: str) -> dict[str, str]:
    """The printed variables set to the demo connectors' real credentials."""
    return {name: VALID[field] for name, field in printed_env_vars(output).items()}


def tree_of(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def examples_crm(tmp_path: Path) -> str:
    """An embedded CRM with the example manifests applied."""
    manifests = tmp_path / "examples"
    shutil.copytree(EXAMPLES, manifests)
    crm = f"local:{tmp_path / 'examples.sqlite'}"
    result = run("apply", str(manifests), "--auto-approve", "--crm", crm)
    assert result.exit_code == 0, result.output
    return crm


@pytest.fixture(scope="module")
def hand_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The CRM of crm_builder (read only: tests must not change it)."""
    path = tmp_path_factory.mktemp("hand-built") / "crm.sqlite"
    with open_client(f"local:{path}", {}) as client:
        build(client, canary=CANARY)
    yield f"local:{path}"
