"""What apply did, in text for a terminal or JSON for scripts (registered by name)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from quotesync_gitops.apply.engine import DONE, ApplyResult
from quotesync_gitops.plan.model import Action, Plan
from quotesync_gitops.render import PlanView, render_plan
from quotesync_gitops.render.wording import plural


def written(result: ApplyResult) -> tuple[Counter[str], Counter[str]]:
    """(what was done, products among it) by past-tense action, counted as a plan counts
    them (``Plan.counts``): products by their own action, a price list whose own fields did
    not change by its products alone; "failed" for resources that failed or were skipped."""
    totals: Counter[str] = Counter()
    products: Counter[str] = Counter()
    for outcome in result.outcomes:
        change = outcome.change
        if outcome.status != "done":
            totals["failed"] += 1
            continue
        if change.action is not Action.UPDATE or change.fields or not change.children:
            totals[DONE[change.action]] += 1
        for child in change.children:
            totals[DONE[child.action]] += 1
            products[DONE[child.action]] += 1
    return totals, products


def _text(result: ApplyResult, plan: Plan) -> str:
    totals, products = written(result)
    lines = []
    for outcome in result.failed:
        lines.append(f"{outcome.status}: {outcome.change.address}: {outcome.message}")
    for remaining in result.remaining:
        lines.append(f"still differs after apply: {remaining}")
    parts = []
    for word in [*DONE.values(), "failed"]:
        if totals[word]:
            extra = f" ({plural(products[word], 'product')})" if products[word] else ""
            parts.append(f"{totals[word]} {word}{extra}")
    verdict = "Apply complete" if result.ok else "Apply finished with problems"
    lines.append(f"{verdict}: {', '.join(parts) if parts else 'nothing to do'}.")
    return "\n".join(lines)


def _json(result: ApplyResult, plan: Plan) -> str:
    _, products = written(result)
    data = {**result.to_dict(), "products": dict(sorted(products.items())), "plan": plan.to_dict()}
    return json.dumps(data, indent=2, ensure_ascii=False)


def _text_nothing(plan: Plan, view: PlanView) -> str:
    return render_plan(plan, "text", view)


def _json_nothing(plan: Plan, view: PlanView) -> str:
    return json.dumps(ApplyResult().to_dict(), indent=2)


@dataclass(frozen=True)
class ApplyRenderer:
    #: What apply did (after it ran).
    result: Callable[[ApplyResult, Plan], str]
    #: What is shown when the plan has no changes (nothing ran).
    nothing_to_do: Callable[[Plan, PlanView], str]
    #: Output for a person: the plan and progress on the terminal. Otherwise stdout holds
    #: nothing but the result, and whatever a person is asked goes to stderr.
    for_people: bool


ApplyFormat = Literal["text", "json"]
APPLY_RENDERERS: Mapping[ApplyFormat, ApplyRenderer] = {
    "text": ApplyRenderer(_text, _text_nothing, for_people=True),
    "json": ApplyRenderer(_json, _json_nothing, for_people=False),
}
