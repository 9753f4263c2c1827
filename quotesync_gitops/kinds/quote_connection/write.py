"""Write quote connections (the kind's ``write``), and the connection test apply runs before
it writes a configuration (``test_quote_connection``; ``plan --test-connections`` runs it
through apply/connection_tests.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from quotesync_gitops.changes import Action, Change, Section, TestResult
from quotesync_gitops.crm.errors import CrmError, CrmRejected
from quotesync_gitops.kinds.connection_parts import config_to_carrier, test_config
from quotesync_gitops.kinds.quote_connection import kind as quote_connection
from quotesync_gitops.kinds.writing import (
    ApplyContext,
    ResourceFailed,
    find_by_name,
    record_created,
    wanted,
)
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.secrets import secret_values

if TYPE_CHECKING:
    from quotesync_gitops.crm.client import CrmClient


def test_quote_connection(client: CrmClient, resource: Resource) -> TestResult:
    """The connector's test of the desired configuration."""
    connector = str(resource.spec.get("connector", ""))
    client.hide_values(secret_values(resource.spec))  # a server may echo the test request
    try:
        answer = client.quote_test_connection(connector, test_config(resource))
    except CrmError as exc:
        return TestResult(resource.kind, resource.name, False, str(exc))
    ok = bool(answer.get("IsOk"))
    explanation = str(answer.get("UserExplanation") or answer.get("TechExplanation") or "")
    return TestResult(resource.kind, resource.name, ok, explanation)


def retire_quote_connection(ac: ApplyContext, object_id: int, new_name: str) -> None:
    """A losing duplicate of a create: renamed out of the way, soft-deleted."""
    row = ac.client.quote_get_connection(object_id)
    ac.client.quote_save_connection({**row, "DisplayName": new_name})
    ac.client.quote_delete_connection(object_id)


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
    erp_id = ac.id_of(Kind.ERP_CONNECTION, quote_connection.spec_of(want).get("erpConnection"))
    if creating:

        def landed() -> dict[str, Any] | None:
            rows = client.quote_get_installed_connections()
            return find_by_name(rows, "DisplayName", want.name)

        body = quote_connection.to_carrier(
            quote_connection.spec_of(want),
            want.name,
            connection_id=0,
            erp_connection_id=erp_id,
            ctx=ac.live.context,
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
                quote_connection.spec_of(want),
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
    config = config_to_carrier(quote_connection.spec_of(want)["config"], keep_passwords=False)
    try:
        ac.client.quote_save_connection_config_fields(conn_id, config)
    except CrmRejected as exc:
        if change.action in (Action.CREATE, Action.RESTORE):
            ac.client.quote_delete_connection(conn_id)
            raise ResourceFailed(
                f"{exc} (the connection is left soft-deleted; the next apply restores it)"
            ) from exc
        raise ResourceFailed(f"{exc} (written before the failure: nothing)") from exc
