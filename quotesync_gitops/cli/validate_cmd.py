"""Placeholder: `quotesync validate` (being written)."""

from __future__ import annotations

import click


@click.command()
def validate() -> None:
    """(not yet implemented)"""
    raise click.ClickException("not implemented yet")
