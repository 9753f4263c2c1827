"""The guards of a plan: what needs ``--allow-deletes`` or ``--allow-mass-changes`` before
apply may carry it out (docs/manifests.md, RepositorySettings)."""

from __future__ import annotations

from collections import Counter

from quotesync_gitops.kinds import price_list
from quotesync_gitops.model import Kind, LiveState, RepositorySettings
from quotesync_gitops.plan.model import Action, GuardReport, Plan
from quotesync_gitops.plan.products import PRODUCT_KIND


def evaluate_guards(plan: Plan, live: LiveState, settings: RepositorySettings) -> GuardReport:
    """Deletions need --allow-deletes; too many changes of one kind need --allow-mass-changes."""
    counts = plan.counts()
    existing: Counter[str] = Counter(r.kind for r in live if not r.deleted)
    existing[PRODUCT_KIND] = sum(
        len(price_list.spec_of(r).get("products", {})) for r in live.of_kind(Kind.PRICE_LIST)
    )
    deletes = tuple(
        f"{n} {kind} soft delete(s)"
        for (kind, action), n in sorted(counts.items())
        if action == Action.DELETE and n
    )
    mass: list[str] = []
    for kind in sorted({k for k, _ in counts}):
        have = existing[kind]
        if have < settings.min_existing:
            continue
        for action, limit in (
            (Action.DELETE, settings.max_delete_percent),
            (Action.UPDATE, settings.max_update_percent),
        ):
            n = counts[(kind, str(action))]
            if n and 100.0 * n / have > limit:
                mass.append(
                    f"{n} of {have} {kind} objects would be {action}d "
                    f"({100.0 * n / have:.0f}% > {limit:g}%)"
                )
    return GuardReport(
        needs_allow_deletes=() if settings.allow_deletes else deletes,
        needs_allow_mass_changes=tuple(mass),
    )
