"""Resolve references in every string of a document, remembering where secrets landed.

Names, references to other objects, enumerations and formatted values (dates, currency,
intervals, product codes...) must be written out or come from ``${var:}``: a value from
``${env:}``/``${file:}`` is a secret, and a secret cannot be a name the tool matches on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quotesync_gitops.manifest.references import ReferenceContext, resolve
from quotesync_gitops.manifest.wording import dotted
from quotesync_gitops.manifest.yamlparse import Path
from quotesync_gitops.secrets import Secret

_ONE = "*"
_REST = "**"

#: Where a secret is not allowed ("*": any one key or index, "**": anything below).
PLAIN_ONLY: tuple[tuple[str, ...], ...] = (
    ("metadata", "name"),
    ("spec", "connector"),
    ("spec", "erpConnection"),
    ("spec", "quoteConnection"),
    ("spec", "scope", _REST),
    ("spec", "actors", _ONE, "crmActor"),
    ("spec", "actors", _ONE, "mappings", _ONE, _REST),
    ("spec", "actors", _ONE, "defaults", _ONE, "erpField"),
    ("spec", "actors", _ONE, "fieldOrder", _REST),
    ("spec", "listMappings", _REST),
    ("spec", "priority", _REST),
    ("spec", "interval"),
    ("spec", "currency"),
    ("spec", "validFrom"),
    ("spec", "validTo"),
    ("spec", "erpKey"),
    ("spec", "productsFile"),
    ("spec", "products", _ONE, "code"),
    ("spec", "prune", _REST),
    ("spec", "acknowledgeUnmanaged", _ONE, "kind"),
    ("spec", "acknowledgeUnmanaged", _ONE, "name"),
)


def plain_only(path: Path) -> bool:
    return any(_matches(pattern, path) for pattern in PLAIN_ONLY)


def _matches(pattern: tuple[str, ...], path: Path) -> bool:
    for index, part in enumerate(pattern):
        if part == _REST:
            return True
        if index >= len(path) or (part != _ONE and part != path[index]):
            return False
    return len(pattern) == len(path)


Report = Callable[[Path, str], None]


class Found:
    """Paths where resolution put a secret, and where it refused one (already reported)."""

    def __init__(self) -> None:
        self.secrets: set[Path] = set()
        self.refused: set[Path] = set()


def resolve_tree(
    value: Any, path: Path, ctx: ReferenceContext, report: Report, found: Found
) -> Any:
    """``value`` with references resolved; unchanged parts are shared, not copied."""
    if isinstance(value, str):
        return _resolve_text(value, path, ctx, report, found) if "${" in value else value
    if isinstance(value, dict):
        changed: dict[str, Any] | None = None
        for key, item in value.items():
            if type(item) is str:
                if "${" not in item:
                    continue  # the common case: no call, no path
                new = _resolve_text(item, (*path, key), ctx, report, found)
            elif isinstance(item, dict | list):
                new = resolve_tree(item, (*path, key), ctx, report, found)
            else:
                continue
            if new is not item:
                if changed is None:
                    changed = dict(value)
                changed[key] = new
        return value if changed is None else changed
    if isinstance(value, list):
        out: list[Any] | None = None
        for index, item in enumerate(value):
            if type(item) is str and "${" not in item:
                continue
            new = resolve_tree(item, (*path, index), ctx, report, found)
            if new is not item:
                if out is None:
                    out = list(value)
                out[index] = new
        return value if out is None else out
    return value


def _resolve_text(
    value: str, path: Path, ctx: ReferenceContext, report: Report, found: Found
) -> str | Secret:
    resolved = resolve(value, ctx)
    for problem in resolved.problems:
        report(path, problem)
    if isinstance(resolved.value, Secret):
        if plain_only(path):
            report(
                path,
                f"{dotted(path)} cannot come from ${{env:}} or ${{file:}}: such values are "
                "secret, and this is a name or key the tool matches on; write it out or "
                "use ${var:NAME}",
            )
            found.refused.add(path)
            return value
        found.secrets.add(path)
    return resolved.value
