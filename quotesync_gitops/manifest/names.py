"""Names the CRM would change on save: refused at the manifest line, in one place.

SuperOffice trims leading and trailing spaces of display names when it saves them. A
manifest name ``"Prod "`` would be saved as ``"Prod"``, never be found again by its
manifest name, and every apply would create another copy. So every name quotesync matches
the CRM by — ``metadata.name`` of every kind, the names one resource uses to point at
another, and product codes — must already be in the form the CRM keeps. Validate, plan and
apply all load manifests through here, so all three refuse the same names the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quotesync_gitops.model import Kind

#: Spec fields that hold the name of another resource, per kind (a list: each item).
REFERENCE_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.ERP_CONNECTION: ("connector",),
    Kind.QUOTE_CONNECTION: ("erpConnection",),
    Kind.PRICE_LIST: ("quoteConnection",),
    Kind.SYNC_SETTINGS: ("priority",),
}


def name_problem(what: str, value: str, *, reference: bool = False) -> str | None:
    """Why ``value`` cannot be a name (None when the CRM keeps it as written); a
    ``reference`` names another resource."""
    trimmed = value.strip()
    if trimmed == value:
        return None
    if not trimmed:
        return f"{what} is blank: the CRM keeps no name made of spaces only"
    why = (
        "no object in the CRM can have this name"
        if reference
        else "quotesync would not find the object by this name again and would create "
        "another on every apply"
    )
    return (
        f"{what} {value!r} starts or ends with spaces, which the CRM removes when it saves: "
        f"{why}; did you mean {trimmed!r}?"
    )


def check_names(
    kind: str, metadata: Any, spec: Any, report: Callable[[tuple[str | int, ...], str], None]
) -> None:
    """Report every name in one document that the CRM would trim, at its own line."""
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
        problem = name_problem("metadata.name", metadata["name"])
        if problem is not None:
            report(("metadata", "name"), problem)
    if not isinstance(spec, dict):
        return
    for key in REFERENCE_FIELDS.get(kind, ()):
        value = spec.get(key)
        items = list(enumerate(value)) if isinstance(value, list) else [(None, value)]
        for index, item in items:
            if not isinstance(item, str):
                continue
            path: tuple[str | int, ...] = ("spec", key) if index is None else ("spec", key, index)
            label = f"spec.{key}" + ("" if index is None else f"[{index}]")
            problem = name_problem(label, item, reference=True)
            if problem is not None:
                report(path, problem)
