"""The wording and value display every renderer shares (text, Markdown).

Two modes frame the same comparison: ``"plan"`` says what apply would do to the CRM;
``"drift"`` reads each change from the CRM's point of view (what changed there outside
git). Values are only ever displayed through :func:`display_value`, which masks secrets
(``secrets.mask``) before anything is turned into text.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Literal, get_args

from quotesync_gitops.model import SpecValue
from quotesync_gitops.plan.model import Action, Change, FieldChange, Plan, Unmanaged
from quotesync_gitops.secrets import MASK, is_sensitive, mask

#: How a plan is read: what apply would do ("plan"), or what changed in the CRM ("drift").
Mode = Literal["plan", "drift"]
MODES: tuple[Mode, ...] = get_args(Mode)
ACTION_ORDER = (
    Action.CREATE,
    Action.UPDATE,
    Action.DELETE,
    Action.RESTORE,
    Action.REPLACE,
    Action.REORDER,
)
SYMBOLS = {
    Action.CREATE: "+",
    Action.UPDATE: "~",
    Action.DELETE: "-",
    Action.RESTORE: "↺",
    Action.REPLACE: "-/+",
    Action.REORDER: "⇅",
}
PLAN_WORDS = {
    Action.CREATE: "create",
    Action.UPDATE: "update",
    Action.DELETE: "soft delete",
    Action.RESTORE: "restore",
    Action.REPLACE: "replace",
    Action.REORDER: "reorder",
}
#: Each action read from the CRM's side: what happened there that apply would undo.
DRIFT_WORDS = {
    Action.CREATE: "missing from the CRM",
    Action.UPDATE: "changed in the CRM",
    Action.DELETE: "removed in git but active in the CRM",
    Action.RESTORE: "soft-deleted in the CRM",
    Action.REPLACE: "changed in the CRM (needs replace)",
    Action.REORDER: "reordered in the CRM",
}
#: How a soft delete is carried out, per kind (docs/design.md "Soft delete, per kind").
SOFT_DELETE_HOW = {"PriceList": "set inactive", "Product": "taken out of assortment"}
NONE_TEXT = "(none)"
NO_CHANGES = "No changes. The CRM matches the manifests."
NO_DRIFT = "No drift: the CRM matches the manifests."
DRIFT_DETECTED = "Drift detected: the CRM differs from the manifests."
UNMANAGED_EXPLAINED = (
    "not managed by these manifests; never changed unless pruning is on for the kind"
)
NEW_IN_CRM = "new in the CRM, not in git"
ACKNOWLEDGED = "acknowledged in RepositorySettings.acknowledgeUnmanaged"


def check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ValueError(f"unknown render mode {mode!r}: expected 'plan' or 'drift'")


def clean(text: str) -> str:
    """Escape control and format characters so user text cannot drive a terminal."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            code = ord(char)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def _json_default(value: object) -> str:
    # mask() does not walk tuples or sets; anything left that is sensitive stays masked.
    return MASK if is_sensitive(value) else clean(str(value))


def display_value(value: SpecValue) -> str:
    """One value for display: ``(none)`` when absent, secrets masked, others as JSON."""
    if value is None:
        return NONE_TEXT
    masked = mask(value)
    if masked == MASK:
        return MASK
    return clean(json.dumps(masked, ensure_ascii=False, sort_keys=True, default=_json_default))


def field_is_sensitive(change: FieldChange) -> bool:
    # A plan read back from a plan file holds "(sensitive)" strings, not Secrets.
    return change.sensitive or MASK in (_as_text(change.before), _as_text(change.after))


def _as_text(value: SpecValue) -> str | None:
    return value if isinstance(value, str) else None


def field_sides(change: FieldChange) -> tuple[str, str, str]:
    """(before, after, suffix) as display text; a secret shows ``(sensitive)`` on both sides."""
    if field_is_sensitive(change):
        before = NONE_TEXT if change.before is None else MASK
        after = NONE_TEXT if change.after is None else MASK
        # Both sides masked alike: say that the values differ.
        return before, after, " (changed)" if before == after else ""
    before, after = display_value(change.before), display_value(change.after)
    # Equal after masking: the difference is inside a masked value.
    return before, after, " (sensitive value changed)" if before == after else ""


def display_fields(change: Change) -> list[FieldChange]:
    """The field changes as shown: a whole mapping that appears or goes away (typical of a
    create) is listed leaf by leaf, masked, instead of as one long line."""
    out: list[FieldChange] = []
    for field_change in change.fields:
        before, after = field_change.before, field_change.after
        if before is None and _expandable(after):
            out += [FieldChange(p, None, v) for p, v in _leaves(field_change.path, mask(after))]
        elif after is None and _expandable(before):
            out += [FieldChange(p, v, None) for p, v in _leaves(field_change.path, mask(before))]
        else:
            out.append(field_change)
    return out


def _expandable(value: SpecValue) -> bool:
    return isinstance(value, dict) and bool(value)


def _leaves(path: str, value: SpecValue) -> Iterable[tuple[str, SpecValue]]:
    """(dotted path, value) of every leaf; a leaf that is null says nothing and is left out."""
    if isinstance(value, dict) and value:
        for key in sorted(value, key=str):
            yield from _leaves(f"{path}.{key}", value[key])
    elif value is not None:
        yield path, value


def field_value_text(change: FieldChange, mode: Mode) -> str:
    """``before → after`` (plan) or ``live: X, manifests: Y`` (drift)."""
    before, after, suffix = field_sides(change)
    if mode == "drift":
        return f"live: {before}, manifests: {after}{suffix}"
    return f"{before} → {after}{suffix}"


def action_phrase(change: Change, mode: Mode) -> str:
    """What happens to one resource, in the words of the mode."""
    action = change.action
    if mode == "drift":
        words = DRIFT_WORDS[action]
    elif action is Action.DELETE:
        words = f"soft delete ({SOFT_DELETE_HOW.get(change.kind, 'marked deleted')})"
    elif action is Action.RESTORE:
        words = "restore (soft-deleted in the CRM)"
    else:
        words = PLAN_WORDS[action]
    return f"{words}: {clean(change.reason)}" if change.reason else words


def retire_heading(change: Change) -> str:
    """What a replace does to the old object, introducing its ``retire`` field changes."""
    return f"the old {change.kind} stays in the CRM with its products"


def child_label(parent: Change, child: Change) -> str:
    """A product's code: the planner names products ``<price list>/<code>``."""
    prefix = f"{parent.name}/"
    return child.name[len(prefix) :] if child.name.startswith(prefix) else child.name


def children_summary(change: Change) -> str:
    """``3 product changes, 1200 unchanged`` for a price list; "" otherwise."""
    if not change.children and not change.unchanged_children:
        return ""
    changed = plural(len(change.children), "product change")
    if change.unchanged_children:
        return f"{changed}, {change.unchanged_children} unchanged"
    return changed


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def display_order(changes: Iterable[Change]) -> list[Change]:
    """Deletions and replacements first, then the rest, each group in apply order."""
    items = list(changes)
    first = [c for c in items if c.action in (Action.DELETE, Action.REPLACE)]
    return first + [c for c in items if c.action not in (Action.DELETE, Action.REPLACE)]


def action_totals(plan: Plan) -> tuple[Counter[Action], Counter[Action]]:
    """(changes per action, products among them per action), as in ``Plan.counts()``."""
    totals: Counter[Action] = Counter()
    for (_kind, action), count in plan.counts().items():
        totals[Action(action)] += count
    products: Counter[Action] = Counter()
    for change in plan.changes:
        for child in change.children:
            products[child.action] += 1
    return totals, products


def new_unmanaged(plan: Plan) -> int:
    """Unmanaged objects that are drift: live, and not acknowledged in git."""
    return sum(1 for u in plan.unmanaged if not u.deleted and not u.acknowledged)


def shown_unmanaged(plan: Plan, mode: Mode) -> list[Unmanaged]:
    """The unmanaged objects a report lists: drift leaves out the acknowledged ones (it
    counts them in a note), plan lists them all."""
    if mode == "drift":
        return [u for u in plan.unmanaged if not u.acknowledged]
    return list(plan.unmanaged)


def unmanaged_flag(item: Unmanaged) -> str:
    if item.deleted:
        return " (soft-deleted in the CRM)"
    return f" ({ACKNOWLEDGED})" if item.acknowledged else ""


def acknowledged_note(plan: Plan, mode: Mode) -> list[str]:
    """Drift's one line about the acknowledged objects it does not list."""
    count = sum(1 for u in plan.unmanaged if u.acknowledged)
    if mode != "drift" or not count:
        return []
    return [f"{plural(count, 'unmanaged object')} {ACKNOWLEDGED}, not listed and not drift."]


def drift_found(plan: Plan) -> bool:
    """Drift = any change, or a live object (not soft-deleted) that no manifest describes."""
    return plan.has_changes or new_unmanaged(plan) > 0


def summary_line(plan: Plan, mode: Mode = "plan") -> str:
    """``Plan: N to create, ... N to reorder.`` or, in drift mode, ``Drift: ...``."""
    totals, products = action_totals(plan)

    def count(action: Action, text: str) -> str:
        extra = products[action]
        return f"{text} ({plural(extra, 'product')})" if extra else text

    if mode == "drift":
        if not drift_found(plan):
            return NO_DRIFT
        parts = [
            count(action, f"{totals[action]} {DRIFT_WORDS[action]}")
            for action in ACTION_ORDER
            if totals[action]
        ]
        if new_unmanaged(plan):
            parts.append(f"{new_unmanaged(plan)} {NEW_IN_CRM}")
        return "Drift: " + "; ".join(parts) + "."
    if not plan.has_changes:
        return NO_CHANGES
    parts = [count(action, f"{totals[action]} to {action}") for action in ACTION_ORDER]
    return "Plan: " + ", ".join(parts) + "."


def unique_notes(plan: Plan) -> list[str]:
    """Notes once each, in order."""
    return list(dict.fromkeys(plan.notes))


def guard_lines(plan: Plan) -> list[tuple[str, list[str]]]:
    """(flag, reasons) for each flag apply needs; empty when not blocked."""
    guard = plan.guard
    out = []
    if guard.needs_allow_deletes:
        out.append(("--allow-deletes", [clean(r) for r in guard.needs_allow_deletes]))
    if guard.needs_allow_mass_changes:
        out.append(("--allow-mass-changes", [clean(r) for r in guard.needs_allow_mass_changes]))
    return out
