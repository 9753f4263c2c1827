"""Write quote connections, sync settings and quote line ("Configure product") settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quotesync_gitops.apply.concurrency import record_created
from quotesync_gitops.apply.connection_tests import test_quote_connection
from quotesync_gitops.changes import Action, Change, Section
from quotesync_gitops.crm.errors import CrmRejected
from quotesync_gitops.kinds import product_field_settings
from quotesync_gitops.kinds.connection_parts import config_to_carrier
from quotesync_gitops.kinds.quote_connection import kind as quote_connection
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, find_by_name, wanted
from quotesync_gitops.model import Kind, Resource


def write_quote_connection(ac: ApplyContext, change: Change) -> None:
    client = ac.client
    if change.action is Action.DELETE:
        client.quote_delete_connection(int(change.live_ids["id"]))
        return
    want = wanted(change)
    creating = change.action is Action.CREATE
    config_changed = creating or Section.CONFIG in change.touched
    if config_changed:
        result = test_quote_connection(client, want)
        if not result.ok:
            raise ResourceFailed(f"connection test failed: {result.explanation}")
    erp_id = ac.id_of(Kind.ERP_CONNECTION, want.spec.get("erpConnection"))
    if creating:

        def landed() -> dict[str, Any] | None:
            rows = client.quote_get_installed_connections()
            return find_by_name(rows, "DisplayName", want.name)

        body = quote_connection.to_carrier(
            want.spec, want.name, connection_id=0, erp_connection_id=erp_id, ctx=ac.live.context
        )
        saved = client.quote_save_connection(body, landed=landed)
        conn_id = record_created(ac, change.kind, change.name, saved, "QuoteConnectionId")
    else:
        conn_id = int(change.live_ids["id"])
        if change.action is Action.RESTORE:
            client.quote_restore_connection(conn_id)
        if config_changed:  # before the header, whose description records secretsVersion
            _save_config(ac, change, conn_id, want)
        if change.touched.beyond(Section.CONFIG) or change.action is Action.RESTORE:
            body = quote_connection.to_carrier(
                want.spec,
                want.name,
                connection_id=conn_id,
                erp_connection_id=erp_id,
                ctx=ac.live.context,
            )
            client.quote_save_connection(body)
    if creating and config_changed:
        _save_config(ac, change, conn_id, want)


def _save_config(ac: ApplyContext, change: Change, conn_id: int, want: Resource) -> None:
    """The connection's config; refused, nothing half-made stays in use: a created or restored
    connection is soft-deleted again, an existing one has had nothing written yet (its config
    goes before its header, whose description records secretsVersion)."""
    config = config_to_carrier(want.spec["config"], keep_passwords=False)
    try:
        ac.client.quote_save_connection_config_fields(conn_id, config)
    except CrmRejected as exc:
        if change.action in (Action.CREATE, Action.RESTORE):
            ac.client.quote_delete_connection(conn_id)
            raise ResourceFailed(
                f"{exc} (the connection is left soft-deleted; the next apply restores it)"
            ) from exc
        raise ResourceFailed(f"{exc} (written before the failure: nothing)") from exc


def write_sync_settings(ac: ApplyContext, change: Change) -> None:
    client = ac.client
    want = wanted(change)
    touched = change.touched
    if Section.PRIORITY in touched:
        names: list[str] = list(want.spec.get("priority", []))
        ids = [ac.id_of(Kind.ERP_CONNECTION, name) for name in names]
        rows = client.erp_get_all_connections(include_deleted=False)
        rest = [int(r["ErpConnectionId"]) for r in rows if int(r["ErpConnectionId"]) not in ids]
        if not client.erp_save_sync_priorities(ids + rest):
            raise ResourceFailed("the CRM did not accept the sync priorities")
    if Section.AUTOMATIC_SYNC in touched:
        client.erp_change_engine_status(bool(want.spec["automaticSync"]))
    if Section.INTERVAL in touched:
        client.erp_change_engine_interval(str(want.spec["interval"]))


def write_product_field_settings(ac: ApplyContext, change: Change) -> None:
    want = wanted(change)
    known = ac.live.context.line_fields
    fields: Mapping[str, Any] = want.spec.get("fields", {})
    bodies = []
    for name in sorted(change.touched.within(Section.FIELDS)):
        if name not in known:
            raise ResourceFailed(f"the CRM has no quote line field {name!r}")
        bodies.append(product_field_settings.to_carrier(known[name]["carrier"], fields[name]))
    if bodies:
        ac.client.quote_save_line_configurations(bodies)
