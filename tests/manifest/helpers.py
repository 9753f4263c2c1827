"""Drive `quotesync` through click's CliRunner in a temporary working directory."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path

from click.testing import CliRunner, Result

from quotesync_gitops.cli.main import cli

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parents[1]
EXAMPLES = REPO / "examples" / "manifests"


def quotesync(*args: str, env: Mapping[str, str | None] | None = None) -> Result:
    """Run the CLI in-process; GITHUB_ACTIONS is unset unless ``env`` sets it."""
    environment: dict[str, str | None] = {"GITHUB_ACTIONS": None}
    environment.update(env or {})
    return CliRunner(env=environment).invoke(cli, list(args), catch_exceptions=False)


def copy_fixture(name: str, into: Path) -> Path:
    source = FIXTURES / name
    target = into / name
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        shutil.copyfile(source, target)
    return target


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def diagnostics(result: Result) -> list[str]:
    """The problem lines of text output (without the summary line)."""
    return [line for line in result.stdout.splitlines() if ": error: " in line]


HEADER = "apiVersion: quotesync.io/v1\n"
