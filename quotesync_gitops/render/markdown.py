"""Markdown rendering of a Plan for pull-request comments (GitHub; GitLab reads it too).

Layout: the comment marker, a heading with the verdict, the guard and deletion call-outs,
a summary table, connection tests, one ``<details>`` block per resource, then unmanaged
objects and notes. The whole comment stays under ``max_chars``: detail blocks are dropped
from the end (the summary, call-outs and sections around them are always kept) and a note
says how much was cut and where the full plan is.

Every user value is HTML-escaped and its Markdown punctuation turned into character
references, so a name holding ``|``, ``<`` or backticks cannot break the table or the
page, and ``@`` cannot mention anyone. Values reach the page only through
:func:`~quotesync_gitops.render.wording.display_value` (secrets masked).
"""

from __future__ import annotations

from collections.abc import Sequence

from quotesync_gitops.plan.model import Action, Change, Plan
from quotesync_gitops.render.markdown_blocks import code, esc, fit_block, shorten
from quotesync_gitops.render.wording import (
    ACTION_ORDER,
    DRIFT_DETECTED,
    DRIFT_WORDS,
    NEW_IN_CRM,
    PLAN_WORDS,
    SOFT_DELETE_HOW,
    SYMBOLS,
    UNMANAGED_EXPLAINED,
    Mode,
    acknowledged_note,
    action_phrase,
    action_totals,
    check_mode,
    child_label,
    drift_found,
    guard_lines,
    plural,
    shown_unmanaged,
    summary_line,
    unique_notes,
    unmanaged_flag,
)

#: First line of every Markdown render, so a bot can find and update its own comment.
COMMENT_MARKER = "<!-- quotesync-plan -->"
DEFAULT_MAX_CHARS = 65_000
MIN_MAX_CHARS = 2_000
#: Entries of the unmanaged, notes and tests sections (and guard reasons) shown.
LIST_LIMIT = 100
#: Top-level deletions/replacements listed in the warning call-out.
WARNING_LIMIT = 30
_CODES_LIMIT = 5
_EXPLANATION_LIMIT = 500
_DEFAULT_HINT = "the JSON plan (`quotesync plan --format json`, or `--out PLANFILE`)"
_DRIFT_COLUMNS = {
    Action.CREATE: "missing in CRM",
    Action.UPDATE: "changed in CRM",
    Action.DELETE: "deleted in git",
    Action.RESTORE: "deleted in CRM",
    Action.REPLACE: "needs replace",
    Action.REORDER: "reordered in CRM",
}


def render_markdown(
    plan: Plan,
    *,
    mode: Mode = "plan",
    max_chars: int = DEFAULT_MAX_CHARS,
    full_plan_hint: str | None = None,
) -> str:
    """The plan as a PR comment of at most ``max_chars`` characters (no trailing newline).

    ``full_plan_hint`` is Markdown naming where the full plan is (e.g. "the plan artifact
    `plan.json`"); it is shown when details had to be cut.
    """
    check_mode(mode)
    if max_chars < MIN_MAX_CHARS:
        raise ValueError(f"max_chars must be at least {MIN_MAX_CHARS}, got {max_chars}")
    hint = full_plan_hint or _DEFAULT_HINT
    head = _head(plan, mode)
    middle = _tests(plan)
    tail = _unmanaged(plan, mode) + _notes(plan, mode)
    ordered = plan.deletions_first()
    if not ordered:
        return _finish("\n\n".join([*head, *middle, *tail]), max_chars, hint)

    total_rows = sum(len(c.fields) + len(c.children) for c in ordered)
    reserve = len(_cut_note(len(ordered), len(ordered), total_rows, hint))
    reserve += len(_cut_line(len(ordered))) + 16
    fixed = len("\n\n".join([*head, *middle, "### Changes", *tail]))
    budget = max_chars - fixed - reserve
    blocks: list[str] = []
    hidden_rows = 0
    for change in ordered:
        block, hidden = fit_block(change, mode, budget)
        if block is None:
            break
        blocks.append(block)
        budget -= len(block) + 2
        hidden_rows += hidden
    cut = len(ordered) - len(blocks)
    changes = "\n\n".join(["### Changes", *blocks])
    if cut:
        changes += "\n\n" + _cut_line(cut)
    note = [_cut_note(cut, len(ordered), hidden_rows, hint)] if cut or hidden_rows else []
    text = "\n\n".join([*head, *note, *middle, changes, *tail])
    return _finish(text, max_chars, hint)


def _finish(text: str, max_chars: int, hint: str) -> str:
    """Last resort when even the fixed sections are too long: cut at a line end."""
    if len(text) <= max_chars:
        return text
    note = f"_… comment cut at {max_chars} characters; the full plan is in {hint}._"
    kept = text[: max_chars - len(note) - 2]
    return kept[: kept.rfind("\n")].rstrip() + "\n\n" + note


def _cut_note(cut: int, total: int, rows: int, hint: str) -> str:
    parts = []
    if cut:
        parts.append(f"the details of {cut} of {plural(total, 'resource')} are left out")
    if rows:
        parts.append(f"{plural(rows, 'field or product change')} inside resources are not listed")
    return (
        "> [!NOTE]\n> **This comment is shortened** to stay within the comment size limit: "
        + " and ".join(parts)
        + f". The full plan is in {hint}."
    )


def _cut_line(cut: int) -> str:
    return f"_… details of {plural(cut, 'more resource')} cut to fit (see the note above)._"


# --- fixed sections --------------------------------------------------------------------


def _head(plan: Plan, mode: Mode) -> list[str]:
    parts = [COMMENT_MARKER + "\n## " + _verdict(plan, mode)]
    if plan.target:
        parts.append(f"Target: {code(plan.target)}")
    parts += _guard(plan, mode) + _warning(plan, mode)
    if plan.has_changes:
        parts.append(_summary_table(plan, mode))
        if mode == "drift":
            parts.append(f"**{esc(summary_line(plan, mode))}**")
    elif mode == "drift" and drift_found(plan):
        parts.append(f"**{esc(summary_line(plan, mode))}**")
    return parts


def _verdict(plan: Plan, mode: Mode) -> str:
    if mode == "drift":
        return esc(DRIFT_DETECTED if drift_found(plan) else summary_line(plan, mode))
    return esc(summary_line(plan, mode))


def _guard(plan: Plan, mode: Mode) -> list[str]:
    needed = guard_lines(plan)
    if not needed:
        return []
    flags = " and ".join(f"`{flag}`" for flag, _ in needed)
    subject = "this plan" if mode == "plan" else "the changes that would undo this drift"
    lines = ["> [!CAUTION]", f"> **Apply will refuse {subject}** unless run with {flags}:"]
    for flag, reasons in needed:
        lines += [f"> - `{flag}`: {esc(reason)}" for reason in reasons[:LIST_LIMIT]]
        if len(reasons) > LIST_LIMIT:
            lines.append(f"> - `{flag}`: … and {len(reasons) - LIST_LIMIT} more reasons")
    return ["\n".join(lines)]


def _warning(plan: Plan, mode: Mode) -> list[str]:
    """Deletions and replacements, top-level and of products, called out before anything."""
    top = [c for c in plan.changes if c.action in (Action.DELETE, Action.REPLACE)]
    items = [
        f"> - <code>{SYMBOLS[c.action]}</code> {code(c.address)}: {esc(action_phrase(c, mode))}"
        + _retired_as(c)
        for c in top[:WARNING_LIMIT]
    ]
    if len(top) > WARNING_LIMIT:
        items.append(f"> - … and {len(top) - WARNING_LIMIT} more (see the changes below)")
    for parent in plan.changes:
        for action in (Action.DELETE, Action.REPLACE):
            group = [c for c in parent.children if c.action is action]
            if group:
                items.append(
                    f"> - {code(parent.address)}: {_product_group(parent, group, action, mode)}"
                )
    if not items:
        return []
    if mode == "drift":
        intro = "> **Bringing the CRM back to the manifests would soft-delete or replace:**"
    else:
        intro = (
            "> **This plan soft-deletes or replaces** (nothing is hard-deleted; putting a"
            " manifest back restores what it describes):"
        )
    return ["\n".join(["> [!WARNING]", intro, *items])]


def _retired_as(change: Change) -> str:
    """``; the old one becomes NAME, inactive`` for a replace that renames the old object."""
    name = change.retired_value("name")
    if not isinstance(name, str):
        return ""
    return f"; the old one becomes {code(name)}, inactive"


def _product_group(parent: Change, group: Sequence[Change], action: Action, mode: Mode) -> str:
    # Reasons are in the resource's details; the call-out stays one line.
    if mode == "drift":
        phrase = DRIFT_WORDS[action]
    elif action is Action.DELETE:
        phrase = f"soft delete ({SOFT_DELETE_HOW['Product']})"
    else:
        phrase = PLAN_WORDS[action]
    codes = ", ".join(code(child_label(parent, c)) for c in group[:_CODES_LIMIT])
    more = ", …" if len(group) > _CODES_LIMIT else ""
    return f"{plural(len(group), 'product')}, {esc(phrase)}: {codes}{more}"


def _summary_table(plan: Plan, mode: Mode) -> str:
    counts = plan.counts()
    totals, _products = action_totals(plan)
    actions = [a for a in ACTION_ORDER if totals[a]]
    labels = [_DRIFT_COLUMNS[a] if mode == "drift" else PLAN_WORDS[a] for a in actions]
    lines = [
        "| Kind | " + " | ".join(labels) + " |",
        "|:--|" + "--:|" * len(actions),
    ]
    for kind in sorted({k for k, _a in counts}):
        cells = [str(counts[(kind, str(a))] or "") for a in actions]
        lines.append(f"| {esc(kind)} | " + " | ".join(cells) + " |")
    lines.append("| **Total** | " + " | ".join(f"**{totals[a]}**" for a in actions) + " |")
    return "\n".join(lines)


def _tests(plan: Plan) -> list[str]:
    if not plan.tests:
        return []
    tests = sorted(plan.tests, key=lambda t: t.ok)  # failures first
    lines = [
        "### Connection tests",
        "",
        "Run with the manifests' configuration.",
        "",
        "| Result | Resource | Explanation |",
        "|:--|:--|:--|",
    ]
    for test in tests[:LIST_LIMIT]:
        result = "ok" if test.ok else "**failed**"
        explanation = shorten(test.explanation, _EXPLANATION_LIMIT)
        lines.append(f"| {result} | {code(f'{test.kind}/{test.name}')} | {esc(explanation)} |")
    if len(tests) > LIST_LIMIT:
        lines.append(f"| … | {len(tests) - LIST_LIMIT} more | see the full plan |")
    return ["\n".join(lines)]


def _unmanaged(plan: Plan, mode: Mode) -> list[str]:
    unmanaged = shown_unmanaged(plan, mode)
    if not unmanaged:
        return []
    if mode == "drift":
        title, explained = NEW_IN_CRM, UNMANAGED_EXPLAINED
    else:
        title, explained = UNMANAGED_EXPLAINED.split("; ", 1)
    lines = [
        f"### {title[0].upper()}{title[1:]}",
        "",
        f"{explained[0].upper()}{explained[1:]}.",
        "",
    ]
    for item in unmanaged[:LIST_LIMIT]:
        lines.append(f"- {code(f'{item.kind}/{item.name}')}{esc(unmanaged_flag(item))}")
    if len(unmanaged) > LIST_LIMIT:
        lines.append(f"- … and {len(unmanaged) - LIST_LIMIT} more (see the full plan)")
    return ["\n".join(lines)]


def _notes(plan: Plan, mode: Mode) -> list[str]:
    notes = unique_notes(plan) + acknowledged_note(plan, mode)
    if not notes:
        return []
    lines = ["### Notes", ""]
    lines += [f"- {esc(shorten(note, _EXPLANATION_LIMIT))}" for note in notes[:LIST_LIMIT]]
    if len(notes) > LIST_LIMIT:
        lines.append(f"- … and {len(notes) - LIST_LIMIT} more (see the full plan)")
    return ["\n".join(lines)]
