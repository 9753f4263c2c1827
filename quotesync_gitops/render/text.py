"""Plain-text rendering of a Plan for terminals (the shared wording is in ``wording``)."""

from __future__ import annotations

from quotesync_gitops.plan.model import Action, Change, Plan
from quotesync_gitops.render.wording import (
    DRIFT_DETECTED,
    NEW_IN_CRM,
    SYMBOLS,
    UNMANAGED_EXPLAINED,
    Mode,
    acknowledged_note,
    action_phrase,
    check_mode,
    child_label,
    children_summary,
    clean,
    display_fields,
    display_order,
    drift_found,
    field_value_text,
    guard_lines,
    plural,
    retire_heading,
    shown_unmanaged,
    summary_line,
    unique_notes,
    unmanaged_flag,
)

#: Product changes listed per price list in text before "… N more".
TEXT_CHILD_LIMIT = 50

_ANSI = {
    Action.CREATE: "32",
    Action.UPDATE: "33",
    Action.DELETE: "31",
    Action.REPLACE: "31",
    Action.RESTORE: "36",
    Action.REORDER: "36",
}
_MAX_ADDRESS_PAD = 48
_MAX_PATH_PAD = 60


class _Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color and text else text


def render_text(plan: Plan, *, mode: Mode = "plan", color: bool = False) -> str:
    """The plan for a terminal (no trailing newline); ANSI colour only when ``color``."""
    check_mode(mode)
    paint = _Painter(color)
    lines: list[str] = []
    if plan.target:
        lines += [f"Target: {clean(plan.target)}", ""]
    ordered = plan.deletions_first()
    if mode == "drift" and drift_found(plan):
        lines += [paint(DRIFT_DETECTED, "1"), ""]
    if ordered:
        if mode == "drift":
            lines.append("What differs, the CRM (live) against git (manifests):")
        else:
            lines.append("Changes apply would make (deletions and replacements first):")
        lines.append("")
        width = min(_MAX_ADDRESS_PAD, max(len(clean(c.address)) for c in ordered))
        for change in ordered:
            lines += _change_lines(change, mode, paint, indent=2, width=width)
        lines.append("")
    lines += _sections(plan, mode, paint)
    lines.append(paint(summary_line(plan, mode), "1"))
    return "\n".join(line.rstrip() for line in lines)


def _change_lines(
    change: Change,
    mode: Mode,
    paint: _Painter,
    *,
    indent: int,
    width: int,
    parent: Change | None = None,
) -> list[str]:
    code = _ANSI[change.action]
    pad = " " * indent
    symbol = paint(f"{SYMBOLS[change.action]:<3}", code)
    address = clean(_address(change, parent)).ljust(width)
    phrase = paint(action_phrase(change, mode), code)
    extra = children_summary(change)
    lines = [f"{pad}{symbol} {address}  {phrase}" + (f" ({extra})" if extra else "")]
    inner = " " * (indent + 4)
    fields = display_fields(change)
    if fields:
        path_width = min(_MAX_PATH_PAD, max(len(clean(f.path)) for f in fields) + 1)
        for field_change in fields:
            label = (clean(field_change.path) + ":").ljust(path_width)
            lines.append(f"{inner}{label} {field_value_text(field_change, mode)}")
    if change.retire:
        lines.append(f"{inner}{retire_heading(change)}:")
        retire_width = max(len(clean(f.path)) for f in change.retire) + 1
        for field_change in change.retire:
            label = (clean(field_change.path) + ":").ljust(retire_width)
            lines.append(f"{inner}    {label} {field_value_text(field_change, mode)}")
    if change.children:
        children = display_order(change.children)
        shown = children[:TEXT_CHILD_LIMIT]
        child_width = min(_MAX_ADDRESS_PAD, max(len(clean(_address(c, change))) for c in shown))
        for child in shown:
            lines += _change_lines(
                child, mode, paint, indent=indent + 4, width=child_width, parent=change
            )
        if len(children) > len(shown):
            more = len(children) - len(shown)
            lines.append(
                f"{inner}… {plural(more, 'more product change')} "
                "(see --format json or the plan file)"
            )
    if change.unchanged_children:
        lines.append(f"{inner}and {plural(change.unchanged_children, 'unchanged product')}")
    return lines


def _address(change: Change, parent: Change | None) -> str:
    return change.address if parent is None else f"{change.kind}/{child_label(parent, change)}"


def _sections(plan: Plan, mode: Mode, paint: _Painter) -> list[str]:
    lines: list[str] = []
    unmanaged = shown_unmanaged(plan, mode)
    if unmanaged:
        if mode == "drift":
            lines.append(f"{NEW_IN_CRM[0].upper()}{NEW_IN_CRM[1:]} ({UNMANAGED_EXPLAINED}):")
        else:
            lines.append(f"{UNMANAGED_EXPLAINED[0].upper()}{UNMANAGED_EXPLAINED[1:]}:")
        for item in unmanaged:
            lines.append(f"  ? {clean(item.kind)}/{clean(item.name)} {unmanaged_flag(item)}")
        lines.append("")
    if plan.tests:
        lines.append("Connection tests (run with the manifests' configuration):")
        for test in plan.tests:
            status = paint("ok    ", "32") if test.ok else paint("FAILED", "31")
            address = f"{clean(test.kind)}/{clean(test.name)}"
            explanation = f": {clean(test.explanation)}" if test.explanation else ""
            lines.append(f"  {status}  {address}{explanation}")
        lines.append("")
    notes = unique_notes(plan) + acknowledged_note(plan, mode)
    if notes:
        lines.append("Notes:")
        lines += [f"  - {clean(note)}" for note in notes]
        lines.append("")
    for flag, reasons in guard_lines(plan):
        lines.append(paint(f"Warning: apply will refuse this plan without {flag}:", "1;31"))
        lines += [f"  - {reason}" for reason in reasons]
        lines.append("")
    return lines
