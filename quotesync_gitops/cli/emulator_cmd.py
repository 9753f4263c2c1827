"""Placeholder: `quotesync emulator` (being written)."""

from __future__ import annotations

import click


@click.group()
def emulator() -> None:
    """The embedded SuperOffice-compatible CRM."""
