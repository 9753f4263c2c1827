"""Placeholder: `quotesync export` (being written)."""

from __future__ import annotations

import click


@click.command()
def export() -> None:
    """Write manifests for everything in the CRM (not implemented yet)."""
    raise click.ClickException("not implemented yet")
