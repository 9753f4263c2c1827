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

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from quotesync_gitops.apply.carriers import write_body
from quotesync_gitops.apply.context import ApplyContext, created_id
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmNotFound
from quotesync_gitops.errors import StalePlanError
from quotesync_gitops.live import normalise as norm
from quotesync_gitops.model import Kind
from quotesync_gitops.plan.model import Action, Change
from quotesync_gitops.secrets_version import split_description


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
    if change.action is Action.CREATE:
        if change.kind in _LISTED and _ids_named(ac, change.kind, change.name):
            raise conflict(change, "was created by someone else")
        return
    if change.kind not in (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION, Kind.PRICE_LIST):
        return
    have = change.live
    if have is None or "id" not in change.live_ids:
        return
    try:
        head = _head_now(ac, change.kind, int(change.live_ids["id"]))
    except CrmNotFound:
        raise conflict(change, "disappeared") from None
    if head != _head_then(change.kind, have.name, have.spec):
        raise conflict(change, "was changed by someone else")


#: kind -> (list call that includes soft-deleted objects where the API can, name field, id field)
_LISTED: dict[str, tuple[Callable[[CrmClient], Iterable[Mapping[str, Any]]], str, str]] = {
    Kind.ERP_CONNECTOR: (lambda c: c.erp_get_all_connectors(), "Name", "Id"),
    Kind.ERP_CONNECTION: (
        lambda c: c.erp_get_all_connections(include_deleted=True),
        "DisplayName",
        "ErpConnectionId",
    ),
    Kind.QUOTE_CONNECTION: (
        lambda c: c.quote_get_installed_connections(),
        "DisplayName",
        "QuoteConnectionId",
    ),
    Kind.PRICE_LIST: (lambda c: c.iter_pricelists(), "Name", "PriceListId"),
}


def _ids_named(ac: ApplyContext, kind: str, name: str) -> list[int]:
    """Ids of the objects of ``kind`` called ``name`` in the CRM right now."""
    rows, name_field, id_field = _LISTED[kind]
    return [int(r[id_field]) for r in rows(ac.client) if r.get(name_field) == name]


def _head_now(ac: ApplyContext, kind: str, object_id: int) -> dict[str, Any]:
    client = ac.client
    if kind == Kind.ERP_CONNECTION:
        row = client.erp_get_connection(object_id)
        return {
            "name": norm.text(row.get("DisplayName")),
            "description": split_description(norm.text(row.get("DisplayDescription")))[0],
            "active": bool(row.get("Active")),
            "deleted": bool(row.get("Deleted")),
        }
    if kind == Kind.QUOTE_CONNECTION:
        row = client.quote_get_connection(object_id)
        return {
            "name": norm.text(row.get("DisplayName")),
            "description": split_description(norm.text(row.get("DisplayDescription")))[0],
            "deleted": bool(row.get("Deleted")),
        }
    row = client.get_pricelist(object_id)
    return {
        "name": norm.text(row.get("Name")),
        "description": norm.text(row.get("Description")),
        "active": bool(row.get("IsActive")),
        "validFrom": norm.date_part(row.get("ValidFrom")),
        "validTo": norm.date_part(row.get("ValidTo")),
    }


def _head_then(kind: str, name: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    if kind == Kind.ERP_CONNECTION:
        return {
            "name": name,
            "description": spec.get("description"),
            "active": bool(spec.get("active")),
            "deleted": bool(spec.get("deleted")),
        }
    if kind == Kind.QUOTE_CONNECTION:
        return {
            "name": name,
            "description": spec.get("description"),
            "deleted": bool(spec.get("deleted")),
        }
    return {
        "name": name,
        "description": spec.get("description"),
        "active": bool(spec.get("active")),
        "validFrom": spec.get("validFrom"),
        "validTo": spec.get("validTo"),
    }


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
    if kind not in _LISTED:
        return
    winner = min([*_ids_named(ac, kind, name), ours])
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
