"""Detect another writer (a second apply, or a person) between our read and our write.

SuperOffice has no ETag, If-Match or lock for these resources, so apply checks
optimistically, right before it writes a resource: the object it is about to create must
still not exist, and the object it is about to change must still look as it did when the
plan read it (its header: name, state, description, scope, validity). A difference stops
the whole run with exit 3, so two applies cannot interleave silently.

Right after a create, :func:`claim_created` closes the gap the check before it leaves: when
two runs created the same name at once, the later copy is retired and its run stops (exit 3).
"""

from __future__ import annotations

from collections.abc import Mapping

from quotesync_gitops.crm.errors import CrmNotFound
from quotesync_gitops.errors import StalePlanError
from quotesync_gitops.kinds import KINDS
from quotesync_gitops.kinds.base import WriteGuard
from quotesync_gitops.kinds.price_list.product_carrier import write_body
from quotesync_gitops.kinds.writing import ApplyContext, created_id
from quotesync_gitops.model import Kind
from quotesync_gitops.plan.model import Action, Change


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


def check_before_write(ac: ApplyContext, change: Change) -> None:
    """Raise ConcurrentChange when the CRM no longer matches what the plan read."""
    guard = _guard(change.kind)
    if guard is None:
        return
    if change.action is Action.CREATE:
        if _ids_named(ac, guard, change.name):
            raise conflict(change, "was created by someone else")
        return
    have = change.live
    if have is None or "id" not in change.live_ids or guard.read is None:
        return
    assert guard.head_of_carrier is not None
    try:
        head = guard.head_of_carrier(guard.read(ac.client, int(change.live_ids["id"])))
    except CrmNotFound:
        raise conflict(change, "disappeared") from None
    if head != guard.head_of_spec(have.name, have.spec, head):
        raise conflict(change, "was changed by someone else")


def _guard(kind: str) -> WriteGuard | None:
    definition = KINDS.get(kind)
    return definition.write_guard if definition is not None else None


def _ids_named(ac: ApplyContext, guard: WriteGuard, name: str) -> list[int]:
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
# (renamed and soft-deleted, never hard-deleted) and stops with exit 3; the winner goes on.

MAX_NAME = 254


def duplicate_name(name: str, object_id: int) -> str:
    """The name a losing copy gets: unmistakable, unique, within the CRM's 254 characters."""
    suffix = f" (duplicate #{object_id} from a concurrent apply)"
    return name[: MAX_NAME - len(suffix)] + suffix


def _lost(change_address: str, ours: int, winner: int) -> ConcurrentChange:
    return ConcurrentChange(
        f"{change_address} was created by another apply at the same time (it holds #{winner}); "
        f"this run's copy #{ours} was renamed and soft-deleted, and the run stopped before "
        "writing more. Run plan again to see the current state."
    )


def claim_created(ac: ApplyContext, kind: str, name: str, ours: int) -> None:
    """Raise ConcurrentChange (after retiring our copy) if another run created ``name`` too."""
    guard = _guard(kind)
    if guard is None:
        return
    winner = min([*_ids_named(ac, guard, name), ours])
    if winner == ours:
        return
    _retire(ac, kind, name, ours)
    raise _lost(f"{kind}/{name}", ours, winner)


def record_created(
    ac: ApplyContext, kind: str, name: str, saved: Mapping[str, object], id_key: str
) -> int:
    """The id of an object this run just created, once it is sure to be the only one."""
    ours = created_id(saved, id_key, f"{kind}/{name}")
    claim_created(ac, kind, name, ours)
    ac.created[(kind, name)] = ours
    return ours


def _retire(ac: ApplyContext, kind: str, name: str, object_id: int) -> None:
    client = ac.client
    renamed = duplicate_name(name, object_id)
    if kind == Kind.ERP_CONNECTION:
        row = client.erp_get_connection(object_id)
        client.erp_save_connection({**row, "DisplayName": renamed, "ConfigFields": {}})
        client.erp_delete_connection(object_id)
    elif kind == Kind.QUOTE_CONNECTION:
        row = client.quote_get_connection(object_id)
        client.quote_save_connection({**row, "DisplayName": renamed})
        client.quote_delete_connection(object_id)
    elif kind == Kind.PRICE_LIST:
        row = write_body(client.get_pricelist(object_id))
        client.update_pricelist(object_id, {**row, "Name": renamed, "IsActive": False})
    elif kind == Kind.ERP_CONNECTOR:
        entity = client.erp_get_connector_entity(object_id)
        client.erp_save_connector_entity({**entity, "DisplayName": renamed, "Deleted": True})


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
