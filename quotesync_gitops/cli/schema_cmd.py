"""Placeholder: `quotesync schema` (being written)."""

from __future__ import annotations

import click


@click.command()
def schema() -> None:
    """(not yet implemented)"""
    raise click.ClickException("not implemented yet")
