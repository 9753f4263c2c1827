"""Renderers, registered by name.

Each thing quotesync shows has one registry, a mapping from a format name to the function
that renders it, and a ``Literal`` of those names; a command's ``--format`` choices are the
registry's keys, so a format is added in one place:

* a plan (plan, drift, show, and apply's preview): ``PLAN_RENDERERS`` here;
* apply's result: ``render.apply_result.APPLY_RENDERERS``;
* manifest problems: ``render.diagnostics.DIAGNOSTICS_RENDERERS``;
* the CRM's catalogs: ``render.catalog.CATALOG_RENDERERS``.

A renderer returns text without a trailing newline unless its format says otherwise; it
never prints.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from quotesync_gitops.plan.model import Plan
from quotesync_gitops.render.json_format import render_json
from quotesync_gitops.render.markdown import COMMENT_MARKER, DEFAULT_MAX_CHARS, render_markdown
from quotesync_gitops.render.text import render_text
from quotesync_gitops.render.wording import Mode

PlanFormat = Literal["text", "markdown", "json"]
PLAN_FORMATS: tuple[PlanFormat, ...] = get_args(PlanFormat)


@dataclass(frozen=True)
class PlanView:
    """How a plan is to be shown, beyond its format; each renderer uses what it needs."""

    mode: Mode = "plan"
    #: ANSI colour (text): the CLI decides, from the terminal and NO_COLOR.
    color: bool = False
    #: Markdown naming where the full plan is, shown when a comment had to be cut.
    full_plan_hint: str | None = None
    #: The Markdown's first line, which a bot finds its comment by.
    marker: str = COMMENT_MARKER


def _text(plan: Plan, view: PlanView) -> str:
    return render_text(plan, mode=view.mode, color=view.color)


def _markdown(plan: Plan, view: PlanView) -> str:
    # A longer marker takes its length from the budget, so the comment stays in bounds.
    extra = len(view.marker) - len(COMMENT_MARKER)
    text = render_markdown(
        plan,
        mode=view.mode,
        max_chars=DEFAULT_MAX_CHARS - extra,
        full_plan_hint=view.full_plan_hint,
    )
    return view.marker + text[len(COMMENT_MARKER) :] if extra else text


def _json(plan: Plan, view: PlanView) -> str:
    return render_json(plan, mode=view.mode)


PlanRenderer = Callable[[Plan, PlanView], str]
PLAN_RENDERERS: Mapping[PlanFormat, PlanRenderer] = {
    "text": _text,
    "markdown": _markdown,
    "json": _json,
}


def render_plan(plan: Plan, fmt: PlanFormat, view: PlanView = PlanView()) -> str:
    """``plan`` in the format named ``fmt``."""
    return PLAN_RENDERERS[fmt](plan, view)
