"""ErpSync agent calls (``POST /api/v1/Agents/ErpSync/<Method>``), see ErpSyncAgent.openapi3.json.

Request bodies use the documented carrier names exactly (``ErpConnectionId``, ``Connection``,
``ConfigFields``, ...). Answers are returned as parsed carriers; nothing here knows manifests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quotesync_gitops.crm.core import CrmCore, describe
from quotesync_gitops.crm.responses import as_bool, as_nothing, as_str_list, as_str_map
from quotesync_gitops.crm.shapes import (
    ACTOR_TYPE_MAPPING,
    CONNECTOR_ENTITY,
    DEFAULT_VALUE,
    ENGINE_STATUS,
    ERP_CONNECTION,
    FIELD_METADATA,
    LIST_ITEM,
    LIST_MAPPING_CONTAINER,
    list_of,
    object_of,
)

AGENT = "ErpSync"
Landed = Callable[[], dict[str, Any] | None]


def _connection(connection_id: int) -> str:
    return f"ERP connection #{connection_id}"


class ErpSyncCalls(CrmCore):
    """Sync connectors, ERP connections, mappings, defaults, priorities and the sync engine."""

    # --- connectors ---------------------------------------------------------------------

    def erp_get_all_connectors(self) -> list[dict[str, Any]]:
        """``GetAllConnectors``: ListItem carriers (Id, Name, ToolTip)."""
        return self._agent(AGENT, "GetAllConnectors", list_of(LIST_ITEM))

    def erp_get_connector_entity(self, connector_id: int) -> dict[str, Any]:
        """``GetErpSyncConnectorEntity?erpSyncConnectorEntityId=`` (id in the query, no body)."""
        return self._agent(
            AGENT,
            "GetErpSyncConnectorEntity",
            object_of(CONNECTOR_ENTITY),
            params={"erpSyncConnectorEntityId": connector_id},
            subject=f"ERP connector #{connector_id}",
        )

    def erp_save_connector_entity(
        self, entity: dict[str, Any], *, landed: Landed | None = None
    ) -> dict[str, Any]:
        """``SaveErpSyncConnectorEntity``: the body is the entity itself; id 0 creates."""
        return self._agent_save(
            AGENT,
            "SaveErpSyncConnectorEntity",
            object_of(CONNECTOR_ENTITY),
            entity,
            wrap=None,
            noun="ERP connector",
            id_key="ErpConnectorId",
            landed=landed,
        )

    def erp_get_configuration_fields(self, connector_id: int) -> list[dict[str, Any]]:
        """``GetConfigurationFields {ErpConnectorId}``: the connector's FieldMetadata."""
        return self._agent(
            AGENT,
            "GetConfigurationFields",
            list_of(FIELD_METADATA),
            {"ErpConnectorId": connector_id},
            subject=f"ERP connector #{connector_id}",
        )

    # --- connections --------------------------------------------------------------------

    def erp_get_all_connections(self, include_deleted: bool = True) -> list[dict[str, Any]]:
        """``GetAllConnections {IncludeDeleted}``: in priority order, without config values."""
        return self._agent(
            AGENT,
            "GetAllConnections",
            list_of(ERP_CONNECTION),
            {"IncludeDeleted": include_deleted},
        )

    def erp_get_connection(self, connection_id: int) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "GetConnection",
            object_of(ERP_CONNECTION),
            {"ErpConnectionId": connection_id},
            subject=_connection(connection_id),
        )

    def erp_get_connection_config_fields(self, connection_id: int) -> dict[str, str]:
        return self._agent(
            AGENT,
            "GetErpConnectionConfigFields",
            as_str_map,
            {"ErpConnectionId": connection_id},
            subject=_connection(connection_id),
        )

    def erp_save_connection(
        self, connection: dict[str, Any], *, landed: Landed | None = None
    ) -> dict[str, Any]:
        """``SaveConnection {Connection}``; ``ErpConnectionId`` 0 creates (not retried blindly)."""
        return self._agent_save(
            AGENT,
            "SaveConnection",
            object_of(ERP_CONNECTION),
            connection,
            wrap="Connection",
            noun="ERP connection",
            id_key="ErpConnectionId",
            landed=landed,
        )

    def erp_delete_connection(self, connection_id: int) -> None:
        """``DeleteConnection``: a soft delete (sets ``Deleted``); repeating it is harmless."""
        self._agent(
            AGENT,
            "DeleteConnection",
            as_nothing,
            {"ErpConnectionId": connection_id},
            subject=_connection(connection_id),
        )

    def erp_toggle_active(
        self, connection_id: int, *, landed: Callable[[], list[str] | None] | None = None
    ) -> list[str]:
        """``ToggleErpConnectionActive``: ``[]`` when toggled, else the CRM's reasons.

        A toggle is not idempotent; ``landed`` should re-read the connection and return
        ``[]`` if its ``Active`` flag already changed, else None.
        """
        reasons = self._agent(
            AGENT,
            "ToggleErpConnectionActive",
            as_str_list,
            {"ErpConnectionId": connection_id},
            subject=_connection(connection_id),
            idempotent=False,
            landed=landed,
        )
        return [self.crm_text(reason) for reason in reasons]  # may echo the configuration

    def erp_test_connection_by_config(self, connection_id: int, config: dict[str, str]) -> bool:
        """``TestConnectionByConfig {ErpConnectionId, ConfigFields}``: True if the test passes."""
        return self._agent(
            AGENT,
            "TestConnectionByConfig",
            as_bool,
            {"ErpConnectionId": connection_id, "ConfigFields": config},
            subject=_connection(connection_id),
        )

    # --- mappings and defaults ----------------------------------------------------------

    def erp_get_actor_type_mapping(self, connection_id: int, actor_type: str) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "GetActorTypeMapping",
            object_of(ACTOR_TYPE_MAPPING),
            {"ErpConnectionId": connection_id, "ActorType": actor_type},
            subject=f"{actor_type} mapping of {_connection(connection_id)}",
        )

    def erp_save_actor_type_mapping(self, mapping: dict[str, Any]) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "SaveActorTypeMapping",
            object_of(ACTOR_TYPE_MAPPING),
            {"Mapping": mapping},
            subject=_mapping_subject(mapping),
        )

    def erp_get_list_mappings(self, connection_id: int) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "GetConnectionListMappings",
            object_of(LIST_MAPPING_CONTAINER),
            {"ErpConnectionId": connection_id},
            subject=f"list mappings of {_connection(connection_id)}",
        )

    def erp_save_list_mappings(self, container: dict[str, Any]) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "SaveConnectionListMappings",
            object_of(LIST_MAPPING_CONTAINER),
            {"ListMapping": container},
            subject="list mappings of "
            + describe("ERP connection", container, "ErpConnectionName", "ErpConnectionId"),
        )

    def erp_get_default_value_info(self, erp_field_id: int) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "GetDefaultValueInfo",
            object_of(DEFAULT_VALUE),
            {"ErpFieldId": erp_field_id},
            subject=f"default value of ERP field #{erp_field_id}",
        )

    def erp_save_default_value_info(self, value: dict[str, Any]) -> dict[str, Any]:
        return self._agent(
            AGENT,
            "SaveDefaultValueInfo",
            object_of(DEFAULT_VALUE),
            {"ErpSyncDefaultValue": value},
            subject="default value of " + describe("ERP field", value, "ErpFieldKey", "ErpFieldId"),
        )

    def erp_move_field_item(
        self,
        connection_id: int,
        actor_type: str,
        erp_field_id: int,
        direction: int,
        *,
        landed: Callable[[], object] | None = None,
    ) -> None:
        """``MoveErpFieldItem``: move one field a rank up (-1) or down (+1); not idempotent.

        ``landed`` should re-read the actor mapping and return something (the mapping, True)
        if the move took effect, None or False if it did not.
        """

        check: Callable[[], bool | None] | None = None
        if landed is not None:
            took_effect = landed
            check = lambda: None if took_effect() in (None, False) else True  # noqa: E731

        self._agent(
            AGENT,
            "MoveErpFieldItem",
            lambda data: True,
            {
                "ErpFieldId": erp_field_id,
                "Direction": direction,
                "ErpConnectionId": connection_id,
                "ErpActorType": actor_type,
            },
            subject=f"ERP field #{erp_field_id} of {actor_type} in {_connection(connection_id)}",
            idempotent=False,
            landed=check,
        )

    # --- priorities and the engine ------------------------------------------------------

    def erp_save_sync_priorities(self, connection_ids: list[int]) -> bool:
        """``SaveErpConnectionSyncPriorities {ErpConnectionIds}`` (no getter exists)."""
        return self._agent(
            AGENT,
            "SaveErpConnectionSyncPriorities",
            as_bool,
            {"ErpConnectionIds": connection_ids},
            subject="sync priorities",
        )

    def erp_get_engine_status(self) -> dict[str, Any]:
        return self._agent(
            AGENT, "GetEngineStatus", object_of(ENGINE_STATUS), subject="sync engine"
        )

    def erp_change_engine_status(self, run: bool) -> None:
        self._agent(AGENT, "ChangeEngineStatus", as_nothing, {"Run": run}, subject="sync engine")

    def erp_change_engine_interval(self, interval: str) -> None:
        self._agent(
            AGENT, "ChangeEngineInterval", as_nothing, {"Interval": interval}, subject="sync engine"
        )


def _mapping_subject(mapping: dict[str, Any]) -> str:
    actor = mapping.get("ActorTypeErp") or "actor"
    return f"{actor} mapping of " + describe("ERP connection", mapping, "", "ErpConnectionId")
