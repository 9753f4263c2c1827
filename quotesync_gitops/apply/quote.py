"""Write quote connections, sync settings and quote line ("Configure product") settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quotesync_gitops.apply import carriers
from quotesync_gitops.apply.concurrency import record_created
from quotesync_gitops.apply.connection_tests import test_quote_connection
from quotesync_gitops.apply.context import (
    ApplyContext,
    ResourceFailed,
    find_by_name,
)
from quotesync_gitops.crm.errors import CrmRejected
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.plan.model import Action, Change


def write_quote_connection(ac: ApplyContext, change: Change) -> None:
    client = ac.client
    if change.action is Action.DELETE:
        client.quote_delete_connection(int(change.live_ids["id"]))
        return
    want = ac.want(change.kind, change.name)
    creating = change.action is Action.CREATE
    paths = {f.path for f in change.fields}
    config_changed = creating or any(p.startswith("config") for p in paths)
    if config_changed:
        result = test_quote_connection(client, want)
        if not result.ok:
            raise ResourceFailed(f"connection test failed: {result.explanation}")
    erp_id = ac.id_of(Kind.ERP_CONNECTION, want.spec.get("erpConnection"))
    if creating:

        def landed() -> dict[str, Any] | None:
            rows = client.quote_get_installed_connections()
            return find_by_name(rows, "DisplayName", want.name)

        body = carriers.quote_connection(
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
        if paths - {p for p in paths if p.startswith("config")} or (
            change.action is Action.RESTORE
        ):
            body = carriers.quote_connection(
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
    config = carriers.config_values(want.spec["config"], keep_passwords=False)
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
    want = ac.want(change.kind, change.name)
    paths = {f.path for f in change.fields}
    if "priority" in paths:
        names: list[str] = list(want.spec.get("priority", []))
        ids = [ac.id_of(Kind.ERP_CONNECTION, name) for name in names]
        rows = client.erp_get_all_connections(include_deleted=False)
        rest = [int(r["ErpConnectionId"]) for r in rows if int(r["ErpConnectionId"]) not in ids]
        if not client.erp_save_sync_priorities(ids + rest):
            raise ResourceFailed("the CRM did not accept the sync priorities")
    if "automaticSync" in paths:
        client.erp_change_engine_status(bool(want.spec["automaticSync"]))
    if "interval" in paths:
        client.erp_change_engine_interval(str(want.spec["interval"]))


def write_product_field_settings(ac: ApplyContext, change: Change) -> None:
    want = ac.want(change.kind, change.name)
    known = ac.live.context.line_fields
    fields: Mapping[str, Any] = want.spec.get("fields", {})
    touched = sorted({f.path.split(".")[1] for f in change.fields if f.path.startswith("fields.")})
    bodies = []
    for name in touched:
        if name not in known:
            raise ResourceFailed(f"the CRM has no quote line field {name!r}")
        bodies.append(carriers.line_configuration(known[name]["carrier"], fields[name]))
    if bodies:
        ac.client.quote_save_line_configurations(bodies)
