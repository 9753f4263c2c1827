"""`quotesync export`: write manifests for everything the CRM holds (docs/export.md)."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.cli.options import crm_option
from quotesync_gitops.errors import ExitCode
from quotesync_gitops.export import (
    DEFAULT_CSV_THRESHOLD,
    KIND_ORDER,
    ExportOptions,
    ExportResult,
    check_destination,
    export_crm,
)
from quotesync_gitops.model import SINGLETON_KINDS
from quotesync_gitops.render.diagnostics import render_diagnostics
from quotesync_gitops.target import describe_target, open_client

KIND_CHOICE = click.Choice([str(k) for k in KIND_ORDER], case_sensitive=False)


@click.command()
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the manifests into (new or empty, unless --force).",
)
@crm_option
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=KIND_CHOICE,
    metavar="KIND",
    help="Export only this kind (repeatable): " + ", ".join(str(k) for k in KIND_ORDER) + ".",
)
@click.option(
    "--include-deleted",
    is_flag=True,
    help="Also export soft-deleted objects, as tombstones (spec.deleted: true).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace the contents of a non-empty --out folder (once the new export is complete).",
)
@click.option(
    "--products-csv-threshold",
    type=click.IntRange(min=0),
    default=DEFAULT_CSV_THRESHOLD,
    show_default=True,
    metavar="N",
    help="Write a price list's products to a CSV file beside it when it has more than N.",
)
@click.option(
    "--no-images",
    is_flag=True,
    help="Do not export product images (saves one call per product; images stay unmanaged).",
)
@exits
def export(
    out: Path,
    crm: str | None,
    kinds: tuple[str, ...],
    include_deleted: bool,
    force: bool,
    products_csv_threshold: int,
    no_images: bool,
) -> int:
    """Write manifests for everything in the CRM's Quote/Sync settings into --out.

    One file per resource; passwords become ${env:NAME} references (the names are listed at
    the end). `quotesync plan OUT` with those variables set then shows no changes.
    """
    by_lower = {str(k).lower(): str(k) for k in KIND_ORDER}
    chosen = frozenset(by_lower[k.lower()] for k in kinds) if kinds else frozenset(KIND_ORDER)
    options = ExportOptions(
        kinds=frozenset(str(k) for k in chosen),
        include_deleted=include_deleted,
        csv_threshold=products_csv_threshold,
        images=not no_images,
    )
    check_destination(out, force=force)  # before connecting: refuse fast, read nothing
    label = describe_target(crm, os.environ)
    with open_client(crm, os.environ) as client:
        result = export_crm(client, out, options, force=force, repo=Path.cwd())
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    if result.ignored_embedded_crm:
        click.echo("note: added .quotesync/ (the embedded CRM's folder) to .gitignore", err=True)
    _summary(result, out, label)
    if result.diagnostics:
        click.echo(render_diagnostics(result.diagnostics, "text"), err=True, nl=False)
    errors = [d for d in result.diagnostics if d.level == "error"]
    if errors:
        click.echo(
            f"error: the export was written to {out}, but {len(errors)} value(s) the CRM holds "
            "are not valid in manifests (above); fix them there or in the CRM before plan",
            err=True,
        )
        return ExitCode.ERROR
    return ExitCode.OK


def _summary(result: ExportResult, out: Path, label: str) -> None:
    tree = result.tree
    counts = Counter(w.kind for w in tree.written)
    click.echo(f"Exported {len(tree.written)} resource(s) from {label} into {out}:")
    width = max((len(str(k)) for k in counts), default=0)
    for kind in KIND_ORDER:
        paths = [w.path for w in tree.written if w.kind == kind]
        if paths:
            where = paths[0] if kind in SINGLETON_KINDS else paths[0].rsplit("/", 1)[0] + "/"
            click.echo(f"  {kind:<{width}}  {len(paths):>4}  {where}")
    csv_files = sum(1 for w in tree.written if w.products_file)
    if csv_files:
        click.echo(f"  {csv_files} price list(s) with their products in a CSV file beside them")
    if tree.images:
        click.echo(f"  {len(tree.images)} product image(s) beside their price lists")
    tombstones = sum(1 for w in tree.written if w.tombstone)
    if tombstones:
        click.echo(f"  {tombstones} soft-deleted object(s) as tombstones (spec.deleted: true)")
    if tree.skipped_deleted:
        click.echo(
            f"Left out {len(tree.skipped_deleted)} soft-deleted object(s); "
            "--include-deleted exports them as tombstones."
        )
    if not result.checked:
        click.echo(
            "Only some kinds were exported, so the files may name objects of other kinds: "
            "validate them together with those manifests."
        )
    if tree.env_vars:
        click.echo("")
        click.echo(
            "The CRM does not hand passwords back. Set these environment variables "
            "before plan or apply:"
        )
        name_width = max(len(v.name) for v in tree.env_vars)
        for var in tree.env_vars:
            click.echo(f"  {var.name:<{name_width}}  {var.kind} {var.resource!r} {var.field}")
