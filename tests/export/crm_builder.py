"""A CRM built by hand through the WebAPI, with what the examples do not use.

Unusual characters in every name (quotes, colons, slashes, ``#``, emoji, ``${``, Nordic
letters, YAML look-alikes such as ``NO`` and ``1e5``), empty descriptions, users and groups in
scopes, every config field type the demo connectors declare (Text, Integer, Password, Checkbox,
List) and every ERP field type (Text, Double, Date, List), every sync direction, a disabled actor
with mappings, defaults that ask, that are mandatory without a value, moved fields, list
mappings, soft-deleted connections and connector, an inactive price list, a price list with
520 products (CSV), products out of the assortment, and line settings changed.
"""

from __future__ import annotations

from typing import Any

from quotesync_gitops.crm.client import CrmClient

DEMO_ERP, DEMO_ACCOUNTING = 1, 2
#: The demo connectors' real credentials (docs/emulator.md): what a second CRM is given.
VALID = {"password": "demo-password", "apiKey": "demo-api-key", "apiPassword": "demo-password"}

ERP_PROD = 'Bjørn\'s "ERP": prod/test #1 🚀'
ERP_ACCOUNTING = "Accounting: 50% ${not-a-ref} & 'more'"
ERP_DELETED = "Old ERP (retired)"
QUOTE_MAIN = 'Quotes: ERP/"main" ✓'
QUOTE_CRM = "NO"
QUOTE_DELETED = "Retired quotes"
BIG_LIST = "Big list #1 – 2026/27"
SMALL_LIST = "Small: 'USD' list ${x}"
OLD_LIST = "1e5"
CONNECTOR_DELETED = "Legacy ERP"
#: The demo ERP's address, written the way an older registration had it (the emulator
#: compares connector URLs without case and trailing slash).
LEGACY_URL = "https://Connectors.example.com/demo-erp/"
BIG_LIST_SIZE = 520


def _ids(client: CrmClient, list_name: str) -> dict[str, int]:
    return {str(i["Name"]): int(i["Id"]) for i in client.mdo_list(list_name)}


def _erp_connection(
    client: CrmClient,
    name: str,
    connector_id: int,
    config: dict[str, str],
    *,
    description: str = "",
    all_access: bool = True,
    users: list[int] | None = None,
    groups: list[int] | None = None,
) -> int:
    saved = client.erp_save_connection(
        {
            "ErpConnectionId": 0,
            "ErpConnectorId": connector_id,
            "DisplayName": name,
            "DisplayDescription": description,
            "Active": False,
            "ConfigFields": config,
            "Deleted": False,
            "AllAccess": all_access,
            "AssociateAccessIds": users or [],
            "UserGroupAccessIds": groups or [],
        }
    )
    return int(saved["ErpConnectionId"])


def _map_actor(
    client: CrmClient,
    connection_id: int,
    actor: str,
    crm_actor: str,
    fields: dict[str, tuple[str, bool, bool, bool, bool]],
    *,
    enabled: bool = True,
) -> dict[str, int]:
    """fields: ERP key → (CRM field, to CRM, to ERP, show in search, show in tab)."""
    mapping = client.erp_get_actor_type_mapping(connection_id, actor)
    updated = []
    for fm in mapping["FieldMappings"]:
        wanted = fields.get(fm["ErpFieldKey"])
        item = dict(fm)
        if wanted is not None:
            crm, to_crm, to_erp, search, tab = wanted
            item.update(
                CrmFieldKey=crm, SyncToCrm=to_crm, SyncToErp=to_erp, ShowInSearch=search,
                ShowInGui=tab,
            )  # fmt: skip
        updated.append(item)
    client.erp_save_actor_type_mapping(
        {**mapping, "FieldMappings": updated, "IsActive": enabled, "ActorTypeCrm": crm_actor}
    )
    return {fm["ErpFieldKey"]: int(fm["ErpFieldId"]) for fm in mapping["FieldMappings"]}


def _default(
    client: CrmClient, field_id: int, key: str, value: str, ask: bool, mandatory: bool
) -> None:
    client.erp_save_default_value_info(
        {
            "ErpFieldId": field_id,
            "ErpFieldKey": key,
            "DefaultValue": value,
            "HasFirstSyncDefaultValue": bool(value),
            "FirstSyncDefaultValue": value,
            "PromptUser": ask,
            "Mandatory": mandatory,
        }
    )


def _list_items(client: CrmClient, connection_id: int, wanted: dict[int, dict[str, str]]) -> None:
    """wanted: ErpFieldId → ERP list item id → CRM list item name."""
    container = client.erp_get_list_mappings(connection_id)
    entries = []
    for entry in container["ErpListItemMappings"]:
        items = wanted.get(int(entry["ErpFieldId"]), {})
        crm = _ids(client, entry["CrmList"]["Name"]) if items else {}
        new_items = []
        for item in entry["ErpCrmListItemMappings"]:
            name = items.get(str(item["ErpListItemId"]))
            new_items.append(
                {**item, "CrmListItem": {"Id": crm[name], "Name": name} if name else None}
            )
        entries.append({**entry, "ErpCrmListItemMappings": new_items})
    client.erp_save_list_mappings({**container, "ErpListItemMappings": entries})


def _quote_connection(
    client: CrmClient,
    name: str,
    connector: str,
    config: dict[str, str],
    *,
    erp_name: str = "",
    erp_connection_id: int = 0,
    description: str = "",
    all_access: bool = True,
    users: list[int] | None = None,
    groups: list[int] | None = None,
) -> int:
    saved = client.quote_save_connection(
        {
            "QuoteConnectionId": 0,
            "ConnectorName": connector,
            "ERPName": erp_name,
            "DisplayName": name,
            "DisplayDescription": description,
            "ErpConnectionId": erp_connection_id,
            "Deleted": False,
            "AllAccess": all_access,
            "AssociateAccessIds": users or [],
            "UserGroupAccessIds": groups or [],
        }
    )
    quote_id = int(saved["QuoteConnectionId"])
    if config:
        client.quote_save_connection_config_fields(quote_id, config)
    return quote_id


def _price_list(client: CrmClient, **fields: Any) -> str:
    carrier = {
        "PriceListId": 0,
        "ERPPriceListKey": "",
        "QuoteConnectionId": 0,
        "Description": "",
        "CurrencyName": "",
        "IsActive": True,
        **fields,
    }
    return str(client.create_pricelist(carrier)["ERPPriceListKey"])


def _product(client: CrmClient, key: str, **fields: Any) -> None:
    client.create_product({"ProductId": 0, "ERPPriceListKey": key, **fields})


def big_list_product(index: int) -> dict[str, Any]:
    """Products with every kind of cell a CSV must carry exactly."""
    special = [
        'Cable, 2 m "premium"',
        "  padded  ",
        "two\nlines",
        "tab\there",
        "😀 emoji; semicolon",
        "${env:NOT_A_REF}",
        "NO",
        "=SUM(A1)",
        "",
    ]
    return {
        "Code": f"P-{index:04d}" if index % 50 else f"{index:04d}",
        "Name": f"Product {index} {special[index % len(special)]}".strip() or "x",
        "Description": special[(index + 3) % len(special)],
        "PriceUnit": "pcs",
        "QuantityUnit": "pcs" if index % 3 else "",
        "UnitListPrice": round(index * 1.25 + 0.1, 2),
        "UnitCost": index * 0.5,
        "UnitMinimumPrice": 0,
        "VAT": 25 if index % 4 else 12.5,
        "InAssortment": index % 97 != 0,
        "IsSubscription": index % 10 == 0,
        "SubscriptionUnit": "month" if index % 10 == 0 else "",
        "DefaultSubscriptionQuantity": 12 if index % 10 == 0 else 0,
        "ProductCategoryKey": ["Hardware", "Software", "Services"][index % 3],
        "InStock": index % 7,
        "ExtraField3": "x,y" if index % 11 == 0 else "",
    }


def build(client: CrmClient, *, canary: str) -> None:
    """Fill a new embedded CRM. ``canary`` is stored as the Password value of every connection
    but the active one (whose test, run on activation, needs the real demo password)."""
    users = _ids(client, "associate")
    groups = _ids(client, "usergroup")

    prod = _erp_connection(
        client,
        ERP_PROD,
        DEMO_ERP,
        {
            "endpointUrl": "https://erp.example.com/api",  # the default: left out
            "companyNumber": "007",
            "username": "demo",
            "password": VALID["password"],
            "timeoutSeconds": "120",
            "useSandbox": "true",
        },
        all_access=False,
        users=[users["ANNA"], users["BJORN"]],
        groups=[groups["Support"]],
    )
    customer = _map_actor(
        client,
        prod,
        "Customer",
        "Contact",
        {
            "customerNo": ("contact.number1", True, True, False, True),
            "name": ("contact.name", True, True, True, True),
            "orgNo": ("contact.orgnr", False, True, False, False),
            "email": ("contact.email", False, False, False, True),
            "creditLimit": ("contact.number2", True, False, False, True),
            "country": ("contact.country", True, False, False, True),
            "category": ("contact.category", True, False, True, True),
        },
    )
    for key in ("email", "email", "country"):  # the ERP tab order differs from the default
        client.erp_move_field_item(prod, "Customer", customer[key], -1)
    _default(client, customer["country"], "country", "NO", True, False)
    # a text field's default with characters YAML must quote (a list field's default
    # must be one of its ERP items, which plan checks)
    _default(client, customer["orgNo"], "orgNo", "A: #1 ${x}", False, True)
    _default(client, customer["category"], "category", "A", False, False)
    project = _map_actor(
        client,
        prod,
        "Project",
        "Project",
        {
            "projectNo": ("project.number", True, True, False, True),
            "startDate": ("project.startdate", True, False, False, False),
            "status": ("project.status", True, False, False, True),
        },
    )
    _map_actor(
        client,
        prod,
        "Person",
        "Person",
        {"personNo": ("person.title", True, False, False, True)},
        enabled=False,
    )
    _list_items(
        client,
        prod,
        {
            customer["country"]: {"NO": "Norway", "SE": "Sweden", "US": "United States"},
            customer["category"]: {"A": "Customer", "C": "Partner"},
            project["status"]: {"planned": "Planning", "closed": "Completed"},
        },
    )
    assert client.erp_toggle_active(prod) == []

    accounting = _erp_connection(
        client,
        ERP_ACCOUNTING,
        DEMO_ACCOUNTING,
        {"apiUrl": "https://accounting.example.com", "clientId": "1e5", "apiKey": canary,
         "region": "us"},
        description="",
        all_access=False,
    )  # fmt: skip
    _map_actor(
        client,
        accounting,
        "Supplier",
        "Contact",
        {"supplierNo": ("contact.number2", True, True, False, True)},
    )
    # The retired connection used a connector registered for it, since soft-deleted too: the
    # API lists such a connector nowhere but through the connections that name it.
    legacy = client.erp_save_connector_entity(
        {"ErpConnectorId": 0, "DisplayName": CONNECTOR_DELETED, "URL": LEGACY_URL,
         "Deleted": False}
    )  # fmt: skip
    deleted = _erp_connection(
        client,
        ERP_DELETED,
        int(legacy["ErpConnectorId"]),
        {"companyNumber": "1", "username": "old", "password": canary},
        description="Replaced in 2025",
    )
    client.erp_delete_connection(deleted)
    client.erp_save_sync_priorities([accounting, prod])
    client.erp_change_engine_interval("01:30:00")
    client.erp_change_engine_status(True)

    client.erp_save_connector_entity({**legacy, "Deleted": True})

    main = _quote_connection(
        client,
        QUOTE_MAIN,
        "DemoErpQuote",
        {"baseUrl": "https://erp.example.com/quote", "apiUser": "demo",
         "apiPassword": canary, "priceSource": "crm"},
        erp_name="Demo ERP",
        erp_connection_id=prod,
        description="Prices: from the ERP\nStock: live",
        all_access=False,
        groups=[groups["Sales"], groups["Management"]],
    )  # fmt: skip
    _quote_connection(client, QUOTE_CRM, "CrmQuoteConnector", {})
    retired = _quote_connection(client, QUOTE_DELETED, "CrmQuoteConnector", {}, description="gone")
    client.quote_delete_connection(retired)

    big = _price_list(
        client,
        Name=BIG_LIST,
        Currency="NOK",
        CurrencyName="Norsk krone",
        ValidFrom="2026-01-01T00:00:00",
        ValidTo="2027-06-30T00:00:00",
    )
    for index in range(1, BIG_LIST_SIZE + 1):
        _product(client, big, **big_list_product(index))
    small = _price_list(
        client,
        Name=SMALL_LIST,
        ERPPriceListKey="ERP-USD-1",
        Currency="USD",
        ValidFrom="2026-02-01T00:00:00",
        ValidTo="2026-03-01T00:00:00",
        QuoteConnectionId=main,
        Description="",
    )
    _product(client, small, Code="A/B:1", Name="Slash: colon", UnitListPrice=0.000001)
    _product(client, small, Code="#42", Name="- dash first", UnitListPrice=-5, VAT=0)
    _product(client, small, Code="NO", Name="true", Description="1e5", ItemNumber="007")
    _product(client, small, Code="null", Name="~", Url="https://x.example/?a=1&b=2#frag")
    old = _price_list(
        client,
        Name=OLD_LIST,
        Currency="EUR",
        ValidFrom="2024-01-01T00:00:00",
        ValidTo="2024-12-31T00:00:00",
        IsActive=False,
        Description="Archived: 2024",
    )
    _product(client, old, Code="OLD-1", Name="Old thing", InAssortment=False)

    lines = client.quote_get_line_configurations()
    changed = []
    for line in lines:
        if line["FieldName"] == "DiscountPercent":
            changed.append({**line, "Label": "Rabatt %: «høy»", "Tooltip": "", "Mandatory": True})
        elif line["FieldName"] == "ExtraField2":
            changed.append({**line, "InUse": True, "Label": "# Note", "Rank": 3})
        else:
            changed.append(line)
    client.quote_save_line_configurations(changed)
