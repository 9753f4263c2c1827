"""Carry out a plan: independent resources at once, within the dependency order.

The engine schedules; each change is written by its kind (``KINDS[change.kind].write``, in
``kinds/``) right after the check that no other writer got in (apply/concurrency.py).

A resource that fails (its connection test, a CRM rule) is reported and skipped, and so
is everything that depends on it; the rest of the plan goes on. A lost connection to the
CRM stops the run: the next apply re-reads and converges, because every write is planned
from a fresh read and creates check whether an earlier attempt landed.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, Literal

from quotesync_gitops.apply.concurrency import check_before_write
from quotesync_gitops.changes import Action, Change
from quotesync_gitops.crm.errors import CrmConnectionError, CrmError
from quotesync_gitops.kinds import KINDS, references_of
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed
from quotesync_gitops.model import Kind
from quotesync_gitops.plan.model import Plan
from quotesync_gitops.secrets import secret_values

#: Past tense of each action, for summaries.
DONE = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.DELETE: "deleted",
    Action.RESTORE: "restored",
    Action.REPLACE: "replaced",
    Action.REORDER: "reordered",
}


#: What became of one change: written, refused (its reason in the message), or not tried
#: because something it depends on failed.
Status = Literal["done", "failed", "skipped"]


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: Status
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


def dependencies(change: Change) -> list[str]:
    """Addresses ("kind/name") this change needs to have succeeded."""
    if change.action is Action.DELETE or change.desired is None:
        return []
    return [ref.address for ref in references_of(change.kind, change.desired.spec)]


#: Actions that make an object: run one at a time, in the plan's order.
_CREATING = frozenset({Action.CREATE, Action.RESTORE, Action.REPLACE})


def waits_for(changes: Sequence[Change]) -> list[frozenset[int]]:
    """For each change, the earlier changes (by index) it must wait for.

    A change waits for the changes it refers to (``dependencies``), sync settings for every
    ERP connection change (the priority names them all), and a soft delete for every change
    before it of another kind (deletes run last, in reverse dependency order). A create,
    restore or replace waits for everything before it, and everything after waits for it.
    Anything else (updates, the usual pull request) may be written at the same time.
    """
    index = {c.address: i for i, c in enumerate(changes)}
    out: list[frozenset[int]] = []
    barrier = -1  # the last create so far: creates keep the plan's order with everything
    for i, change in enumerate(changes):
        waits = {index[d] for d in dependencies(change) if index.get(d, i) < i}
        if change.action in _CREATING:
            # Two runs creating the same names race; one after the other, the loser stops
            # at its first conflict (exit 3) before it creates anything else.
            waits |= set(range(i))
            barrier = i
        elif barrier >= 0:
            waits.add(barrier)
        if change.kind == Kind.SYNC_SETTINGS:
            waits |= {j for j in range(i) if changes[j].kind == Kind.ERP_CONNECTION}
        if change.action is Action.DELETE:
            waits |= {j for j in range(i) if changes[j].kind != change.kind}
        out.append(frozenset(waits))
    return out


class _OrderedProgress:
    """Progress lines in plan order, whatever order concurrent resources finish in.

    The lines of the first unfinished change go out as they come; a later change's lines
    wait until every change before it has finished.
    """

    def __init__(self, say: Callable[[str], None], count: int) -> None:
        self._say = say
        self._held: list[list[str]] = [[] for _ in range(count)]
        self._finished = [False] * count
        self._head = 0
        self._lock = threading.Lock()

    def line(self, index: int, message: str) -> None:
        with self._lock:
            if index == self._head:
                self._say(message)
            else:
                self._held[index].append(message)

    def finish(self, index: int) -> None:
        with self._lock:
            self._finished[index] = True
            while self._head < len(self._finished) and self._finished[self._head]:
                self._head += 1
                if self._head < len(self._held):
                    for message in self._held[self._head]:
                        self._say(message)
                    self._held[self._head] = []


def _apply_one(ac: ApplyContext, change: Change) -> Outcome:
    ac.progress(f"{change.action} {change.address} ...")
    if change.desired is not None:
        # Its secrets are about to travel in request bodies: never let an echo show them.
        ac.client.hide_values(secret_values(change.desired.spec))
    check_before_write(ac, change)
    try:
        KINDS[change.kind].write(ac, change)
    except CrmConnectionError:
        raise
    except (ResourceFailed, CrmError) as exc:
        ac.progress(f"failed {change.address}: {exc}")
        return Outcome(change, "failed", str(exc))
    ac.progress(f"{DONE[change.action]} {change.address}")
    return Outcome(change, "done")


def apply_plan(plan: Plan, ac: ApplyContext) -> ApplyResult:
    """Write every change once the changes it waits for are done, up to
    ``max_concurrency`` resources at a time; outcomes and progress keep the plan's order.

    A lost connection or another writer (exit 3) stops the run: resources being written
    finish (never half-written), nothing new starts, and the first such error in plan
    order is raised.
    """
    changes = plan.changes
    waits = waits_for(changes)
    progress = _OrderedProgress(ac.progress, len(changes))
    outcomes: dict[int, Outcome] = {}
    failed: set[str] = set()
    errors: dict[int, BaseException] = {}
    running: dict[Future[Outcome], int] = {}
    started: set[int] = set()
    workers = max(1, ac.client.max_concurrency)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="quotesync-apply") as pool:
        while True:
            ready = [
                i
                for i in range(len(changes))
                if i not in started and not errors and waits[i] <= outcomes.keys()
            ]
            for i in ready:
                started.add(i)
                change = changes[i]
                blocked = [d for d in dependencies(change) if d in failed]
                if blocked:
                    failed.add(change.address)
                    outcomes[i] = Outcome(
                        change, "skipped", f"depends on {', '.join(blocked)}, which failed"
                    )
                    progress.line(i, f"skipped {change.address}: depends on {', '.join(blocked)}")
                    progress.finish(i)
                    continue
                own = replace(ac, progress=partial(progress.line, i))
                running[pool.submit(_apply_one, own, change)] = i
            if ready and not running:
                continue  # skips may have made others ready
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                i = running.pop(future)
                error = future.exception()
                if error is not None:
                    errors[i] = error
                else:
                    outcome = future.result()
                    outcomes[i] = outcome
                    if outcome.status != "done":
                        failed.add(outcome.change.address)
                progress.finish(i)
    if errors:
        raise errors[min(errors)]
    return ApplyResult(outcomes=[outcomes[i] for i in sorted(outcomes)])
