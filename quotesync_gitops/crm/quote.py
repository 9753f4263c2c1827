"""Quote agent calls (``POST /api/v1/Agents/Quote/<Method>``), see QuoteAgent.swagger2.json."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quotesync_gitops.crm.core import CrmCore, is_new
from quotesync_gitops.crm.responses import as_nothing, as_str_map
from quotesync_gitops.crm.shapes import (
    FIELD_METADATA,
    PLUGIN_RESPONSE,
    QUOTE_CONNECTION,
    QUOTE_LINE_CONFIGURATION,
    list_of,
    map_of,
    object_of,
)

AGENT = "Quote"
#: The texts of a PluginResponse a connector writes (and may fill with what it was sent).
_PLUGIN_TEXTS = frozenset({"UserExplanation", "TechExplanation", "Status"})


def _connection(connection_id: int) -> str:
    return f"quote connection #{connection_id}"


class QuoteCalls(CrmCore):
    """Quote connections, their configuration and tests, and quote line configuration."""

    def quote_get_available_connections(self) -> list[dict[str, Any]]:
        """``GetAllAvailableQuoteConnections``: connections the current user may use."""
        return self._agent(AGENT, "GetAllAvailableQuoteConnections", list_of(QUOTE_CONNECTION))

    def quote_get_installed_connections(self) -> list[dict[str, Any]]:
        """``GetAllInstalledQuoteConnections``: every connection, soft-deleted ones included."""
        return self._agent(AGENT, "GetAllInstalledQuoteConnections", list_of(QUOTE_CONNECTION))

    def quote_get_connection(self, connection_id: int) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "GetConnection",
            object_of(QUOTE_CONNECTION),
            {"QuoteConnectionId": connection_id},
            subject=_connection(connection_id),
        )

    def quote_save_connection(
        self,
        connection: dict[str, Any],
        *,
        landed: Callable[[], dict[str, Any] | None] | None = None,
    ) -> dict[str, Any]:
        """``SaveConnection {Connection}``; ``QuoteConnectionId`` 0 creates (no blind retry)."""
        return self._agent_save(
            AGENT,
            "SaveConnection",
            object_of(QUOTE_CONNECTION),
            connection,
            wrap="Connection",
            noun="quote connection",
            id_key="QuoteConnectionId",
            landed=landed,
        )

    def quote_delete_connection(self, connection_id: int) -> None:
        """``DeleteConnection``: marks the connection deleted (soft)."""
        self._agent(
            AGENT,
            "DeleteConnection",
            as_nothing,
            {"QuoteConnectionId": connection_id},
            subject=_connection(connection_id),
        )

    def quote_restore_connection(self, connection_id: int) -> None:
        self._agent(
            AGENT,
            "RestoreConnection",
            as_nothing,
            {"QuoteConnectionId": connection_id},
            subject=_connection(connection_id),
        )

    def quote_get_connection_config_fields(self, connection_id: int) -> dict[str, str]:
        return self._agent(
            AGENT,
            "GetConnectionConfigFields",
            as_str_map,
            {"QuoteConnectionId": connection_id},
            subject=_connection(connection_id),
        )

    def quote_save_connection_config_fields(
        self, connection_id: int, fields: dict[str, str]
    ) -> dict[str, str]:
        return self._agent(
            AGENT,
            "SaveConnectionConfigFields",
            as_str_map,
            {"QuoteConnectionId": connection_id, "ConnectionConfigFields": fields},
            subject=_connection(connection_id),
        )

    def quote_get_configuration_fields(
        self, connector_name: str, connection_id: int = 0
    ) -> dict[str, dict[str, Any]]:
        """``GetConfigurationFields {ConnectionId, ConnectorName}``: FieldMetadata by FieldKey."""
        return self._agent(
            AGENT,
            "GetConfigurationFields",
            map_of(FIELD_METADATA),
            {"ConnectionId": connection_id, "ConnectorName": connector_name},
            subject=f"quote connector {connector_name!r}",
        )

    def quote_test_connection(self, connector_name: str, data: dict[str, str]) -> dict[str, Any]:
        """``TestConnection {ConnectorName, ConnectionData}``: a PluginResponse (IsOk, ...).

        Its texts are the connector's own and may echo the request: they come back redacted
        and cut like any server message."""
        answer = self._agent(
            AGENT,
            "TestConnection",
            object_of(PLUGIN_RESPONSE),
            {"ConnectorName": connector_name, "ConnectionData": data},
            subject=f"quote connector {connector_name!r}",
        )
        return self._plugin_texts(answer)

    def quote_get_connection_startup_response(self, connection_id: int) -> dict[str, Any]:
        """``GetConnectionStartupResponse {QuoteConnectionId}``: the PluginResponse of the
        connection's initialisation, i.e. of what the CRM has stored (the Quote agent has no
        test of a saved connection's own configuration: its passwords are never handed back)."""
        answer = self._agent(
            AGENT,
            "GetConnectionStartupResponse",
            object_of(PLUGIN_RESPONSE),
            {"QuoteConnectionId": connection_id},
            subject=_connection(connection_id),
        )
        return self._plugin_texts(answer)

    def _plugin_texts(self, answer: dict[str, Any]) -> dict[str, Any]:
        return {
            key: self.crm_text(value) if key in _PLUGIN_TEXTS and value is not None else value
            for key, value in answer.items()
        }

    def quote_get_line_configurations(self) -> list[dict[str, Any]]:
        """``GetAllQuoteLineConfigurations``: the "Configure product" field settings."""
        return self._agent(
            AGENT, "GetAllQuoteLineConfigurations", list_of(QUOTE_LINE_CONFIGURATION)
        )

    def quote_save_line_configurations(self, configs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """``SaveQuoteLineConfigurations``; idempotent unless it creates (an id of 0)."""
        creates = any(is_new(c, "QuoteLineConfigurationId") for c in configs)
        return self._agent(
            AGENT,
            "SaveQuoteLineConfigurations",
            list_of(QUOTE_LINE_CONFIGURATION),
            {"QuoteLineConfigurations": configs},
            subject="quote line configuration",
            idempotent=not creates,
            creating=creates,
        )
