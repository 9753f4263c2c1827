"""The documented types of the carrier fields quotesync reads, checked on every answer.

A broken or hostile CRM can answer well-formed JSON of the wrong types: an id that is text,
a name that is a number, a list where an object belongs. Unchecked, such values crash the
code that reads them (a traceback) or are silently misread (a name ``123`` that matches
nothing, so plan proposes to create everything again). Every answer is therefore checked
here, at the boundary, against the types in SuperOffice's API documents
(``superoffice-api/``): a mismatch is a :class:`WrongShape`, which the client
turns into a ``CrmProtocolError`` naming the operation, the field and the types — never the
value, which may be a secret.

Fields not listed here are not checked (the API may add fields); the id of each row of a list
is required; every other field may be missing or ``null``, as SuperOffice answers them, but an
id that is present must be an integer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quotesync_gitops.crm.responses import (
    WrongShape,
    as_list_of_objects,
    as_object,
    as_object_map,
)

_TIMESPAN = re.compile(r"(\d+\.)?\d+(:\d+){0,2}(\.\d+)?")


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class FieldType:
    """What one field may hold; ``carrier`` checks the objects inside, if any."""

    expected: str
    accepts: Callable[[Any], bool]
    required: bool = False
    carrier: Carrier | None = None
    many: bool = False  # a list of ``carrier`` objects


@dataclass(frozen=True)
class Carrier:
    name: str
    fields: Mapping[str, FieldType] = field(default_factory=dict)


#: The id a row of a list must carry (the tool keys everything read on it).
ID = FieldType("an integer id", _is_int, required=True)
#: The id of a single object answered: when present an integer (callers that need it, such
#: as apply after a create, say so themselves).
OWN_ID = FieldType("an integer id", _is_int)
INT = FieldType("an integer or null", lambda v: v is None or _is_int(v))
STR = FieldType("text or null", lambda v: v is None or isinstance(v, str))
BOOL = FieldType("true, false or null", lambda v: v is None or isinstance(v, bool))
NUM = FieldType(
    "a number or null",
    lambda v: v is None or (isinstance(v, int | float) and not isinstance(v, bool)),
)
INTS = FieldType(
    "a list of integers or null",
    lambda v: v is None or (isinstance(v, list) and all(_is_int(i) for i in v)),
)
TIMESPAN = FieldType(
    'a time span like "00:15:00" or null',
    lambda v: v is None or (isinstance(v, str) and (not v or bool(_TIMESPAN.fullmatch(v)))),
)


def one(carrier: Carrier) -> FieldType:
    return FieldType(
        f"an object ({carrier.name}) or null",
        lambda v: v is None or isinstance(v, dict),
        carrier=carrier,
    )


def many(carrier: Carrier) -> FieldType:
    return FieldType(
        f"a list of objects ({carrier.name}) or null",
        lambda v: v is None or (isinstance(v, list) and all(isinstance(i, dict) for i in v)),
        carrier=carrier,
        many=True,
    )


def check(carrier: Carrier, data: dict[str, Any], where: str) -> dict[str, Any]:
    """``data`` if every listed field has its documented type, else WrongShape."""
    for key, kind in carrier.fields.items():
        if key not in data:
            if kind.required:
                raise WrongShape(f"{where} has no {key} ({kind.expected})")
            continue
        value = data[key]
        if not kind.accepts(value):
            raise WrongShape(f"{where}.{key} should be {kind.expected}, not {_type_name(value)}")
        if kind.carrier is not None and value is not None:
            items = value if kind.many else [value]
            for index, item in enumerate(items):
                label = f"{where}.{key}[{index}]" if kind.many else f"{where}.{key}"
                check(kind.carrier, item, label)
    return data


def object_of(carrier: Carrier) -> Callable[[Any], dict[str, Any]]:
    """One object answered: its own id may be missing (typed when present)."""
    lenient = _own_id_optional(carrier)
    return lambda data: check(lenient, as_object(data), carrier.name)


def _own_id_optional(carrier: Carrier) -> Carrier:
    fields = {k: (OWN_ID if v is ID else v) for k, v in carrier.fields.items()}
    return Carrier(carrier.name, fields)


def list_of(carrier: Carrier) -> Callable[[Any], list[dict[str, Any]]]:
    def shape(data: Any) -> list[dict[str, Any]]:
        rows = as_list_of_objects(data)
        for index, row in enumerate(rows):
            check(carrier, row, f"{carrier.name}[{index}]")
        return rows

    return shape


def map_of(carrier: Carrier) -> Callable[[Any], dict[str, dict[str, Any]]]:
    def shape(data: Any) -> dict[str, dict[str, Any]]:
        items = as_object_map(data)
        for key, item in items.items():
            check(carrier, item, f"{carrier.name}[{key[:40]!r}]")
        return items

    return shape


# --- the carriers (field names and types as in the API documents) ---------------------------

LIST_ITEM = Carrier("ListItem", {"Id": ID, "Name": STR, "ToolTip": STR})
MDO_LIST_ITEM = Carrier(
    "MDOListItem",
    {"Id": ID, "Name": STR, "FullName": STR, "ExtraInfo": STR, "Deleted": BOOL, "Rank": INT},
)
CRM_LIST_ITEM = Carrier("MDOListItem", {"Id": INT, "Name": STR, "ExtraInfo": STR})
CONNECTOR_ENTITY = Carrier(
    "ErpSyncConnectorEntity",
    {"ErpConnectorId": ID, "DisplayName": STR, "URL": STR, "Deleted": BOOL},
)
FIELD_METADATA = Carrier(
    "FieldMetadata",
    {
        "FieldKey": STR,
        "FieldType": STR,
        "Access": STR,
        "DefaultValue": STR,
        "MaxLength": INT,
        "ListName": STR,
        "Rank": INT,
    },
)
_SCOPE = {"AllAccess": BOOL, "AssociateAccessIds": INTS, "UserGroupAccessIds": INTS}
ERP_CONNECTION = Carrier(
    "ErpConnection",
    {
        "ErpConnectionId": ID,
        "ErpConnectorId": INT,
        "DisplayName": STR,
        "DisplayDescription": STR,
        "Active": BOOL,
        "Deleted": BOOL,
        "ConnectionId": STR,
        **_SCOPE,
    },
)
FIELD_MAPPING = Carrier(
    "ErpSyncFieldMapping",
    {
        "ErpFieldId": ID,
        "ErpFieldKey": STR,
        "CrmFieldKey": STR,
        "FieldType": STR,
        "Access": STR,
        "ListReference": STR,
        "SyncToCrm": BOOL,
        "SyncToErp": BOOL,
        "ShowInGui": BOOL,
        "ShowInSearch": BOOL,
    },
)
ACTOR_TYPE_MAPPING = Carrier(
    "ErpSyncActorTypeMapping",
    {
        "ErpConnectionId": INT,
        "IsActive": BOOL,
        "ActorTypeErp": STR,
        "ActorTypeCrm": STR,
        "FieldMappings": many(FIELD_MAPPING),
    },
)
LIST_ITEM_MAPPING = Carrier(
    "ErpCrmListItemMapping",
    {"ErpListItemId": STR, "ErpListItemName": STR, "CrmListItem": one(CRM_LIST_ITEM)},
)
LIST_MAPPING = Carrier(
    "ErpConnectionListMapping",
    {
        "ErpFieldId": INT,
        "CrmList": one(CRM_LIST_ITEM),
        "ErpCrmListItemMappings": many(LIST_ITEM_MAPPING),
    },
)
LIST_MAPPING_CONTAINER = Carrier(
    "ErpConnectionListMappingContainer",
    {"ErpConnectionId": INT, "ErpConnectionName": STR, "ErpListItemMappings": many(LIST_MAPPING)},
)
DEFAULT_VALUE = Carrier(
    "ErpSyncDefaultValue",
    {
        "ErpFieldId": INT,
        "ErpFieldKey": STR,
        "DefaultValue": STR,
        "FirstSyncDefaultValue": STR,
        "HasFirstSyncDefaultValue": BOOL,
        "PromptUser": BOOL,
        "Mandatory": BOOL,
    },
)
ENGINE_STATUS = Carrier("ErpSyncEngineStatus", {"IsRunning": BOOL, "Interval": TIMESPAN})
PLUGIN_RESPONSE = Carrier(
    "PluginResponse",
    {"IsOk": BOOL, "UserExplanation": STR, "TechExplanation": STR, "Status": STR},
)
QUOTE_CONNECTION = Carrier(
    "QuoteConnection",
    {
        "QuoteConnectionId": ID,
        "ConnectorName": STR,
        "ERPName": STR,
        "DisplayName": STR,
        "DisplayDescription": STR,
        "ErpConnectionId": INT,
        "Deleted": BOOL,
        "Rank": INT,
        **_SCOPE,
    },
)
QUOTE_LINE_CONFIGURATION = Carrier(
    "QuoteLineConfiguration",
    {
        "QuoteLineConfigurationId": INT,
        "FieldName": STR,
        "Label": STR,
        "Tooltip": STR,
        "Editable": BOOL,
        "InUse": BOOL,
        "Mandatory": BOOL,
        "RestrictEdit": BOOL,
        "Rank": INT,
    },
)
PRICE_LIST = Carrier(
    "PriceList",
    {
        "PriceListId": ID,
        "ERPPriceListKey": STR,
        "QuoteConnectionId": INT,
        "Name": STR,
        "Description": STR,
        "Currency": STR,
        "CurrencyName": STR,
        "ValidFrom": STR,
        "ValidTo": STR,
        "IsActive": BOOL,
    },
)
_PRODUCT_NUMBERS = (
    "UnitListPrice",
    "UnitCost",
    "UnitMinimumPrice",
    "VAT",
    "DefaultSubscriptionQuantity",
    "InStock",
)
_PRODUCT_TEXTS = (
    "ERPPriceListKey",
    "ERPProductKey",
    "Code",
    "Name",
    "Description",
    "PriceUnit",
    "QuantityUnit",
    "VATInfo",
    "SubscriptionUnit",
    "ItemNumber",
    "Url",
    "ProductCategoryKey",
    "ProductFamilyKey",
    "ProductTypeKey",
    "Supplier",
    "SupplierCode",
    "Rule",
    "ExtraField1",
    "ExtraField2",
    "ExtraField3",
    "ExtraField4",
    "ExtraField5",
)
PRODUCT = Carrier(
    "Product",
    {
        "ProductId": ID,
        **dict.fromkeys(_PRODUCT_NUMBERS, NUM),
        **dict.fromkeys(_PRODUCT_TEXTS, STR),
        "InAssortment": BOOL,
        "IsSubscription": BOOL,
    },
)
