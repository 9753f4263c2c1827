"""Building blocks of the manifest JSON Schemas: typed properties and the shared definitions.

The JSON files in ``quotesync_gitops/schemas/`` are generated from this package (run
``python -m quotesync_gitops.manifest.schemagen``) and a test keeps them in sync, so every
object gets ``additionalProperties: false`` and every property a description by construction.
"""

from __future__ import annotations

from typing import Any

from quotesync_gitops.model import CRM_ACTOR_TYPES, DIRECTIONS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://quotesync.io/schemas/v1/"
API_VERSION = "quotesync.io/v1"

#: CRM column limits (GUIDE section 2).
NAME_MAX = 254
CONFIG_VALUE_MAX = 1023
URL_MAX = 1023

DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INTERVAL_PATTERN = r"^[0-9]{2}:[0-5][0-9]:[0-5][0-9]$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
URL_PATTERN = r"^https?://[^\s]+$"
FIELD_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_]*$"

Schema = dict[str, Any]


def text(description: str, *, max_length: int = NAME_MAX, min_length: int = 0) -> Schema:
    out: Schema = {"type": "string", "description": description}
    if min_length:
        out["minLength"] = min_length
    out["maxLength"] = max_length
    return out


def name(description: str) -> Schema:
    return text(description, min_length=1)


def pattern(description: str, regex: str, **extra: Any) -> Schema:
    return {"type": "string", "description": description, "pattern": regex, **extra}


def boolean(description: str) -> Schema:
    return {"type": "boolean", "description": description}


def number(description: str, **limits: float) -> Schema:
    return {"type": "number", "description": description, **limits}


def integer(description: str, **limits: int) -> Schema:
    return {"type": "integer", "description": description, **limits}


def enum(description: str, values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "description": description, "enum": list(values)}


def array(description: str, items: Schema, *, unique: bool = False) -> Schema:
    out: Schema = {"type": "array", "description": description, "items": items}
    if unique:
        out["uniqueItems"] = True
    return out


def nullable(schema: Schema) -> Schema:
    """The same property, also accepting null (YAML ``~`` or nothing after the colon)."""
    out = dict(schema)
    out["type"] = [schema["type"], "null"]
    return out


def obj(
    properties: dict[str, Schema],
    *,
    description: str | None = None,
    required: tuple[str, ...] = (),
) -> Schema:
    out: Schema = {"type": "object"}
    if description:
        out["description"] = description
    out["properties"] = properties
    if required:
        out["required"] = list(required)
    out["additionalProperties"] = False
    return out


def ref(definition: str, description: str) -> Schema:
    return {"$ref": f"#/$defs/{definition}", "description": description}


DELETED = boolean(
    "Tombstone. true keeps this object soft-deleted in SuperOffice (the Deleted flag, or "
    "inactive where the CRM has no such flag); remove the line or set false to restore it. "
    "A tombstone needs no other spec fields."
)


def tombstone_rule(required: tuple[str, ...]) -> Schema:
    """Spec fields that are required unless the spec is a tombstone (deleted: true)."""
    return {
        "if": {"properties": {"deleted": {"const": True}}, "required": ["deleted"]},
        "else": {"required": list(required)},
    }


SCOPE: Schema = {
    "description": (
        "Who may use this connection (the Access section of the connection dialog): `all` "
        "for every user, or the users and user groups that may use it, by name."
    ),
    "anyOf": [
        {"const": "all", "description": "Every user may use the connection."},
        obj(
            {
                "allUsers": boolean(
                    "true gives every user access (the same as `scope: all`). Defaults to "
                    "true when no users or groups are listed, false otherwise."
                ),
                "users": array(
                    "Users (SuperOffice associates, by their user name) who may use the "
                    "connection.",
                    name("User name of a SuperOffice associate, such as ANNA."),
                    unique=True,
                ),
                "groups": array(
                    "User groups whose members may use the connection.",
                    name("Name of a SuperOffice user group, such as Sales."),
                    unique=True,
                ),
            },
            description="Access for named users and groups.",
        ),
    ],
}

CONFIG: Schema = {
    "type": "object",
    "description": (
        "Configuration fields of the connection, as the connector declares them (its "
        "FieldMetadata: endpoints, credentials, business rules). Keys are the connector's "
        "field keys, values are always text: quote numbers and flags. Write passwords as "
        "${env:NAME} or ${file:PATH} references, never literally."
    ),
    "propertyNames": {"minLength": 1, "maxLength": NAME_MAX},
    "additionalProperties": text(
        "Value of one configuration field, as text.", max_length=CONFIG_VALUE_MAX
    ),
}

METADATA: Schema = obj(
    {
        "name": name(
            "Name of the object: its display name in SuperOffice and its identity in the "
            "manifests (kind + name). Renaming it means removing one object and adding another."
        )
    },
    description="Identity of the object.",
    required=("name",),
)

CRM_ACTOR = enum("The SuperOffice entity this ERP actor type syncs with.", CRM_ACTOR_TYPES)
DIRECTION = enum(
    "Sync direction of the field: toCrm (ERP → CRM), toErp (CRM → ERP), both, or none "
    "(shown but not synced).",
    DIRECTIONS,
)


def envelope(kind: str, title: str, description: str, spec: Schema, defs: Schema) -> Schema:
    """The document shape every kind shares: apiVersion, kind, metadata, spec."""
    return {
        "$schema": DRAFT,
        "$id": f"{ID_BASE}{kind}.schema.json",
        "title": title,
        "description": description,
        "type": "object",
        "properties": {
            "apiVersion": {
                "description": f"Version of the manifest language; always {API_VERSION}.",
                "const": API_VERSION,
            },
            "kind": {"description": f"What this document describes; here {kind}.", "const": kind},
            "metadata": ref("metadata", "Identity of the object."),
            "spec": spec,
        },
        "required": ["apiVersion", "kind", "metadata", "spec"],
        "additionalProperties": False,
        "$defs": {"metadata": METADATA, **defs},
    }
