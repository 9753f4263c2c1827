"""`quotesync --help` imports no command: the listing comes from summaries kept equal to them."""

from __future__ import annotations

import inspect
import subprocess
import sys

import click
from click.testing import CliRunner

from quotesync_gitops.cli.main import COMMANDS, cli


def _first_paragraph(command: click.Command) -> str:
    return " ".join(inspect.cleandoc(command.help or "").split("\n\n")[0].split())


def test_summaries_are_the_commands_own_first_paragraph() -> None:
    ctx = click.Context(cli)
    for name, (_, _, summary) in COMMANDS.items():
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert summary == _first_paragraph(command), name


def test_help_lists_exactly_what_an_eager_group_would() -> None:
    ctx = click.Context(cli)
    eager = click.Group(
        "cli",
        commands=[c for n in COMMANDS if (c := cli.get_command(ctx, n)) is not None],
        params=cli.params,
        help=cli.help,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    for width in (80, 120):
        lazy = CliRunner().invoke(cli, ["--help"], terminal_width=width)
        full = CliRunner().invoke(eager, ["--help"], terminal_width=width)
        assert lazy.exit_code == full.exit_code == 0
        assert lazy.output == full.output


def test_help_imports_neither_the_pipeline_nor_httpx() -> None:
    code = (
        "import sys\n"
        "from quotesync_gitops.cli.main import main\n"
        "sys.argv = ['quotesync', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = sorted(m for m in ('httpx', 'jsonschema', 'quotesync_gitops.pipeline') "
        "if m in sys.modules)\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "HEAVY []" in done.stdout, done.stdout
    assert "Commands:" in done.stdout


def test_an_unknown_command_is_still_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["plna"])
    assert result.exit_code == 1  # usage errors exit 1, as every error does
    assert "No such command 'plna'" in result.output


def test_the_process_collects_garbage_less_often_and_tests_keep_the_default() -> None:
    import gc

    from quotesync_gitops.cli.main import GC_THRESHOLD

    before = gc.get_threshold()
    assert CliRunner().invoke(cli, ["--version"]).exit_code == 0
    assert gc.get_threshold() == before  # in process (CliRunner): the test's own setting
    code = (
        "import gc, sys\n"
        "from quotesync_gitops.cli.main import main\n"
        "sys.argv = ['quotesync', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('THRESHOLD', gc.get_threshold(), gc.isenabled())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f"THRESHOLD ({GC_THRESHOLD}, 10, 10) True" in done.stdout, done.stdout
