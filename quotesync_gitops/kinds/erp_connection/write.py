"""Write ERP connections (the kind's ``write``), respecting SuperOffice's rules.

* a connection's test must pass before its configuration is saved;
* the configuration of an active connection can only change while it is inactive
  (deactivate, save, reactivate — ToggleErpConnectionActive reports why it cannot);
* ERP-tab field order is changed only by relative one-place moves (MoveErpFieldItem).

All or nothing per resource, and the connection test that comes first: ``guard.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quotesync_gitops.changes import Action, Change, Section
from quotesync_gitops.crm.errors import CrmConnectionError, CrmError, CrmRejected
from quotesync_gitops.kinds.connection_parts import config_to_carrier
from quotesync_gitops.kinds.erp_connection import kind as erp_connection
from quotesync_gitops.kinds.erp_connection.guard import (
    WriteLog,
    check_catalog,
    fail_existing,
    fail_shell,
    test_erp_connection,
)
from quotesync_gitops.kinds.erp_connection.spec import ActorSpec, DefaultSpec, MappingSpec, spec_of
from quotesync_gitops.kinds.writing import (
    ApplyContext,
    ResourceFailed,
    find_by_name,
    interfered,
    record_created,
    wanted,
)
from quotesync_gitops.model import Kind, Resource, SpecProblem

MOVE_DOWN = 1


def retire_erp_connection(ac: ApplyContext, object_id: int, new_name: str) -> None:
    """A losing duplicate of a create: renamed out of the way, its configuration emptied,
    soft-deleted."""
    row = ac.client.erp_get_connection(object_id)
    ac.client.erp_save_connection({**row, "DisplayName": new_name, "ConfigFields": {}})
    ac.client.erp_delete_connection(object_id)


def write_erp_connection(ac: ApplyContext, change: Change) -> None:
    """All or nothing (see erp_guard): a failure after the first write undoes what it can
    and reports what stays written."""
    client = ac.client
    if change.action is Action.DELETE:
        client.erp_delete_connection(int(change.live_ids["id"]))
        return
    want = wanted(change)
    connector = str(want.spec["connector"])
    if connector not in ac.live.context.erp_connectors:
        raise ResourceFailed(f"the CRM has no ERP connector named {connector!r}")
    log = WriteLog()
    have = change.live
    if change.action is Action.CREATE:
        conn_id = _create_shell(ac, want, ac.live.context.erp_connectors[connector][0])
        log.wrote("created the connection, inactive and empty")
    else:
        assert have is not None
        conn_id = int(have.ids["id"])
    shell = change.action is Action.CREATE or (have is not None and have.deleted)
    try:
        if shell:
            check_catalog(ac, want, conn_id)
        _write_connection(ac, change, want, log, conn_id=conn_id)
    except CrmConnectionError:
        raise  # the run stops; the next apply re-reads and converges
    except (ResourceFailed, CrmError) as exc:
        if shell:
            raise fail_shell(ac, conn_id, log, str(exc)) from exc
        raise fail_existing(ac, log, str(exc)) from exc


def _write_connection(
    ac: ApplyContext, change: Change, want: Resource, log: WriteLog, *, conn_id: int
) -> None:
    """The writes, in an order that puts what only the CRM can judge first: the connection
    test (no write), then the actor mappings (undoable), then everything else."""
    client = ac.client
    have = change.live
    ctx = ac.live.context
    connector = str(want.spec["connector"])
    connector_id = ctx.erp_connectors[connector][0]
    creating = change.action is Action.CREATE
    restoring = change.action is Action.RESTORE
    touched = change.touched
    config_changed = creating or Section.CONFIG in touched
    active = bool(have and have.spec.get("active") and not have.deleted and not creating)

    if config_changed:
        result = test_erp_connection(client, conn_id, want)
        if not result.ok:
            raise ResourceFailed(f"connection test failed: {result.explanation}")

    desired_actors: Mapping[str, ActorSpec] = spec_of(want).get("actors", {})
    live_actors: Mapping[str, ActorSpec] = (
        spec_of(have).get("actors", {}) if have and not creating else {}
    )
    actors = set(touched.within(Section.ACTORS))
    if creating or restoring:
        actors |= set(desired_actors)
    offered: dict[str, dict[str, Any]] = {}
    for actor in sorted(actors):
        offered[actor] = _save_actor_mapping(
            ac, want.name, conn_id, actor, desired_actors.get(actor), log
        )
    if actors and want.spec.get("listMappings"):
        # ERP list items and CRM lists exist once actor types are enabled and mapped:
        # check the list mappings against them before anything else is written.
        check_catalog(ac, want, conn_id)

    if config_changed and active:
        _toggle(ac, change, conn_id, False, "deactivate it to change its configuration")
        log.wrote("deactivated the connection")
        log.deactivated = conn_id
        active = False

    if creating or restoring or writes_header(change):
        config = config_to_carrier(
            spec_of(want)["config"],
            keep_passwords=not config_changed,
            password_keys={k for k, f in ctx.erp_connectors[connector][1].items() if f.write_only},
        )
        body = erp_connection.to_carrier(
            spec_of(want),
            want.name,
            connection_id=conn_id,
            connector_id=connector_id,
            ctx=ctx,
            config=config,
            active=active,
        )
        try:
            client.erp_save_connection(body)
        except CrmRejected:
            if not active and _is_active(ac, conn_id):  # "deactivate first"
                raise interfered(
                    change, "was activated by someone else during this apply"
                ) from None
            raise
        log.wrote("description, scope and configuration")
        log.saved_actors.clear()  # past this point nothing is put back
        log.deactivated = None

    for actor in sorted(actors):
        _write_actor_rest(
            ac, conn_id, actor, desired_actors.get(actor), live_actors.get(actor), offered[actor]
        )
        log.wrote(f"actor {actor} default values and field order")
    if creating or Section.LIST_MAPPINGS in touched:
        _write_list_mappings(ac, conn_id, spec_of(want).get("listMappings", {}))
        log.wrote("list mappings")

    if bool(want.spec.get("active")) != active:
        _toggle(ac, change, conn_id, not active, "activate it" if not active else "deactivate it")


#: What the connection's own carrier (SaveConnection) holds: a change to any of them writes
#: it (``secretsVersion`` is kept in its description).
HEADER = (
    Section.DESCRIPTION,
    Section.SECRETS_VERSION,
    Section.ACTIVE,
    Section.SCOPE,
    Section.CONFIG,
)


def writes_header(change: Change) -> bool:
    """Whether an update of an existing connection saves the connection itself."""
    return change.touched.any_of(*HEADER)


def _create_shell(ac: ApplyContext, want: Resource, connector_id: int) -> int:
    """An inactive connection without configuration: SuperOffice tests by connection id."""
    client = ac.client

    def landed() -> dict[str, Any] | None:
        rows = client.erp_get_all_connections(include_deleted=False)
        return find_by_name(rows, "DisplayName", want.name)

    body = erp_connection.to_carrier(
        spec_of(want),
        want.name,
        connection_id=0,
        connector_id=connector_id,
        ctx=ac.live.context,
        config={},
        active=False,
    )
    saved = client.erp_save_connection(body, landed=landed)
    return record_created(ac, Kind.ERP_CONNECTION, want.name, saved, "ErpConnectionId")


def _is_active(ac: ApplyContext, conn_id: int) -> bool:
    return bool(ac.client.erp_get_connection(conn_id).get("Active"))


def _toggle(ac: ApplyContext, change: Change, conn_id: int, to_active: bool, purpose: str) -> None:
    """ToggleErpConnectionActive is a toggle, not a set, so it is fenced by reads.

    Before: the connection must still be in the other state (else someone else switched
    it). After: it must be in the new one (else another writer toggled it at the same time,
    and this run's toggle may have undone theirs). When the answer is lost, the connection
    is read again and the toggle is not repeated if it took effect.
    """
    client = ac.client
    if _is_active(ac, conn_id) is to_active:
        done = "activated" if to_active else "deactivated"
        raise interfered(change, f"was {done} by someone else during this apply")

    def landed() -> list[str] | None:
        return [] if _is_active(ac, conn_id) is to_active else None

    reasons = client.erp_toggle_active(conn_id, landed=landed)
    if reasons:
        raise ResourceFailed(f"the CRM refused to {purpose}: {'; '.join(reasons)}")
    if _is_active(ac, conn_id) is not to_active:
        raise interfered(change, "was switched on or off by someone else at the same time")


def _save_actor_mapping(
    ac: ApplyContext,
    name: str,
    conn_id: int,
    actor: str,
    wanted: ActorSpec | None,
    log: WriteLog,
) -> dict[str, Any]:
    """Save one actor type's field mappings; returns its carrier as read (the fields it offers)."""
    client = ac.client
    mapping = client.erp_get_actor_type_mapping(conn_id, actor)
    current = list(mapping.get("FieldMappings") or [])
    if not current and wanted is not None:
        raise ResourceFailed(f"the connector offers no ERP actor type {actor}")
    offered = {str(fm.get("ErpFieldKey")): int(fm["ErpFieldId"]) for fm in current}
    mappings: Mapping[str, MappingSpec] = wanted.get("mappings", {}) if wanted else {}
    unknown = sorted(set(mappings) - set(offered))
    if unknown:
        raise ResourceFailed(
            f"actor {actor} has no ERP field(s) {', '.join(unknown)}; "
            f"the connector offers: {', '.join(sorted(offered))}"
        )
    updated = dict(mapping)
    updated["FieldMappings"] = erp_connection.field_mappings(current, mappings)
    updated["IsActive"] = bool(wanted.get("enabled", True)) if wanted else False
    if wanted and wanted.get("crmActor"):
        updated["ActorTypeCrm"] = wanted["crmActor"]
    try:
        client.erp_save_actor_type_mapping(updated)
    except CrmRejected as exc:
        # The API has no catalog of CRM field keys: this refusal is where a wrong crmField
        # shows (pointed at the actor's mappings; the CRM's message names the key).
        refused = SpecProblem(
            Kind.ERP_CONNECTION,
            name,
            ("actors", actor, "mappings"),
            f"the CRM refused the field mappings of actor {actor}: {exc.crm_message or exc}",
            "key",
        )
        raise ResourceFailed("\n  ".join(ac.locate([refused]))) from exc
    log.saved_actors[actor] = dict(mapping)
    log.wrote(f"actor {actor} mappings")
    return mapping


def _write_actor_rest(
    ac: ApplyContext,
    conn_id: int,
    actor: str,
    wanted: ActorSpec | None,
    live: ActorSpec | None,
    mapping: Mapping[str, Any],
) -> None:
    """Default values and ERP-tab field order of one actor type (after its mappings)."""
    client = ac.client
    current = list(mapping.get("FieldMappings") or [])
    offered = {str(fm.get("ErpFieldKey")): int(fm["ErpFieldId"]) for fm in current}
    want_defaults: Mapping[str, DefaultSpec] = wanted.get("defaults", {}) if wanted else {}
    live_defaults: Mapping[str, DefaultSpec] = live.get("defaults", {}) if live else {}
    for key in sorted(set(want_defaults) | set(live_defaults)):
        if key not in offered:
            raise ResourceFailed(f"actor {actor} has no ERP field {key!r} for a default value")
        if want_defaults.get(key) != live_defaults.get(key):
            client.erp_save_default_value_info(
                erp_connection.default_to_carrier(offered[key], key, want_defaults.get(key))
            )
    order = list(wanted.get("fieldOrder", [])) if wanted else []
    if order:
        _reorder(ac, conn_id, actor, [str(fm.get("ErpFieldKey")) for fm in current], order, offered)


def target_order(current: list[str], wanted: list[str]) -> list[str]:
    """Full order with the listed fields in the wanted relative order, in the slots they
    occupy now; unlisted fields keep their places."""
    listed = set(wanted)
    queue = iter(wanted)
    return [next(queue) if key in listed else key for key in current]


def _reorder(
    ac: ApplyContext,
    conn_id: int,
    actor: str,
    current: list[str],
    wanted: list[str],
    ids: Mapping[str, int],
) -> None:
    """Adjacent swaps (bubble sort) expressed as one-place moves down."""
    target = target_order(current, wanted)
    position = {key: i for i, key in enumerate(target)}
    order = list(current)
    client = ac.client
    for end in range(len(order) - 1, 0, -1):
        for i in range(end):
            if position[order[i]] > position[order[i + 1]]:
                expected = [*order[:i], order[i + 1], order[i], *order[i + 2 :]]

                def landed(expected: list[str] = expected) -> dict[str, Any] | None:
                    fresh = client.erp_get_actor_type_mapping(conn_id, actor)
                    keys = [str(fm.get("ErpFieldKey")) for fm in fresh.get("FieldMappings") or []]
                    return fresh if keys == expected else None

                client.erp_move_field_item(conn_id, actor, ids[order[i]], MOVE_DOWN, landed=landed)
                order = expected


def _write_list_mappings(ac: ApplyContext, conn_id: int, wanted: Mapping[str, Any]) -> None:
    client = ac.client
    container = client.erp_get_list_mappings(conn_id)
    by_field: dict[int, str] = {}
    for actor in sorted({address.split("/", 1)[0] for address in wanted}):
        mapping = client.erp_get_actor_type_mapping(conn_id, actor)
        for fm in mapping.get("FieldMappings") or []:
            by_field[int(fm["ErpFieldId"])] = f"{actor}/{fm.get('ErpFieldKey')}"
    seen: set[str] = set()
    entries = []
    for entry in container.get("ErpListItemMappings") or []:
        address = by_field.get(int(entry.get("ErpFieldId") or 0), "")
        items: Mapping[str, str] = wanted.get(address, {})
        if address in wanted:
            seen.add(address)
        crm_items = _crm_items(ac, entry) if items else {}
        new_items = []
        for item in entry.get("ErpCrmListItemMappings") or []:
            erp_id = str(item.get("ErpListItemId", ""))
            crm_name = items.get(erp_id)
            updated = dict(item)
            if crm_name is None:
                updated["CrmListItem"] = None
            elif crm_name not in crm_items:
                raise ResourceFailed(
                    f"list mapping {address}: the CRM list has no item {crm_name!r}; "
                    f"it has: {', '.join(sorted(crm_items))}"
                )
            else:
                updated["CrmListItem"] = {"Id": crm_items[crm_name], "Name": crm_name}
            new_items.append(updated)
        missing = sorted(set(items) - {str(i.get("ErpListItemId", "")) for i in new_items})
        if missing:
            raise ResourceFailed(
                f"list mapping {address}: the ERP list has no item(s) {', '.join(missing)}"
            )
        entries.append({**entry, "ErpCrmListItemMappings": new_items})
    unknown = sorted(set(wanted) - seen)
    if unknown:
        raise ResourceFailed(
            f"no ERP list field {', '.join(unknown)} (a list mapping needs its ERP field "
            "mapped to a CRM list field)"
        )
    client.erp_save_list_mappings({**container, "ErpListItemMappings": entries})


def _crm_items(ac: ApplyContext, entry: Mapping[str, Any]) -> dict[str, int]:
    crm_list = entry.get("CrmList") or {}
    list_name = str(crm_list.get("Name") or crm_list.get("ExtraInfo") or "").lower()
    if not list_name:
        raise ResourceFailed("the CRM did not say which CRM list an ERP list maps to")
    cached = ac.live.context.crm_lists.get(list_name)
    if cached is None:
        rows = ac.client.mdo_list(list_name)
        cached = {str(r.get("Name")): int(r["Id"]) for r in rows}
        ac.live.context.crm_lists[list_name] = cached
    return cached
