"""Markdown for one resource of a plan: its ``<details>`` block and the escaping of user text.

Every user value is HTML-escaped and its Markdown punctuation turned into character
references (:func:`esc`), so a name holding ``|``, ``<`` or backticks cannot break a table
or the page, and ``@`` cannot mention anyone.
"""

from __future__ import annotations

from collections.abc import Sequence

from quotesync_gitops.plan.model import Action, Change, FieldChange
from quotesync_gitops.render.wording import (
    NONE_TEXT,
    SYMBOLS,
    Mode,
    action_phrase,
    child_label,
    children_summary,
    clean,
    display_fields,
    display_order,
    field_sides,
    plural,
    retire_heading,
)
from quotesync_gitops.secrets import MASK

#: Field rows and product rows shown per resource block (more are counted, not shown).
BLOCK_ROW_LIMIT = 100
_VALUE_LIMIT = 300
_CHILD_VALUE_LIMIT = 120
_CHILD_FIELD_LIMIT = 8
_ESCAPES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>`*_[]|~#!@\\{}$"})


def esc(text: str) -> str:
    """User text made inert for Markdown and HTML (tables, summaries, blockquotes)."""
    return clean(text).translate(_ESCAPES)


def code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def fit_block(change: Change, mode: Mode, budget: int) -> tuple[str | None, int]:
    """The resource's block within ``budget`` characters, listing fewer rows if needed."""
    limit = BLOCK_ROW_LIMIT
    while True:
        block, hidden = _block(change, mode, limit)
        if len(block) <= budget:
            return block, hidden
        if limit == 0:
            return None, 0
        limit //= 2


def _block(change: Change, mode: Mode, limit: int) -> tuple[str, int]:
    """(block, rows not shown) with at most ``limit`` field rows and ``limit`` product rows."""
    summary = f"<code>{SYMBOLS[change.action]}</code> <b>{esc(change.address)}</b>: "
    summary += esc(action_phrase(change, mode))
    fields = display_fields(change)
    if fields:
        summary += " · " + plural(len(fields), "field")
    if children_summary(change):
        summary += " · " + esc(children_summary(change))
    parts = [f"<details><summary>{summary}</summary>"]
    if change.source is not None:
        parts.append(f"Declared in {code(str(change.source))}.")
    hidden_fields = max(0, len(fields) - limit)
    hidden_children = max(0, len(change.children) - limit)
    if fields:
        parts.append(_field_table(fields[:limit], mode))
    if change.retire:
        parts.append(f"{esc(retire_heading(change))}:")
        parts.append(_field_table(change.retire, mode))
    if change.children:
        parts.append(_product_table(change, display_order(change.children)[:limit], mode))
    if hidden_fields or hidden_children:
        counts = [plural(hidden_fields, "more field change")] if hidden_fields else []
        counts += [plural(hidden_children, "more product change")] if hidden_children else []
        parts.append(f"_… {' and '.join(counts)} not shown here; the full plan has them._")
    if change.unchanged_children:
        parts.append(f"and {plural(change.unchanged_children, 'unchanged product')}")
    if len(parts) == 1:
        parts.append("No field-level changes.")
    parts.append("</details>")
    return "\n\n".join(parts), hidden_fields + hidden_children


def _field_table(fields: Sequence[FieldChange], mode: Mode) -> str:
    header = (
        "| Field | Live (CRM) | Manifests (git) |"
        if mode == "drift"
        else "| Field | Before | After |"
    )
    lines = [header, "|:--|:--|:--|"]
    for field_change in fields:
        before, after, suffix = field_sides(field_change)
        lines.append(
            f"| {code(field_change.path)} | {_cell(before, _VALUE_LIMIT)} | "
            f"{_cell(after, _VALUE_LIMIT)}{esc(suffix)} |"
        )
    return "\n".join(lines)


def _product_table(parent: Change, children: Sequence[Change], mode: Mode) -> str:
    lines = ["| | Product | Change | Fields |", "|:-:|:--|:--|:--|"]
    for child in children:
        fields = display_fields(child)
        new = child.action is Action.CREATE
        changes = [_inline_field(f, mode, new) for f in fields[:_CHILD_FIELD_LIMIT]]
        if len(fields) > _CHILD_FIELD_LIMIT:
            changes.append(f"… {len(fields) - _CHILD_FIELD_LIMIT} more")
        lines.append(
            f"| <code>{SYMBOLS[child.action]}</code> | {code(child_label(parent, child))} | "
            f"{esc(action_phrase(child, mode))} | {'<br>'.join(changes)} |"
        )
    return "\n".join(lines)


def _inline_field(field_change: FieldChange, mode: Mode, new: bool = False) -> str:
    """``path: before → after``; a new product's values as ``path: value``."""
    before, after, suffix = field_sides(field_change)
    left, right = _cell(before, _CHILD_VALUE_LIMIT), _cell(after, _CHILD_VALUE_LIMIT)
    if new and mode == "plan":
        return f"{code(field_change.path)}: {right}"
    if mode == "drift":
        return f"{code(field_change.path)}: live {left}, manifests {right}{esc(suffix)}"
    return f"{code(field_change.path)}: {left} → {right}{esc(suffix)}"


def _cell(text: str, limit: int) -> str:
    if text in (NONE_TEXT, MASK):
        return f"<i>{text}</i>"
    return code(shorten(text, limit))
