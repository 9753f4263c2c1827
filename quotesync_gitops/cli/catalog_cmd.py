"""`quotesync catalog`: what the tenant offers, as plan checks manifests against it."""

from __future__ import annotations

import os

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.cli.options import crm_option, format_option
from quotesync_gitops.errors import ExitCode
from quotesync_gitops.live.tenant import read_catalog
from quotesync_gitops.render.catalog import CATALOG_RENDERERS, CatalogFormat
from quotesync_gitops.target import open_client


@click.command()
@crm_option
@format_option(CATALOG_RENDERERS, "text for people, json (formatVersion 1) for scripts.")
@exits
def catalog(crm: str | None, fmt: CatalogFormat) -> int:
    """Show what the CRM offers: users, groups, currencies, connectors and their
    configuration fields, each ERP connection's actor types, ERP fields and lists, the CRM
    lists they map to, and the quote line fields (names and types, never values)."""
    with open_client(crm, os.environ) as client:
        ctx = read_catalog(client)
    click.echo(CATALOG_RENDERERS[fmt](ctx), nl=False)
    return ExitCode.OK
