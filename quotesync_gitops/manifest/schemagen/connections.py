"""Schemas of the sync side of the Quote/Sync screen: connectors, connections, sync settings."""

from __future__ import annotations

from quotesync_gitops.manifest.schemagen.parts import (
    CONFIG,
    CRM_ACTOR,
    DELETED,
    DIRECTION,
    INTERVAL_PATTERN,
    SCOPE,
    URL_MAX,
    URL_PATTERN,
    Schema,
    array,
    boolean,
    enum,
    envelope,
    integer,
    name,
    nullable,
    obj,
    pattern,
    ref,
    text,
    tombstone_rule,
)
from quotesync_gitops.model import ERP_ACTOR_TYPES


def erp_connector() -> Schema:
    spec = obj(
        {
            "url": pattern(
                "Address of the connector's web service that SuperOffice calls (the URL of "
                "the connector under Sync Connectors), http:// or https://.",
                URL_PATTERN,
                maxLength=URL_MAX,
            ),
            "deleted": DELETED,
        },
        description="The connector registration.",
    ) | tombstone_rule(("url",))
    return envelope(
        "ErpConnector",
        "ERP sync connector registration",
        "Registers an ERP Sync Connector (its name and web-service URL) so ERP connections "
        "can use it. Connectors are often pre-installed; declare one only to manage it.",
        spec,
        {},
    )


MAPPING: Schema = obj(
    {
        "erpField": name("Key of the ERP field, as the connector names it (e.g. customerNo)."),
        "crmField": name("The CRM field it maps to, such as contact.name or contact.number1."),
        "direction": DIRECTION,
        "showInSearch": boolean(
            "Show the field in the ERP search dialog (Show in search). Default false."
        ),
        "showInTab": boolean(
            "Show the field in the ERP tab of the card (Show in GUI). Default true."
        ),
    },
    description="One field mapping: an ERP field, the CRM field it syncs with, and how.",
    required=("erpField", "crmField", "direction"),
)

DEFAULT_VALUE: Schema = obj(
    {
        "erpField": name("Key of the ERP field the default value is for."),
        "value": nullable(
            text("Value given to the field when a new record is created in the ERP system.")
        ),
        "askUser": boolean("Ask the user for the value when the record is created. Default false."),
        "mandatory": boolean("The user must give a value. Default false."),
    },
    description="Default value of an ERP field for new records.",
    required=("erpField",),
)

ACTOR: Schema = obj(
    {
        "enabled": boolean("Whether this actor type syncs (IsActive). Default true."),
        "crmActor": CRM_ACTOR,
        "mappings": array(
            "Field mappings of this actor type: one entry per mapped ERP field.",
            ref("mapping", "A field mapping."),
        ),
        "defaults": array(
            "Default values for ERP fields when records are created in the ERP system.",
            ref("defaultValue", "A default value."),
        ),
        "fieldOrder": array(
            "Order of the fields in the ERP tab, by ERP field key; only mapped fields may be "
            "named. Leave out (or []) to leave the order to the CRM.",
            name("An ERP field key from this actor's mappings."),
            unique=True,
        ),
    },
    description="Sync settings of one ERP actor type.",
    required=("crmActor",),
)

LIST_MAPPING: Schema = obj(
    {
        "actor": enum("The ERP actor type whose field this list belongs to.", ERP_ACTOR_TYPES),
        "erpField": name("Key of the mapped ERP field whose values are list items."),
        "items": array(
            "Which CRM list item each ERP list item becomes.",
            obj(
                {
                    "erpItem": {
                        "type": ["string", "integer"],
                        "description": "Id of the ERP list item (as the connector gives it).",
                        "minLength": 1,
                        "maxLength": 254,
                    },
                    "crmItem": name("Name of the CRM list item it maps to."),
                },
                description="One ERP list item and its CRM list item.",
                required=("erpItem", "crmItem"),
            ),
        ),
    },
    description="List mapping of one ERP field: ERP list items to CRM list items.",
    required=("actor", "erpField", "items"),
)


#: Terraform's write-only arguments with a version (docs/manifests.md#rotating-secrets).
SECRETS_VERSION = integer(
    "Version of this connection's secrets (its Password fields and ${env:}/${file:} values). "
    "The CRM never hands secrets back, so a changed secret is not seen: raise this number "
    "to have the next apply test the connection with the values it resolves now and write "
    "them. The CRM keeps the version written last after the description, as "
    "'[secrets vN]'. Leave out to write secrets only with other configuration changes.",
    minimum=1,
    maximum=999_999_999,
)


def erp_connection() -> Schema:
    spec = obj(
        {
            "connector": name("Name of the ERP Sync Connector this connection uses."),
            "description": text("Description shown with the connection. Default empty."),
            "secretsVersion": SECRETS_VERSION,
            "active": boolean("Whether the connection is active and syncs. Default true."),
            "scope": ref("scope", "Who may use this connection. Default: all users."),
            "config": ref("config", "Configuration fields of the connection."),
            "actors": obj(
                {
                    actor: ref("actor", f"Sync settings of the {actor} actor type.")
                    for actor in ERP_ACTOR_TYPES
                },
                description="Field allocation per ERP actor type (Customer, Supplier, ...).",
            ),
            "listMappings": array(
                "List mappings: how ERP list values (countries, categories, ...) map to CRM "
                "list items.",
                ref("listMapping", "A list mapping."),
            ),
            "deleted": DELETED,
        },
        description="The ERP connection.",
    ) | tombstone_rule(("connector",))
    return envelope(
        "ErpConnection",
        "ERP connection of a Sync Connector",
        "An ERP connection: which connector, who may use it, its configuration fields, and "
        "per ERP actor type the field mappings, default values and ERP-tab field order, "
        "plus list mappings.",
        spec,
        {
            "scope": SCOPE,
            "config": CONFIG,
            "actor": ACTOR,
            "mapping": MAPPING,
            "defaultValue": DEFAULT_VALUE,
            "listMapping": LIST_MAPPING,
        },
    )


def quote_connection() -> Schema:
    spec = obj(
        {
            "connector": name(
                "Programmatic name of the Quote Connector (ConnectorName), e.g. DemoErpQuote."
            ),
            "erpName": text("Name of the ERP system shown to users (ERPName). Default empty."),
            "erpConnection": nullable(
                name("Name of the ErpConnection this quote connection belongs to. Optional.")
            ),
            "description": text("Description shown with the connection. Default empty."),
            "secretsVersion": SECRETS_VERSION,
            "scope": ref("scope", "Who may use this connection. Default: all users."),
            "config": ref("config", "Configuration fields of the connection."),
            "deleted": DELETED,
        },
        description="The quote connection.",
    ) | tombstone_rule(("connector",))
    return envelope(
        "QuoteConnection",
        "Quote connection of a Quote Connector",
        "A quote connection: which Quote Connector, an optional link to an ERP connection, "
        "who may use it, and its configuration fields.",
        spec,
        {"scope": SCOPE, "config": CONFIG},
    )


def sync_settings() -> Schema:
    spec = obj(
        {
            "priority": array(
                "ERP connections in sync priority order, highest first, by name. Leave out "
                "(or []) to leave the priority to the CRM.",
                name("Name of a declared ErpConnection."),
                unique=True,
            ),
            "automaticSync": nullable(
                boolean("Whether the sync engine runs automatically. Leave out to not manage it.")
            ),
            "interval": nullable(
                pattern(
                    'Time between automatic syncs, HH:MM:SS (e.g. "00:15:00"). Leave out '
                    "to not manage it.",
                    INTERVAL_PATTERN,
                )
            ),
            "deleted": DELETED,
        },
        description="The sync settings.",
    )
    return envelope(
        "SyncSettings",
        "Sync priority and engine settings (one per repository)",
        "The priority order of ERP connections and the automatic sync engine. At most one "
        "SyncSettings may be declared; its name is free (conventionally default).",
        spec,
        {},
    )
