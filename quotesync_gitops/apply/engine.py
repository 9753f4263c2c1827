"""Carry out a plan, resource by resource, in its order; then verify.

A resource that fails (its connection test, a CRM rule) is reported and skipped, and so
is everything that depends on it; the rest of the plan goes on. A lost connection to the
CRM stops the run: the next apply re-reads and converges, because every write is planned
from a fresh read and creates check whether an earlier attempt landed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from quotesync_gitops.apply.concurrency import check_before_write
from quotesync_gitops.apply.context import ApplyContext, ResourceFailed
from quotesync_gitops.apply.erp import write_erp_connection, write_erp_connector
from quotesync_gitops.apply.images import write_price_list_with_images
from quotesync_gitops.apply.quote import (
    write_product_field_settings,
    write_quote_connection,
    write_sync_settings,
)
from quotesync_gitops.apply.sale_types import write_sale_type_quote_settings
from quotesync_gitops.crm.errors import CrmConnectionError, CrmError
from quotesync_gitops.model import Kind
from quotesync_gitops.plan.model import Action, Change, Plan

Writer = Callable[[ApplyContext, Change], None]

WRITERS: dict[str, Writer] = {
    Kind.ERP_CONNECTOR: write_erp_connector,
    Kind.ERP_CONNECTION: write_erp_connection,
    Kind.QUOTE_CONNECTION: write_quote_connection,
    Kind.SYNC_SETTINGS: write_sync_settings,
    Kind.PRICE_LIST: write_price_list_with_images,
    Kind.PRODUCT_FIELD_SETTINGS: write_product_field_settings,
    Kind.SALE_TYPE_QUOTE_SETTINGS: write_sale_type_quote_settings,
}

#: Past tense of each action, for summaries.
DONE = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.DELETE: "deleted",
    Action.RESTORE: "restored",
    Action.REPLACE: "replaced",
    Action.REORDER: "reordered",
}


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: str  # "done" | "failed" | "skipped"
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.change.kind,
            "name": self.change.name,
            "action": str(self.change.action),
            "status": self.status,
            "message": self.message,
        }


@dataclass
class ApplyResult:
    outcomes: list[Outcome] = field(default_factory=list)
    #: "kind/name: path" of differences a verification read still found
    remaining: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status != "done"]

    @property
    def ok(self) -> bool:
        return not self.failed and not self.remaining

    def summary(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for outcome in self.outcomes:
            if outcome.status == "done":
                counts[DONE[outcome.change.action]] += 1
            else:
                counts["failed"] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "formatVersion": 1,
            "ok": self.ok,
            "summary": dict(sorted(self.summary().items())),
            "outcomes": [o.to_dict() for o in self.outcomes],
            "remainingDifferences": list(self.remaining),
        }


def dependencies(change: Change, ac: ApplyContext) -> list[str]:
    """Addresses ("kind/name") this change needs to have succeeded."""
    if change.action is Action.DELETE:
        return []
    want = ac.desired.get(change.kind, change.name)
    if want is None:
        return []
    spec = want.spec
    needs: list[str] = []
    if change.kind == Kind.ERP_CONNECTION and spec.get("connector"):
        needs.append(f"{Kind.ERP_CONNECTOR}/{spec['connector']}")
    if change.kind == Kind.QUOTE_CONNECTION and spec.get("erpConnection"):
        needs.append(f"{Kind.ERP_CONNECTION}/{spec['erpConnection']}")
    if change.kind == Kind.SYNC_SETTINGS:
        needs += [f"{Kind.ERP_CONNECTION}/{n}" for n in spec.get("priority", [])]
    if change.kind == Kind.PRICE_LIST and spec.get("quoteConnection"):
        needs.append(f"{Kind.QUOTE_CONNECTION}/{spec['quoteConnection']}")
    return needs


def apply_plan(plan: Plan, ac: ApplyContext) -> ApplyResult:
    result = ApplyResult()
    failed: set[str] = set()
    for change in plan.changes:
        blocked = [d for d in dependencies(change, ac) if d in failed]
        if blocked:
            failed.add(change.address)
            result.outcomes.append(
                Outcome(change, "skipped", f"depends on {', '.join(blocked)}, which failed")
            )
            ac.progress(f"skipped {change.address}: depends on {', '.join(blocked)}")
            continue
        ac.progress(f"{change.action} {change.address} ...")
        check_before_write(ac, change)
        try:
            WRITERS[change.kind](ac, change)
        except CrmConnectionError:
            raise
        except (ResourceFailed, CrmError) as exc:
            failed.add(change.address)
            result.outcomes.append(Outcome(change, "failed", str(exc)))
            ac.progress(f"failed {change.address}: {exc}")
            continue
        result.outcomes.append(Outcome(change, "done"))
        ac.progress(f"{DONE[change.action]} {change.address}")
    return result
