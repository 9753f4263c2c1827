"""Read the live CRM into a LiveState: bulk reads, then normalise.

Only list calls where SuperOffice has them; per-object calls only where the API offers
nothing else (config values, actor mappings, default values), and those run through the
client's bounded-concurrency ``run_bulk``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected
from quotesync_gitops.kinds import erp_connector
from quotesync_gitops.live import normalise as norm
from quotesync_gitops.live.catalog import read_crm_lists, read_directory
from quotesync_gitops.live.common import SINGLETON_NAME, bind, only_agent_refusals
from quotesync_gitops.live.erp_reader import (
    add_erp_connections,
    fetch_erp_connections,
    kept_ids,
)
from quotesync_gitops.live.quote_reader import (
    add_line_configuration,
    add_price_lists,
    add_quote_connections,
    fetch_price_lists,
    fetch_quote_connections,
)
from quotesync_gitops.live.sale_types import read_sale_types
from quotesync_gitops.model import (
    MANIFEST_KINDS,
    FieldInfo,
    Kind,
    LiveState,
    Resource,
)


def read_live(
    client: CrmClient,
    kinds: Iterable[str] | None = None,
    *,
    reuse: LiveState | None = None,
    reread: Collection[str] = (),
) -> LiveState:
    """Read every Quote/Sync object (or only those of ``kinds``) into a LiveState.

    With ``reuse`` (a state read earlier in this run), an ERP connection whose address is not
    in ``reread`` keeps the actor mappings, defaults and list mappings read then (about 30
    calls a connection); its list row (name, description, state, scope) and its config are
    read fresh. Likewise a price list not in ``reread`` keeps the products read then (its row
    is read fresh); the others' products are read with a filter on their key. Apply's
    verification uses it: it re-reads what it wrote, not the rest.

    Reads that do not need each other's answers go out together: every branch below (users
    and groups, connectors, ERP connections with their per-object reads, the engine, quote
    connections, price lists with their products, quote line settings) starts at once, and a
    branch's follow-up calls start as soon as the answer they need is in. The client's
    semaphore keeps at most ``max_concurrency`` requests in flight however many wait. The
    answers are then turned into resources on this thread, in a fixed order, so the result
    does not depend on which answer came first.
    """
    wanted = set(kinds) if kinds is not None else {str(k) for k in MANIFEST_KINDS}
    state = LiveState()
    ctx = state.context
    erp = bool(wanted & {Kind.ERP_CONNECTION, Kind.SYNC_SETTINGS})
    quote = bool(wanted & {Kind.QUOTE_CONNECTION, Kind.PRICE_LIST})
    nothing: Callable[[], Any] = lambda: None  # noqa: E731
    _, connectors, erp_read, engine, quote_read, products, lines = client.run_bulk(
        [
            lambda: read_directory(client, ctx),
            lambda: _fetch_connectors(client),
            (lambda: fetch_erp_connections(client, erp, kept_ids(reuse, reread))),
            client.erp_get_engine_status if Kind.SYNC_SETTINGS in wanted else nothing,
            (lambda: fetch_quote_connections(client)) if quote else nothing,
            (lambda: fetch_price_lists(client, reuse, reread))
            if Kind.PRICE_LIST in wanted
            else nothing,
            client.quote_get_line_configurations
            if Kind.PRODUCT_FIELD_SETTINGS in wanted
            else nothing,
        ],
        workers=_BRANCHES,
    )
    connections, details = erp_read
    if Kind.ERP_CONNECTOR in wanted:
        connectors = connectors + _fetch_deleted_connectors(client, connectors, connections)
    erp_names = {int(c["ErpConnectionId"]): norm.text(c.get("DisplayName")) for c in connections}
    _add_connectors(state, connectors, Kind.ERP_CONNECTOR in wanted)
    if erp:
        add_erp_connections(state, connections, details, reuse)
        read_crm_lists(client, ctx, [crm_list for _, crm_list in ctx.crm_list_of.values()])
    if Kind.SYNC_SETTINGS in wanted:
        _add_sync_settings(state, connections, engine)
    quote_names: dict[int, str] = {}
    if quote:
        quote_names = add_quote_connections(state, quote_read, erp_names)
    if Kind.PRICE_LIST in wanted:
        add_price_lists(state, products, quote_names)
    if Kind.PRODUCT_FIELD_SETTINGS in wanted:
        add_line_configuration(state, lines)
    if Kind.SALE_TYPE_QUOTE_SETTINGS in wanted:
        read_sale_types(client, state)
    for resource in list(state):
        if resource.kind not in wanted:
            del state.resources[resource.key]
    return state


#: The branches ``read_live`` starts at once (each waits for its own calls, not a slot).
_BRANCHES = 7


_Connector = tuple[dict[str, Any], list[dict[str, Any]]]


def _fetch_connectors(client: CrmClient) -> list[_Connector]:
    """Each registered connector's entity and declared fields, read together."""
    listed = client.erp_get_all_connectors()
    ids = [int(c["Id"]) for c in listed]
    answers = client.run_bulk(
        [bind(client.erp_get_connector_entity, i) for i in ids]
        + [_safe_fields(client, i) for i in ids]
    )
    return list(zip(answers[: len(ids)], answers[len(ids) :], strict=True))


def _fetch_deleted_connectors(
    client: CrmClient, listed: list[_Connector], connections: list[dict[str, Any]]
) -> list[_Connector]:
    """The soft-deleted connectors the CRM's connections (soft-deleted ones too) still name.

    ``GetAllConnectors`` leaves soft-deleted connectors out and has no flag to include them;
    the API lists them nowhere else. An ``ErpConnection`` names its connector by
    ``ErpConnectorId`` (``GetAllConnections`` with ``IncludeDeleted`` lists deleted ones too),
    and ``GetErpSyncConnectorEntity`` answers for a deleted id with ``Deleted`` set. A
    soft-deleted connector no connection ever used is out of reach (docs/export.md).
    """
    known = {int(entity["ErpConnectorId"]) for entity, _ in listed}
    named = {int(c.get("ErpConnectorId") or 0) for c in connections}
    ids = sorted(named - known - {0})
    entities = client.run_bulk([_entity_or_none(client, i) for i in ids])
    deleted = [e for e in entities if e is not None and e.get("Deleted")]
    fields = client.run_bulk([_safe_fields(client, int(e["ErpConnectorId"])) for e in deleted])
    return list(zip(deleted, fields, strict=True))


def _entity_or_none(client: CrmClient, connector_id: int) -> Callable[[], dict[str, Any] | None]:
    def call() -> dict[str, Any] | None:
        try:
            return client.erp_get_connector_entity(connector_id)
        except CrmNotFound:  # removed for good: nothing to export
            return None

    return call


def _add_connectors(state: LiveState, connectors: list[_Connector], include: bool) -> None:
    """Soft-deleted connectors come last, each only under a name no connector in use (or
    deleted one before it) has. A connection cannot use one: they stay out of the context's
    connectors until the plan restores them (plan/planner.py)."""
    ctx = state.context
    for entity, meta in connectors:
        name, spec, ids = erp_connector.from_carrier(entity)
        fields = {f.key: f for f in (norm.field_info(m) for m in meta)}
        if spec["deleted"]:
            if name in ctx.erp_connectors or name in ctx.erp_connectors_deleted:
                continue
            ctx.erp_connectors_deleted[name] = (ids["id"], fields)
        else:
            ctx.erp_connectors[name] = (ids["id"], fields)
        if include:
            state.add(Resource(kind=Kind.ERP_CONNECTOR, name=name, spec=dict(spec), ids=ids))


def _safe_fields(client: CrmClient, connector_id: int) -> Callable[[], list[dict[str, Any]]]:
    """A connector the CRM cannot reach declares no fields (plan reports it when used)."""

    def call() -> list[dict[str, Any]]:
        try:
            return client.erp_get_configuration_fields(connector_id)
        except (CrmRejected, CrmNotFound) as exc:
            only_agent_refusals(exc)
            return []

    return call


def _add_sync_settings(
    state: LiveState, connections: list[dict[str, Any]], engine: dict[str, Any]
) -> None:
    priority = [norm.text(c.get("DisplayName")) for c in connections if not c.get("Deleted")]
    state.add(
        Resource(
            kind=Kind.SYNC_SETTINGS,
            name=SINGLETON_NAME,
            spec={
                "priority": priority,
                "automaticSync": bool(engine.get("IsRunning", False)),
                "interval": norm.interval(engine.get("Interval")),
                "deleted": False,
            },
            ids={
                "connectionIds": {
                    norm.text(c.get("DisplayName")): int(c["ErpConnectionId"])
                    for c in connections
                    if not c.get("Deleted")
                }
            },
        )
    )


__all__ = ["SINGLETON_NAME", "FieldInfo", "read_live"]
