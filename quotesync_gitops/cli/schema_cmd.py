"""`quotesync schema [KIND]`: the JSON Schema of a manifest kind, or the list of kinds."""

from __future__ import annotations

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.manifest.schemas import COMBINED, KINDS, schema_text, schema_title
from quotesync_gitops.manifest.wording import closest

#: Schemas beyond one per kind: any-kind manifests, and the JSON output of plan.
EXTRA = (COMBINED, "plan")


@click.command()
@click.argument("kind", required=False)
@exits
def schema(kind: str | None) -> int:
    """Print the JSON Schema (draft 2020-12) of KIND, or list the kinds.

    KIND is a manifest kind, `manifest` (any kind, for files that mix kinds) or `plan`
    (the JSON written by plan --format json / --out). Point your editor at a schema for
    completion as you type, with a first line such as:

    # yaml-language-server: $schema=../schemas/ErpConnection.schema.json
    """
    names = [*KINDS, *EXTRA]
    if kind is None:
        width = max(len(name) for name in names)
        for name in names:
            click.echo(f"{name:<{width}}  {schema_title(name)}")
        return 0
    wanted = {name.lower(): name for name in names}.get(kind.lower())
    if wanted is None:
        near = closest(kind, names)
        hint = f"; did you mean {near}?" if near else ""
        raise QuotesyncError(
            f"unknown kind {kind!r}{hint} (kinds: {', '.join(KINDS)}; also manifest, plan)"
        )
    click.echo(schema_text(wanted), nl=False)
    return 0
