"""Every option of every command explains itself, and an option shared by several commands
is explained the same way everywhere (pipelines and newcomers read `--help`)."""

from __future__ import annotations

from collections.abc import Iterator

import click
from click.testing import CliRunner

from quotesync_gitops.cli.main import cli


def _commands(
    command: click.Command, path: tuple[str, ...] = ("quotesync",)
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _commands(sub, (*path, name))


def test_every_option_of_every_command_has_help_text() -> None:
    missing = [
        f"{' '.join(path)} {'/'.join(param.opts)}"
        for path, command in _commands(cli)
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert missing == []
    assert len(list(_commands(cli))) >= 10, "the walk reaches the subcommands"


def test_a_shared_option_is_described_the_same_way_by_every_command() -> None:
    described: dict[str, set[str]] = {}
    for _, command in _commands(cli):
        for param in command.params:
            if isinstance(param, click.Option) and param.name in {
                "var_pairs", "var_files", "allow_files_outside", "crm",
            }:  # fmt: skip
                described.setdefault(param.opts[0], set()).add(param.help or "")
    assert set(described) == {"--var", "--var-file", "--allow-files-outside", "--crm"}
    for option, texts in described.items():
        assert len(texts) == 1, f"{option} is described {len(texts)} ways: {sorted(texts)}"


def test_every_command_answers_help_with_exit_zero() -> None:
    runner = CliRunner()
    for path, _ in _commands(cli):
        result = runner.invoke(cli, [*path[1:], "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_shell_completion_as_the_readme_documents_it() -> None:
    """`eval "$(_QUOTESYNC_COMPLETE=bash_source quotesync)"` (README) and what it answers."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    quotesync = str(Path(sys.executable).parent / "quotesync")
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for shell in ("bash", "zsh", "fish"):
        assert f"_QUOTESYNC_COMPLETE={shell}_source quotesync" in readme
        script = subprocess.run(
            [quotesync], env={**os.environ, "_QUOTESYNC_COMPLETE": f"{shell}_source"},
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert "_QUOTESYNC_COMPLETE" in script, shell
    answer = subprocess.run(
        [quotesync],
        env={**os.environ, "_QUOTESYNC_COMPLETE": "bash_complete",
             "COMP_WORDS": "quotesync plan --det", "COMP_CWORD": "2"},
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "--detailed-exitcode" in answer
