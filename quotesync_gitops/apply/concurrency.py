"""Detect another writer (a second apply, or a person) between our read and our write.

SuperOffice has no ETag, If-Match or lock for these resources, so apply checks
optimistically, right before it writes a resource: the object it is about to create must
still not exist, and the object it is about to change must still look as it did when the
plan read it (its header: name, state, description, scope, validity). A difference stops
the whole run with exit 3, so two applies cannot interleave silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quotesync_gitops.apply.context import ApplyContext, find_by_name
from quotesync_gitops.crm.errors import CrmNotFound
from quotesync_gitops.errors import StalePlanError
from quotesync_gitops.live import normalise as norm
from quotesync_gitops.model import Kind
from quotesync_gitops.plan.model import Action, Change


class ConcurrentChange(StalePlanError):
    """The CRM changed under a running apply."""


def _conflict(change: Change, what: str) -> ConcurrentChange:
    return ConcurrentChange(
        f"{change.address} {what} since this apply read the CRM (another apply or a change by "
        "hand?); stopped before writing it. Run plan again to see the current state."
    )


def check_before_write(ac: ApplyContext, change: Change) -> None:
    """Raise ConcurrentChange when the CRM no longer matches what the plan read."""
    if change.kind not in (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION, Kind.PRICE_LIST):
        return
    if change.action is Action.CREATE:
        if _exists_now(ac, change):
            raise _conflict(change, "was created by someone else")
        return
    have = ac.have(change.kind, change.name)
    if have is None or "id" not in change.live_ids:
        return
    try:
        head = _head_now(ac, change.kind, int(change.live_ids["id"]))
    except CrmNotFound:
        raise _conflict(change, "disappeared") from None
    if head != _head_then(change.kind, have.name, have.spec):
        raise _conflict(change, "was changed by someone else")


def _exists_now(ac: ApplyContext, change: Change) -> bool:
    client = ac.client
    if change.kind == Kind.ERP_CONNECTION:
        rows = client.erp_get_all_connections(include_deleted=True)
        return any(r.get("DisplayName") == change.name for r in rows)
    if change.kind == Kind.QUOTE_CONNECTION:
        rows = client.quote_get_installed_connections()
        return any(r.get("DisplayName") == change.name for r in rows)
    return find_by_name(list(client.iter_pricelists()), "Name", change.name) is not None


def _head_now(ac: ApplyContext, kind: str, object_id: int) -> dict[str, Any]:
    client = ac.client
    if kind == Kind.ERP_CONNECTION:
        row = client.erp_get_connection(object_id)
        return {
            "name": norm.text(row.get("DisplayName")),
            "description": norm.text(row.get("DisplayDescription")),
            "active": bool(row.get("Active")),
            "deleted": bool(row.get("Deleted")),
        }
    if kind == Kind.QUOTE_CONNECTION:
        row = client.quote_get_connection(object_id)
        return {
            "name": norm.text(row.get("DisplayName")),
            "description": norm.text(row.get("DisplayDescription")),
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
