"""The writers' toolkit: what every kind's writer (``KindDef.write``) needs beside its change.

The client, the live state (ids of objects it refers to, the CRM's catalogs) and the ids of
objects made in this run (``ApplyContext``); a resource's failure (``ResourceFailed``); and
the claims that close the gap between two runs creating the same name at once
(``record_created``, ``claim_created``, ``claim_created_products``), with the errors that
stop a run when another writer got in (``conflict``, ``interfered``). apply/ schedules the
writers and checks right before each write (``apply/concurrency.check_before_write``).

There is no desired state here on purpose: a writer takes its desired object from the
change it carries out (``wanted``), never by looking a name up again. Nothing here loads the
HTTP client: the single-module kinds import this module, and importing the kinds must not."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quotesync_gitops.changes import Change
from quotesync_gitops.errors import QuotesyncError, StalePlanError
from quotesync_gitops.model import Kind, LiveState, Resource, SpecProblem

if TYPE_CHECKING:  # the kinds load without the HTTP client
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.kinds.base import KindDef, WriteGuard


class ResourceFailed(QuotesyncError):
    """This resource could not be applied; the rest of the plan goes on without it."""


@dataclass
class ApplyContext:
    client: CrmClient
    live: LiveState
    progress: Callable[[str], None] = lambda _message: None
    #: (label, done, total) while bulk product writes run; the CLI draws a bar on a TTY
    bulk_progress: Callable[[str, int, int], None] = lambda _label, _done, _total: None
    #: (kind, name) -> id of objects created during this run
    created: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Problems against the CRM's catalogs as report lines; the pipeline sets one that
    #: points at each manifest line (apply knows specs, not files)
    locate: Callable[[Sequence[SpecProblem]], list[str]] = field(
        default=lambda problems: [f"{p.kind} {p.name!r}: {p.message}" for p in problems]
    )

    def id_of(self, kind: str, name: str | None) -> int:
        """Server id of an object, whether it existed before or was created in this run."""
        if not name:
            return 0
        if (kind, name) in self.created:
            return self.created[(kind, name)]
        existing = self.live.get(kind, name)
        if existing is None:
            raise ResourceFailed(f"{kind} {name!r} does not exist in the CRM")
        return int(existing.ids["id"])


def wanted(change: Change) -> Resource:
    """The prepared desired resource a change writes (every change but a prune has one)."""
    if change.desired is None:
        raise ResourceFailed(f"{change.kind} {change.name!r} is not in the manifests")
    return change.desired


def created_id(saved: Mapping[str, object], id_key: str, what: str) -> int:
    """The id of an object the CRM says it created; a create answered without one failed."""
    ident = saved.get(id_key)
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise ResourceFailed(f"the CRM answered the create of {what} without an {id_key}")
    return ident


def find_by_name(
    rows: list[dict[str, object]], name_field: str, name: str
) -> dict[str, object] | None:
    """The non-deleted row with this display name (used to check whether a create landed)."""
    for row in rows:
        if row.get(name_field) == name and not row.get("Deleted"):
            return row
    return None


def write_body(carrier: Mapping[str, Any]) -> dict[str, Any]:
    """A carrier as read, ready to send back: without the REST ``_Links`` (read-only)."""
    return {k: v for k, v in carrier.items() if k != "_Links"}


# --- another writer -------------------------------------------------------------------------


class ConcurrentChange(StalePlanError):
    """The CRM changed under a running apply."""


def conflict(change: Change, what: str) -> ConcurrentChange:
    return ConcurrentChange(
        f"{change.address} {what} since this apply read the CRM (another apply or a change by "
        "hand?); stopped before writing it. Run plan again to see the current state."
    )


def interfered(change: Change, what: str) -> ConcurrentChange:
    """Another writer changed the object while this run was writing it."""
    return ConcurrentChange(
        f"{change.address} {what} (another apply at the same time, or a change by hand?); "
        "this run stopped. Run plan again to see the current state."
    )


def definition(kind: str) -> KindDef | None:
    """The registered kind (imported here, not at the top: the registry imports every kind,
    and the kinds' writers import this module)."""
    from quotesync_gitops.kinds import KINDS

    return KINDS.get(kind)


def ids_named(ac: ApplyContext, guard: WriteGuard, name: str) -> list[int]:
    """Ids of the objects of the guard's kind called ``name`` in the CRM right now."""
    return [
        int(r[guard.id_field]) for r in guard.rows(ac.client) if r.get(guard.name_field) == name
    ]


# --- two creates of one name ----------------------------------------------------------------
#
# The check before a create narrows the window but cannot close it: two applies that both
# found a name free can both create it (SuperOffice has no unique names and no lock). So right
# after its create, a run lists the objects of that name. Ids grow with creation, so the lowest
# id was created first and wins. A run holding a higher id moves its copy out of the way
# (renamed and soft-deleted by its kind's ``retire``, never hard-deleted) and stops with exit
# 3; the winner goes on.

#: Longest display name the CRM stores.
MAX_NAME = 254


def duplicate_name(name: str, object_id: int) -> str:
    """The name a losing copy gets: unmistakable, unique, within the CRM's 254 characters."""
    suffix = f" (duplicate #{object_id} from a concurrent apply)"
    return name[: MAX_NAME - len(suffix)] + suffix


def retired_name(name: str, old_id: int) -> str:
    """The name a replaced price list is given, out of the new one's way: unique (its id)
    and within the CRM's name limit."""
    suffix = f" (replaced #{old_id})"
    return name[: MAX_NAME - len(suffix)].rstrip() + suffix


def _lost(change_address: str, ours: int, winner: int) -> ConcurrentChange:
    return ConcurrentChange(
        f"{change_address} was created by another apply at the same time (it holds #{winner}); "
        f"this run's copy #{ours} was renamed and soft-deleted, and the run stopped before "
        "writing more. Run plan again to see the current state."
    )


def claim_created(ac: ApplyContext, kind: str, name: str, ours: int) -> None:
    """Raise ConcurrentChange (after retiring our copy) if another run created ``name`` too."""
    kind_def = definition(kind)
    guard = kind_def.write_guard if kind_def is not None else None
    if kind_def is None or guard is None:
        return
    winner = min([*ids_named(ac, guard, name), ours])
    if winner == ours:
        return
    kind_def.retire(ac, ours, duplicate_name(name, ours))
    raise _lost(f"{kind}/{name}", ours, winner)


def record_created(
    ac: ApplyContext, kind: str, name: str, saved: Mapping[str, object], id_key: str
) -> int:
    """The id of an object this run just created, once it is sure to be the only one."""
    ours = created_id(saved, id_key, f"{kind}/{name}")
    claim_created(ac, kind, name, ours)
    ac.created[(kind, name)] = ours
    return ours


def claim_created_products(
    ac: ApplyContext, price_list: str, list_key: str, created: Mapping[str, int]
) -> None:
    """After creating products (code → id) in a list: the same for codes within the list.

    A copy made before ours (another apply) wins: ours is renamed and retired. A copy made
    after ours is left to whoever made it: another apply retires its own; one a person made
    is found by the next plan, which refuses the list until one of the two is recoded."""
    if not created:
        return
    first: dict[str, int] = {}
    for row in ac.client.find_products(list_key):
        code = str(row.get("Code") or "")
        if code in created:
            ident = int(row["ProductId"])
            first[code] = min(first.get(code, ident), ident)
    lost = sorted(code for code, ident in created.items() if first.get(code, ident) < ident)
    if not lost:
        return
    for code in lost:
        ident = created[code]
        row = write_body(ac.client.get_product(ident))
        retired = {**row, "Code": duplicate_name(code, ident), "InAssortment": False}
        ac.client.update_product(ident, retired)
    raise ConcurrentChange(
        f"{Kind.PRICE_LIST}/{price_list}: product(s) {', '.join(lost)} were created by another "
        "apply at the same time; this run's copies were renamed and taken out of the "
        "assortment, and the run stopped. Run plan again to see the current state."
    )
