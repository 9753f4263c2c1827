"""Field mappings, field order, list mappings and default values of an ERP connection."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.conftest import Api, plain


def _message(body: object) -> str:
    assert isinstance(body, dict) and set(body) == {"Message", "MessageDetail"}, body
    return str(body["Message"])


@pytest.fixture
def cid(api: Api) -> int:
    return int(api.new_erp_connection()["ErpConnectionId"])


def _keys(mapping: dict[str, Any]) -> list[str]:
    return [f["ErpFieldKey"] for f in mapping["FieldMappings"]]


def test_mapping_lists_every_erp_field_in_rank_order(api: Api, cid: int) -> None:
    customer = api.mapping(cid, "Customer")
    assert (customer["IsActive"], customer["ActorTypeErp"], customer["ActorTypeCrm"]) == (
        False,
        "Customer",
        "Contact",
    )
    assert _keys(customer) == [
        "customerNo",
        "name",
        "orgNo",
        "phone",
        "email",
        "address",
        "postcode",
        "city",
        "country",
        "creditLimit",
        "category",
    ]
    by_key = {f["ErpFieldKey"]: f for f in customer["FieldMappings"]}
    assert by_key["customerNo"]["Access"] == "Mandatory"
    assert (by_key["country"]["FieldType"], by_key["country"]["ListReference"]) == (
        "List",
        "countries",
    )
    assert by_key["creditLimit"]["FieldType"] == "Double"
    assert all(f["CrmFieldKey"] == "" and not f["SyncToCrm"] for f in customer["FieldMappings"])
    assert api.mapping(cid, "Person")["ActorTypeCrm"] == "Person"
    assert api.mapping(cid, "Project")["ActorTypeCrm"] == "Project"
    assert api.erp("GetActorTypeMapping", {"ErpConnectionId": cid, "ActorType": "Sale"}) is None
    accounting = api.new_erp_connection("Acc", connector_id=2, ConfigFields={})
    assert _keys(api.mapping(accounting["ErpConnectionId"], "Customer")) == [
        "customerNo",
        "name",
        "email",
        "country",
    ]


def test_erp_field_ids_are_stable_per_connection_actor_and_key(api: Api, cid: int) -> None:
    first = {f["ErpFieldKey"]: f["ErpFieldId"] for f in api.mapping(cid)["FieldMappings"]}
    api.map_fields(cid, "Customer", {"name": "contact.name"})
    again = {f["ErpFieldKey"]: f["ErpFieldId"] for f in api.mapping(cid)["FieldMappings"]}
    assert first == again
    other = api.new_erp_connection("Other")["ErpConnectionId"]
    assert set(first.values()).isdisjoint(
        f["ErpFieldId"] for f in api.mapping(other)["FieldMappings"]
    )


def test_save_mapping_round_trips(api: Api, cid: int) -> None:
    saved = api.map_fields(cid, "Customer", {"customerNo": "contact.number1"})
    field = next(f for f in saved["FieldMappings"] if f["ErpFieldKey"] == "customerNo")
    assert (
        field["CrmFieldKey"],
        field["CrmDisplayName"],
        field["SyncToCrm"],
        field["SyncToErp"],
    ) == ("contact.number1", "Number", True, True)
    assert saved["IsActive"] is True
    assert api.mapping(cid) == saved


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"CrmFieldKey": "contact.shoesize"}, "Unknown CRM field 'contact.shoesize'"),
        ({"CrmFieldKey": "person.firstname"}, "Unknown CRM field 'person.firstname'"),
        ({"ErpFieldId": 4242}, "Unknown ErpFieldId 4242"),
        ({"CrmFieldKey": "", "SyncToCrm": True}, "has a sync direction but no CRM field"),
    ],
)
def test_save_mapping_rejections(api: Api, cid: int, change: dict[str, Any], expected: str) -> None:
    mapping = api.mapping(cid)
    mapping["FieldMappings"][0].update(change)
    assert expected in _message(api.erp("SaveActorTypeMapping", {"Mapping": mapping}))
    assert api.mapping(cid)["FieldMappings"][0]["CrmFieldKey"] == ""  # nothing saved


def test_crm_actor_change_must_fit_the_mapped_fields(api: Api, cid: int) -> None:
    api.map_fields(cid, "Customer", {"name": "contact.name"})
    mapping = api.mapping(cid)
    mapping["ActorTypeCrm"] = "Person"
    assert "Unknown CRM field 'contact.name'" in _message(
        api.erp("SaveActorTypeMapping", {"Mapping": mapping})
    )
    mapping["ActorTypeCrm"] = "Spaceship"
    assert "not a CRM actor type" in _message(api.erp("SaveActorTypeMapping", {"Mapping": mapping}))


def test_move_erp_field_item_by_one_place(api: Api, cid: int) -> None:
    def move(key: str, direction: int) -> None:
        field_id = next(
            f["ErpFieldId"] for f in api.mapping(cid)["FieldMappings"] if f["ErpFieldKey"] == key
        )
        response = api.agent(
            "ErpSync",
            "MoveErpFieldItem",
            {
                "ErpFieldId": field_id,
                "Direction": direction,
                "ErpConnectionId": cid,
                "ErpActorType": "Customer",
            },
        )
        assert response.status_code == 204

    move("city", -1)
    assert _keys(api.mapping(cid))[5:8] == ["address", "city", "postcode"]
    move("customerNo", +1)
    assert _keys(api.mapping(cid))[:2] == ["name", "customerNo"]
    move("name", -1)  # already first: nothing happens
    move("category", +1)  # already last: nothing happens
    assert _keys(api.mapping(cid))[0] == "name" and _keys(api.mapping(cid))[-1] == "category"
    unknown = api.erp(
        "MoveErpFieldItem",
        {"ErpFieldId": 999, "Direction": 1, "ErpConnectionId": cid, "ErpActorType": "Customer"},
    )
    assert "Unknown ErpFieldId 999" in _message(unknown)


def _countries(container: dict[str, Any]) -> dict[str, Any]:
    return next(
        m
        for m in container["ErpListItemMappings"]
        if m["ErpListName"] == "countries" and m["ErpActorTypeName"] == "Customer"
    )


def test_list_mappings_follow_enabled_actors_and_mapped_crm_lists(api: Api, cid: int) -> None:
    assert (
        api.erp("GetConnectionListMappings", {"ErpConnectionId": cid})["ErpListItemMappings"] == []
    )
    api.map_fields(cid, "Customer", {"country": "contact.country"})
    container = api.erp("GetConnectionListMappings", {"ErpConnectionId": cid})
    assert container["ErpConnectionName"] == "Demo ERP production"
    lists = [(m["ErpActorTypeName"], m["ErpListName"]) for m in container["ErpListItemMappings"]]
    assert lists == [("Customer", "countries"), ("Customer", "customerCategories")]
    countries = _countries(container)
    assert countries["CrmList"]["Name"] == "country"
    assert [
        (i["ErpListItemId"], i["ErpListItemName"], i["CrmListItem"])
        for i in countries["ErpCrmListItemMappings"]
    ][:2] == [("NO", "Norge", None), ("SE", "Sverige", None)]
    category = container["ErpListItemMappings"][1]
    assert category["CrmList"] is None  # not mapped to a CRM list field


def test_save_list_mappings(api: Api, cid: int) -> None:
    api.map_fields(cid, "Customer", {"country": "contact.country"})
    container = api.erp("GetConnectionListMappings", {"ErpConnectionId": cid})
    countries = _countries(container)
    countries["ErpCrmListItemMappings"][0]["CrmListItem"] = {"Id": 1}  # NO -> Norway by id
    countries["ErpCrmListItemMappings"][1]["CrmListItem"] = {"Name": "Sweden"}  # by name
    saved = api.erp(
        "SaveConnectionListMappings",
        {"ListMapping": {**container, "ErpListItemMappings": [countries]}},
    )
    items = {
        i["ErpListItemId"]: i["CrmListItem"] for i in _countries(saved)["ErpCrmListItemMappings"]
    }
    assert plain(items["NO"]) == {"Id": 1, "Name": "Norway"}
    assert plain(items["SE"]) == {"Id": 2, "Name": "Sweden"}
    assert items["DK"] is None
    assert api.erp("GetConnectionListMappings", {"ErpConnectionId": cid}) == saved


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (
            [
                {"ErpListItemId": "NO", "CrmListItem": {"Id": 1}},
                {"ErpListItemId": "NO", "CrmListItem": {"Id": 2}},
            ],
            "mapped more than once",
        ),
        ([{"ErpListItemId": "XX", "CrmListItem": {"Id": 1}}], "Unknown ERP list item 'XX'"),
        ([{"ErpListItemId": "NO", "CrmListItem": {"Id": 99}}], "Unknown CRM list item '99'"),
    ],
)
def test_save_list_mapping_rejections(
    api: Api, cid: int, items: list[dict[str, Any]], expected: str
) -> None:
    api.map_fields(cid, "Customer", {"country": "contact.country"})
    container = api.erp("GetConnectionListMappings", {"ErpConnectionId": cid})
    countries = _countries(container)
    countries["ErpCrmListItemMappings"] = items
    body = {"ListMapping": {**container, "ErpListItemMappings": [countries]}}
    assert expected in _message(api.erp("SaveConnectionListMappings", body))
    after = _countries(api.erp("GetConnectionListMappings", {"ErpConnectionId": cid}))
    assert all(i["CrmListItem"] is None for i in after["ErpCrmListItemMappings"])


def test_list_of_unmapped_crm_field_cannot_be_mapped(api: Api, cid: int) -> None:
    api.map_fields(cid, "Customer", {"country": "contact.country"})
    container = api.erp("GetConnectionListMappings", {"ErpConnectionId": cid})
    category = container["ErpListItemMappings"][1]
    category["ErpCrmListItemMappings"][0]["CrmListItem"] = {"Id": 1}
    body = {"ListMapping": {**container, "ErpListItemMappings": [category]}}
    assert "not mapped to a CRM list field" in _message(api.erp("SaveConnectionListMappings", body))


def test_default_values(api: Api, cid: int) -> None:
    field = api.mapping(cid)["FieldMappings"][8]  # country
    info = api.erp("GetDefaultValueInfo", {"ErpFieldId": field["ErpFieldId"]})
    assert plain(info) == {
        "ErpFieldId": field["ErpFieldId"],
        "DefaultValue": "",
        "HasFirstSyncDefaultValue": False,
        "FirstSyncDefaultValue": "",
        "PromptUser": False,
        "Mandatory": False,
        "ErpFieldKey": "country",
        "FieldType": "List",
        "ListName": "countries",
        "Access": "Normal",
    }
    changed = {
        **info,
        "DefaultValue": "NO",
        "HasFirstSyncDefaultValue": True,
        "PromptUser": True,
        "Mandatory": True,
    }
    assert api.erp("SaveDefaultValueInfo", {"ErpSyncDefaultValue": changed}) == changed
    assert api.erp("GetDefaultValueInfo", {"ErpFieldId": field["ErpFieldId"]}) == changed
    too_long = {**info, "DefaultValue": "x" * 1024}
    assert "too long" in _message(
        api.erp("SaveDefaultValueInfo", {"ErpSyncDefaultValue": too_long})
    )
    unknown = {**info, "ErpFieldId": 5000}
    assert "Unknown ErpFieldId 5000" in _message(
        api.erp("SaveDefaultValueInfo", {"ErpSyncDefaultValue": unknown})
    )
