"""Export: what the CRM holds → a manifest repository that plans as "No changes".

Public API (used by ``cli/export_cmd.py``)::

    export_crm(client, out, options, *, force=False) -> ExportResult
    check_destination(out, *, force) -> None          # refuse early, before reading the CRM
    build_tree(live, options) -> ExportTree           # in memory, no I/O
    check_export(out) -> list[Diagnostic]              # load the written files back

See docs/export.md for the layout, the names and the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.export.output import (
    ExportError,
    check_destination,
    ignore_embedded_crm,
    write_tree,
)
from quotesync_gitops.export.tree import (
    DEFAULT_CSV_THRESHOLD,
    KIND_ORDER,
    EnvVar,
    ExportOptions,
    ExportTree,
    Written,
    build_tree,
)
from quotesync_gitops.kinds.price_list.images import read_all_product_images
from quotesync_gitops.live.reader import read_live
from quotesync_gitops.manifest import load_manifests
from quotesync_gitops.model import Diagnostic, Kind


@dataclass
class ExportResult:
    tree: ExportTree
    #: Notes from reading the CRM (e.g. two price lists with one name).
    notes: list[str] = field(default_factory=list)
    #: Problems found loading the written files back (empty when not checked).
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Whether the written files were loaded back and checked (a full export only).
    checked: bool = False
    #: Whether ``.quotesync/`` was added to the repository's ``.gitignore``.
    ignored_embedded_crm: bool = False


def export_crm(
    client: CrmClient,
    out: Path,
    options: ExportOptions,
    *,
    force: bool = False,
    repo: Path | None = None,
) -> ExportResult:
    """Read the CRM, write the export folder atomically, then load it back as a check.

    The check runs only when every kind was exported: a partial export refers by name to
    objects of kinds it did not write, which the loader rightly reports as missing. With
    ``repo`` (the folder the command runs in), a git work tree there gets ``.quotesync/``
    in its ``.gitignore``: the embedded CRM's database must not end up in the repository.
    """
    check_destination(out, force=force)
    crm_kinds = {str(k) for k in options.kinds if k != Kind.REPOSITORY_SETTINGS}
    live = read_live(client, crm_kinds)
    wanted_images = options.images and Kind.PRICE_LIST in crm_kinds
    images = read_all_product_images(client, live) if wanted_images else {}
    tree = build_tree(live, options, images)
    write_tree(out, {**tree.files, **tree.images}, force=force)
    result = ExportResult(tree, notes=list(live.notes))
    if options.kinds >= frozenset(KIND_ORDER):
        result.diagnostics = check_export(out)
        result.checked = True
    if repo is not None:
        result.ignored_embedded_crm = ignore_embedded_crm(repo)
    return result


def check_export(out: Path) -> list[Diagnostic]:
    """Load the exported folder as plan would (references checked for form only)."""
    loaded = load_manifests([out], env={}, resolve_env=False)
    return loaded.diagnostics


__all__ = [
    "DEFAULT_CSV_THRESHOLD",
    "KIND_ORDER",
    "EnvVar",
    "ExportError",
    "ExportOptions",
    "ExportResult",
    "ExportTree",
    "Written",
    "build_tree",
    "check_destination",
    "check_export",
    "export_crm",
]
