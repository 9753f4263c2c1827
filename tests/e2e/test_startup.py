"""`quotesync --help` imports no command: the listing comes from summaries kept equal to them."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import click
from click.testing import CliRunner

from quotesync_gitops.cli.main import COMMANDS, cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"


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


def _loaded_after(argv: list[str], modules: tuple[str, ...]) -> tuple[list[str], str]:
    """Which of ``modules`` a real ``quotesync`` run (in a fresh process) has imported."""
    code = (
        "import json, sys\n"
        "from quotesync_gitops.cli.main import main\n"
        f"sys.argv = ['quotesync', *{argv!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    print('EXIT', exc.code)\n"
        f"print('LOADED', json.dumps(sorted(m for m in {modules!r} if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    line = next(x for x in done.stdout.splitlines() if x.startswith("LOADED"))
    return json.loads(line.removeprefix("LOADED ")), done.stdout


HEAVY = (
    "httpx",
    "jwt",
    "cryptography",
    "quotesync_gitops.pipeline",
    "quotesync_gitops.emulator",
    "quotesync_gitops.apply.engine",
)


def test_validate_loads_no_crm_client_no_pipeline_and_no_cryptography() -> None:
    loaded, out = _loaded_after(["validate", str(EXAMPLES)], HEAVY)
    assert "EXIT 0" in out, out
    assert loaded == [], out


def test_plan_loads_neither_the_writers_nor_the_system_user_cryptography(tmp_path: Path) -> None:
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    loaded, out = _loaded_after(["plan", str(EXAMPLES), "--crm", crm], HEAVY)
    assert "EXIT 0" in out or "EXIT" not in out, out  # changes, no --detailed-exitcode: 0
    # The embedded CRM is the emulator, reached through httpx's transport interface.
    assert loaded == ["httpx", "quotesync_gitops.emulator", "quotesync_gitops.pipeline"], out


#: What a plan of valid manifests never needs: each is imported where it is used.
NOT_AT_PLAN = (
    "difflib",
    "quotesync_gitops.manifest.schemagen.connections",  # the schema generator, not the files
    "quotesync_gitops.manifest.schemagen.pricing",
    "quotesync_gitops.manifest.schemagen.sale_types",
    "quotesync_gitops.crm.auth",  # signing in (Online, an https URL): not the embedded CRM
    "quotesync_gitops.crm.auth_env",
    "quotesync_gitops.crm.auth_tenant",
)


def test_plan_of_valid_manifests_imports_nothing_only_a_problem_or_another_path_needs(
    tmp_path: Path,
) -> None:
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    loaded, out = _loaded_after(["plan", str(EXAMPLES), "--crm", crm], NOT_AT_PLAN)
    assert "Traceback" not in out, out
    assert loaded == [], out


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


def test_the_process_freezes_what_is_left_before_the_interpreter_exits() -> None:
    code = (
        "import gc, sys\n"
        "from quotesync_gitops.cli.main import main\n"
        "sys.argv = ['quotesync', 'plna']\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    print('EXIT', exc.code)\n"
        "print('FROZEN', gc.get_freeze_count() > 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "EXIT 1" in done.stdout, done.stdout  # the command's exit code is kept
    assert "FROZEN True" in done.stdout, done.stdout
    assert "No such command 'plna'" in done.stderr, done.stderr


def test_apply_and_plan_close_the_embedded_crm_before_freezing(tmp_path: Path) -> None:
    """Nothing is left to the garbage collector, which the freeze stops: the embedded CRM's
    SQLite file is closed with its client (checkpointed), so no ``-wal``/``-shm`` file is
    left beside it."""
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    for argv in (
        ["apply", str(EXAMPLES), "--crm", crm, "--auto-approve"],
        ["plan", str(EXAMPLES), "--crm", crm],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "quotesync_gitops", *argv], capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.sqlite"], argv
