"""Canonical specs → SuperOffice carriers (the inverse of live/normalise.py).

Only this module and the writers that call it reveal secrets, and only into request bodies:
every carrier built here has its secrets revealed as its last step (``${env:}``, ``${file:}``
may stand in any text value of a spec), so no writer can hand the client a ``Secret`` (which
the client refuses to serialise, by design).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from quotesync_gitops.live.normalise import PASSWORD_MASK, PRODUCT_FIELDS, sync_flags
from quotesync_gitops.model import LiveContext
from quotesync_gitops.secrets import UNREADABLE, Secret, reveal
from quotesync_gitops.secrets_version import join_description


def config_values(
    config: Mapping[str, Any],
    *,
    keep_passwords: bool,
    password_keys: Collection[str] = (),
) -> dict[str, str]:
    """Request-ready config. keep_passwords sends the mask for the connector's Password
    fields (``password_keys``), which tells the CRM to keep the stored password: used when
    the configuration itself is not being changed. Any other field is sent as its value,
    even a secret one (from ``${env:}``): the CRM would store the mask in a Text field."""
    out: dict[str, str] = {}
    for key, value in config.items():
        if value is UNREADABLE or (keep_passwords and key in password_keys):
            out[key] = PASSWORD_MASK
        elif isinstance(value, Secret):
            out[key] = value.reveal()
        else:
            out[key] = "" if value is None else str(value)
    return out


def revealed(body: dict[str, Any]) -> dict[str, Any]:
    """A request body with every secret in it replaced by its value (the last step)."""
    out: dict[str, Any] = reveal(body)
    return out


def write_body(carrier: Mapping[str, Any]) -> dict[str, Any]:
    """A carrier as read, ready to send back: without the REST ``_Links`` (read-only)."""
    return {k: v for k, v in carrier.items() if k != "_Links"}


def scope_fields(scope: Mapping[str, Any], ctx: LiveContext) -> dict[str, Any]:
    all_users = bool(scope.get("allUsers", True))
    return {
        "AllAccess": all_users,
        "AssociateAccessIds": [] if all_users else [ctx.users[u] for u in scope.get("users", [])],
        "UserGroupAccessIds": [] if all_users else [ctx.groups[g] for g in scope.get("groups", [])],
    }


def erp_connection(
    spec: Mapping[str, Any],
    name: str,
    *,
    connection_id: int,
    connector_id: int,
    ctx: LiveContext,
    config: Mapping[str, str],
    active: bool,
) -> dict[str, Any]:
    return revealed(
        {
            "ErpConnectionId": connection_id,
            "ErpConnectorId": connector_id,
            "DisplayName": name,
            "DisplayDescription": join_description(
                str(reveal(spec.get("description", ""))), spec.get("secretsVersion")
            ),
            "Active": active,
            "ConfigFields": dict(config),
            "Deleted": False,
            **scope_fields(spec.get("scope", {}), ctx),
        }
    )


def field_mappings(
    current: list[dict[str, Any]], mappings: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Rewrite a GetActorTypeMapping field list so exactly ``mappings`` are mapped."""
    out = []
    for item in current:
        wanted = mappings.get(str(item.get("ErpFieldKey", "")))
        updated = dict(item)
        if wanted is None:
            updated.update(
                CrmFieldKey="",
                SyncToCrm=False,
                SyncToErp=False,
                ShowInSearch=False,
                ShowInGui=False,
            )
        else:
            to_crm, to_erp = sync_flags(wanted["direction"])
            updated.update(
                CrmFieldKey=wanted["crmField"],
                SyncToCrm=to_crm,
                SyncToErp=to_erp,
                ShowInSearch=bool(wanted.get("showInSearch", False)),
                ShowInGui=bool(wanted.get("showInTab", False)),
            )
        out.append(updated)
    return out


def default_value(field_id: int, key: str, wanted: Mapping[str, Any] | None) -> dict[str, Any]:
    value = None if wanted is None else wanted.get("value")
    return revealed(
        {
            "ErpFieldId": field_id,
            "ErpFieldKey": key,
            "DefaultValue": value or "",
            "HasFirstSyncDefaultValue": value is not None,
            "FirstSyncDefaultValue": value or "",
            "PromptUser": bool(wanted and wanted.get("askUser")),
            "Mandatory": bool(wanted and wanted.get("mandatory")),
        }
    )


def quote_connection(
    spec: Mapping[str, Any],
    name: str,
    *,
    connection_id: int,
    erp_connection_id: int,
    ctx: LiveContext,
) -> dict[str, Any]:
    return revealed(
        {
            "QuoteConnectionId": connection_id,
            "ConnectorName": spec.get("connector", ""),
            "ERPName": spec.get("erpName", ""),
            "DisplayName": name,
            "DisplayDescription": join_description(
                str(reveal(spec.get("description", ""))), spec.get("secretsVersion")
            ),
            "ErpConnectionId": erp_connection_id,
            "Deleted": False,
            **scope_fields(spec.get("scope", {}), ctx),
        }
    )


def product(values: Mapping[str, Any], *, product_id: int, price_list_key: str) -> dict[str, Any]:
    carrier: dict[str, Any] = {"ProductId": product_id, "ERPPriceListKey": price_list_key}
    for key, carrier_key in PRODUCT_FIELDS.items():
        value = values.get(key)  # flat, and called per product: revealed inline
        carrier[carrier_key] = value.reveal() if isinstance(value, Secret) else value
    return carrier
