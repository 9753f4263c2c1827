"""QuoteConnection's live read (``KindDef.fetch``/``add``): the quote connectors' declared
fields and the installed connections with their config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected
from quotesync_gitops.kinds import normalise as norm
from quotesync_gitops.kinds.quote_connection import kind as quote_connection
from quotesync_gitops.kinds.reading import LiveRead, bind, only_agent_refusals
from quotesync_gitops.model import Kind, LiveState, Resource


@dataclass(frozen=True)
class QuoteRead:
    """Quote connectors' declared fields and the installed connections with their config."""

    metas: dict[str, dict[str, Any]]
    installed: list[dict[str, Any]]
    configs: list[dict[str, Any]]


def fetch(read: LiveRead) -> Callable[[], QuoteRead] | None:
    """Read for price lists too: a price list names its quote connection by id."""
    if not read.wants(Kind.QUOTE_CONNECTION, Kind.PRICE_LIST):
        return None
    return lambda: fetch_quote_connections(read.client)


def add(state: LiveState, fetched: QuoteRead | None, read: LiveRead) -> None:
    if fetched is not None:
        erp_names = read.names.get(Kind.ERP_CONNECTION, {})
        read.names[Kind.QUOTE_CONNECTION] = add_quote_connections(state, fetched, erp_names)


def fetch_quote_connections(client: CrmClient) -> QuoteRead:
    available, installed = client.run_bulk(
        [client.quote_get_available_connections, client.quote_get_installed_connections]
    )
    connector_names = sorted(
        {norm.text(c.get("ConnectorName")) for c in available}
        | {norm.text(c.get("ConnectorName")) for c in installed}
    )
    answers = client.run_bulk(
        [_safe_quote_fields(client, name) for name in connector_names]
        + [
            bind(client.quote_get_connection_config_fields, int(c["QuoteConnectionId"]))
            for c in installed
        ]
    )
    metas = dict(zip(connector_names, answers[: len(connector_names)], strict=True))
    return QuoteRead(metas, installed, answers[len(connector_names) :])


def add_quote_connections(
    state: LiveState, read: QuoteRead, erp_names: dict[int, str]
) -> dict[int, str]:
    ctx = state.context
    users = {v: k for k, v in ctx.users.items()}
    groups = {v: k for k, v in ctx.groups.items()}
    for name, meta in read.metas.items():
        ctx.quote_connectors[name] = {f.key: f for f in (norm.field_info(m) for m in meta.values())}
    names: dict[int, str] = {}
    for carrier, values in zip(read.installed, read.configs, strict=True):
        connector = norm.text(carrier.get("ConnectorName"))
        name, spec = quote_connection.from_carrier(
            carrier,
            values,
            fields=ctx.quote_connectors.get(connector, {}),
            erp_names=erp_names,
            users=users,
            groups=groups,
        )
        names[int(carrier["QuoteConnectionId"])] = name
        state.add(
            Resource(
                kind=Kind.QUOTE_CONNECTION,
                name=name,
                spec=spec,
                ids={"id": int(carrier["QuoteConnectionId"])},
            )
        )
    return names


def _safe_quote_fields(client: CrmClient, connector: str) -> Callable[[], dict[str, Any]]:
    def call() -> dict[str, Any]:
        try:
            return client.quote_get_configuration_fields(connector)
        except (CrmRejected, CrmNotFound) as exc:
            only_agent_refusals(exc)
            return {}

    return call
