"""`quotesync` command group: wires the subcommands together."""

from __future__ import annotations

import click

from quotesync_gitops import __version__
from quotesync_gitops.cli import (
    apply_cmd,
    catalog_cmd,
    emulator_cmd,
    export_cmd,
    plan_cmd,
    schema_cmd,
    validate_cmd,
)
from quotesync_gitops.cli.common import UsageExits1Group


@click.group(cls=UsageExits1Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quotesync")
@click.option("--debug", is_flag=True, help="Show tracebacks for errors (secrets stay masked).")
def cli(debug: bool) -> None:
    """Manage SuperOffice Quote/Sync settings as code: validate, plan, apply, drift."""


cli.add_command(validate_cmd.validate)
cli.add_command(schema_cmd.schema)
cli.add_command(emulator_cmd.emulator)
cli.add_command(apply_cmd.apply)
cli.add_command(export_cmd.export)
cli.add_command(catalog_cmd.catalog)
for _command in plan_cmd.COMMANDS:
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="quotesync")
