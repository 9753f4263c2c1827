"""`quotesync` command group: wires the subcommands together, importing each on first use.

A command's module (and what it pulls in: the pipeline, httpx, jsonschema) is imported only
when that command runs, so ``quotesync --help`` and ``quotesync schema`` start in a fraction
of the time. The listing in ``--help`` uses the summaries below; a test keeps them equal to
the commands' own help.
"""

from __future__ import annotations

import gc
import importlib

import click

from quotesync_gitops import __version__
from quotesync_gitops.cli.common import UsageExits1Group

#: command name -> (module in quotesync_gitops.cli, attribute, first paragraph of its help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "catalog": (
        "catalog_cmd",
        "catalog",
        "Show what the CRM offers: users, groups, currencies, connectors and their "
        "configuration fields, each ERP connection's actor types, ERP fields and lists, the "
        "CRM lists they map to, and the quote line fields (names and types, never values).",
    ),
    "apply": (
        "apply_cmd",
        "apply",
        "Make the CRM match the manifests (PATH...), or apply a saved PLANFILE exactly.",
    ),
    "drift": (
        "plan_cmd",
        "drift",
        "Report what changed in the CRM outside git. Exit 0 in sync, 2 drift, 1 error.",
    ),
    "emulator": ("emulator_cmd", "emulator", "The embedded SuperOffice-compatible CRM."),
    "export": (
        "export_cmd",
        "export",
        "Write manifests for everything in the CRM's Quote/Sync settings into --out.",
    ),
    "plan": (
        "plan_cmd",
        "plan",
        "Show what apply would change to make the CRM match the manifests.",
    ),
    "schema": (
        "schema_cmd",
        "schema",
        "Print the JSON Schema (draft 2020-12) of KIND, or list the kinds.",
    ),
    "show": ("plan_cmd", "show", "Render a saved plan file."),
    "validate": (
        "validate_cmd",
        "validate",
        "Validate the manifests under PATH... (default: the current directory).",
    ),
}


class LazyGroup(UsageExits1Group):
    """A group whose commands are imported when one is run or asked for its help."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command = getattr(importlib.import_module(f"quotesync_gitops.cli.{module}"), attribute)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        limit = formatter.width - 6 - max(len(name) for name in names)
        # A stand-in command shortens the summary exactly as the real one would be.
        rows = [
            (name, click.Command(name, help=COMMANDS[name][2]).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quotesync")
@click.option(
    "--debug",
    is_flag=True,
    envvar="QUOTESYNC_DEBUG",
    help="Show the traceback of an error or an internal error (secrets stay masked). "
    "Env: QUOTESYNC_DEBUG=1.",
)
def cli(debug: bool) -> None:
    """Manage SuperOffice Quote/Sync settings as code: validate, plan, apply, drift."""


#: The cyclic garbage collector runs after this many new container objects (CPython: 700).
#: A plan holds a few containers per product for the whole run (the manifest's products and
#: where each was written, the carriers read, their pages), none of them in a cycle. At the
#: default each collection of the older generations walks all of them again: 10-15% of a plan's
#: CPU at 10,000-100,000 products (benchmarks/README.md). Cycles are still collected.
GC_THRESHOLD = 100_000


def main() -> None:
    """The ``quotesync`` process (console script, ``python -m quotesync_gitops``); tests
    invoke ``cli`` in their own process, whose garbage collector is left alone."""
    gc.set_threshold(GC_THRESHOLD, *gc.get_threshold()[1:])
    try:
        cli(prog_name="quotesync")
    finally:
        settle_before_exit()


def settle_before_exit() -> None:
    """Freeze what is left for the interpreter's exit.

    The exit clears every module and collects several times, walking every object still
    alive (~35,000 after a plan of 10,000 products): ~50 ms of CPU at that size
    (benchmarks/README.md), for nothing, as the process ends. Frozen objects are left out of
    those collections; atexit handlers, thread joins and the flushing of stdout still run.
    Nothing is left to a finaliser: the commands close what they open (the embedded CRM's
    database is closed with its client, so no ``-wal``/``-shm`` file stays beside it).
    """
    gc.freeze()
