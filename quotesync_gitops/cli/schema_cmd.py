"""`quotesync schema [KIND]`: the JSON Schema of a manifest kind, or the list of kinds."""

from __future__ import annotations

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.manifest.schemas import KINDS, schema_text, schema_title
from quotesync_gitops.manifest.wording import closest


@click.command()
@click.argument("kind", required=False)
@exits
def schema(kind: str | None) -> int:
    """Print the JSON Schema (draft 2020-12) of KIND, or list the kinds.

    Point your editor at the schemas for completion and checks as you type:
    # yaml-language-server: $schema=<path to schemas>/ErpConnection.schema.json
    """
    if kind is None:
        width = max(len(k) for k in KINDS)
        for name in KINDS:
            click.echo(f"{name:<{width}}  {schema_title(name)}")
        click.echo(f"{'manifest':<{width}}  {schema_title('manifest')}")
        return 0
    wanted = {k.lower(): k for k in [*KINDS, "manifest"]}.get(kind.lower())
    if wanted is None:
        near = closest(kind, [*KINDS, "manifest"])
        hint = f"; did you mean {near}?" if near else ""
        raise QuotesyncError(
            f"unknown kind {kind!r}{hint} (kinds: {', '.join(KINDS)}, or manifest for all)"
        )
    click.echo(schema_text(wanted), nl=False)
    return 0
