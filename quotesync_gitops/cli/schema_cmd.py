"""`quotesync schema [KIND]`: the JSON Schema of a manifest kind, or the list of kinds."""

from __future__ import annotations

import os
from pathlib import Path

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.cli.options import crm_option
from quotesync_gitops.errors import ExitCode, QuotesyncError
from quotesync_gitops.live.tenant import read_catalog
from quotesync_gitops.manifest.schema_narrow import narrowed_schema_texts
from quotesync_gitops.manifest.schemas import (
    COMBINED,
    KINDS,
    schema_file_name,
    schema_text,
    schema_title,
)
from quotesync_gitops.manifest.wording import closest
from quotesync_gitops.target import open_client

#: Schemas beyond one per kind: any-kind manifests, and the JSON output of plan.
EXTRA = (COMBINED, "plan")


@click.command()
@click.argument("kind", required=False)
@click.option(
    "--from-crm",
    is_flag=True,
    help="Narrow the schema to what the CRM (--crm) offers: its connectors and their "
    "config keys, users, groups, currencies, quote line fields, ERP fields per connection.",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False),
    help="With --from-crm: write every kind's narrowed schema (and manifest) into DIR.",
)
@crm_option
@exits
def schema(kind: str | None, from_crm: bool, out_dir: str | None, crm: str | None) -> int:
    """Print the JSON Schema (draft 2020-12) of KIND, or list the kinds.

    KIND is a manifest kind, `manifest` (any kind, for files that mix kinds) or `plan`
    (the JSON written by plan --format json / --out). Point your editor at a schema for
    completion as you type, with a first line such as:

    # yaml-language-server: $schema=../schemas/ErpConnection.schema.json
    """
    names = [*KINDS, *EXTRA]
    if out_dir is not None and not from_crm:
        raise QuotesyncError("--out-dir writes narrowed schemas: use it with --from-crm")
    wanted = _kind(kind, names) if kind is not None else None
    if from_crm:
        if wanted is None and out_dir is None:
            raise QuotesyncError("--from-crm needs a KIND to print, or --out-dir DIR to write all")
        if wanted == "plan":
            raise QuotesyncError("the plan schema does not depend on the CRM; drop --from-crm")
        return _from_crm(crm, [wanted] if wanted else [*KINDS, COMBINED], out_dir)
    if wanted is None:
        width = max(len(name) for name in names)
        for name in names:
            click.echo(f"{name:<{width}}  {schema_title(name)}")
        return ExitCode.OK
    click.echo(schema_text(wanted), nl=False)
    return ExitCode.OK


def _kind(kind: str, names: list[str]) -> str:
    wanted = {name.lower(): name for name in names}.get(kind.lower())
    if wanted is None:
        near = closest(kind, names)
        hint = f"; did you mean {near}?" if near else ""
        raise QuotesyncError(
            f"unknown kind {kind!r}{hint} (kinds: {', '.join(KINDS)}; also manifest, plan)"
        )
    return wanted


def _from_crm(crm: str | None, kinds: list[str], out_dir: str | None) -> int:
    with open_client(crm, os.environ) as client:
        ctx = read_catalog(client)
    texts = narrowed_schema_texts(kinds, ctx)
    if out_dir is None:
        click.echo(next(iter(texts.values())), nl=False)
        return ExitCode.OK
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, text in texts.items():
        (folder / schema_file_name(kind)).write_text(text, encoding="utf-8")
    click.echo(f"wrote {len(texts)} schema(s) narrowed to the CRM into {folder}", err=True)
    return ExitCode.OK
