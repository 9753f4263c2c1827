"""ERP connectors and connections: ids, soft delete, secrets, the rules of active connections."""

from __future__ import annotations

import uuid

from tests.emulator.conftest import VALID_ERP_CONFIG, Api, plain


def _message(body: object) -> str:
    assert isinstance(body, dict) and set(body) == {"Message", "MessageDetail"}, body
    return str(body["Message"])


def test_seeded_connectors_and_their_fields(api: Api) -> None:
    connectors = api.erp("GetAllConnectors")
    assert [(c["Id"], c["Name"], c["ToolTip"]) for c in connectors] == [
        (1, "Demo ERP", "https://connectors.example.com/demo-erp"),
        (2, "Demo Accounting", "https://connectors.example.com/demo-accounting"),
    ]
    fields = api.erp("GetConfigurationFields", {"ErpConnectorId": 1})
    assert [
        (f["FieldKey"], f["FieldType"], f["Access"], f["Rank"], f["DefaultValue"]) for f in fields
    ] == [
        ("endpointUrl", "Text", "Mandatory", 1, "https://erp.example.com/api"),
        ("companyNumber", "Integer", "Mandatory", 2, ""),
        ("username", "Text", "Mandatory", 3, ""),
        ("password", "Password", "Mandatory", 4, ""),
        ("timeoutSeconds", "Integer", "Normal", 5, "30"),
        ("useSandbox", "Checkbox", "Normal", 6, "false"),
    ]
    accounting = api.erp("GetConfigurationFields", {"ErpConnectorId": 2})
    assert [f["FieldKey"] for f in accounting] == ["apiUrl", "clientId", "apiKey", "region"]


def test_connector_entities_soft_delete_and_unknown_urls(api: Api) -> None:
    created = api.erp(
        "SaveErpSyncConnectorEntity",
        {"ErpConnectorId": 0, "DisplayName": "Gone", "URL": "https://nowhere.example.com/x"},
    )
    cid = created["ErpConnectorId"]
    assert cid == 3 and created["Deleted"] is False
    message = _message(api.erp("GetConfigurationFields", {"ErpConnectorId": cid}))
    assert "Could not reach the connector at https://nowhere.example.com/x" in message
    assert api.erp("TestConnectorUrl", {"Url": "https://nowhere.example.com/x"}) == "ErrorNotFound"
    refused = api.erp("SaveConnection", {"Connection": {"ErpConnectorId": cid, "DisplayName": "x"}})
    assert "Could not reach" in _message(refused)

    assert (
        api.agent(
            "ErpSync", "DeleteErpSyncConnectorEntity", erpSyncConnectorEntityId=cid
        ).status_code
        == 204
    )
    assert [c["Id"] for c in api.erp("GetAllConnectors")] == [1, 2]
    entity = api.erp("GetErpSyncConnectorEntity", erpSyncConnectorEntityId=cid)
    assert entity["Deleted"] is True and entity["ErpConnectorId"] == cid
    restored = api.erp("SaveErpSyncConnectorEntity", {**entity, "Deleted": False})
    assert restored["ErpConnectorId"] == cid and restored["Deleted"] is False
    assert "needs a name" in _message(api.erp("SaveErpSyncConnectorEntity", {"URL": "https://a"}))
    long_name = {"ErpConnectorId": 0, "DisplayName": "n" * 255, "URL": "https://a"}
    assert "too long" in _message(api.erp("SaveErpSyncConnectorEntity", long_name))


def test_server_assigns_ids_and_guid(api: Api) -> None:
    first = api.new_erp_connection("A")
    second = api.new_erp_connection("B", ConnectionId="client-chosen", Active=True)
    assert (first["ErpConnectionId"], second["ErpConnectionId"]) == (1, 2)
    assert str(uuid.UUID(second["ConnectionId"])) == second["ConnectionId"]
    assert second["Active"] is False  # Active changes only through ToggleErpConnectionActive


def test_password_is_never_handed_back_and_mask_keeps_it(api: Api) -> None:
    saved = api.new_erp_connection()
    cid = saved["ErpConnectionId"]
    assert saved["ConfigFields"]["password"] == "********"
    for config in (
        api.erp("GetConnection", {"ErpConnectionId": cid})["ConfigFields"],
        api.erp("GetErpConnectionConfigFields", {"ErpConnectionId": cid}),
    ):
        assert config == {**VALID_ERP_CONFIG, "password": "********"}
    assert (
        "demo-password" not in api.agent("ErpSync", "GetConnection", {"ErpConnectionId": cid}).text
    )
    # a save that sends the mask keeps the stored value: the test still passes
    connection = api.erp("GetConnection", {"ErpConnectionId": cid})
    connection["DisplayDescription"] = "described"
    api.erp("SaveConnection", {"Connection": connection})
    assert api.erp("TestConnectionById", {"ErpConnectionId": cid}) is True
    # an empty password reads back as ""
    connection["ConfigFields"] = {"password": ""}
    assert api.erp("SaveConnection", {"Connection": connection})["ConfigFields"]["password"] == ""
    assert api.erp("TestConnectionById", {"ErpConnectionId": cid}) is False


def test_get_all_connections_has_no_config_values_and_saving_it_back_keeps_them(api: Api) -> None:
    cid = api.new_erp_connection()["ErpConnectionId"]
    listed = api.erp("GetAllConnections", {"IncludeDeleted": False})
    assert listed[0]["ConfigFields"] == {}
    api.erp("SaveConnection", {"Connection": {**listed[0], "DisplayName": "Renamed"}})
    config = api.erp("GetErpConnectionConfigFields", {"ErpConnectionId": cid})
    assert config["username"] == "demo"


def test_soft_delete_and_restore_keep_the_id(api: Api) -> None:
    connection = api.new_erp_connection()
    cid = connection["ErpConnectionId"]
    assert api.agent("ErpSync", "DeleteConnection", {"ErpConnectionId": cid}).status_code == 204
    assert api.erp("GetAllConnections", {"IncludeDeleted": False}) == []
    deleted = api.erp("GetAllConnections", {"IncludeDeleted": True})
    assert [(c["ErpConnectionId"], c["Deleted"]) for c in deleted] == [(cid, True)]
    assert api.erp("GetConnection", {"ErpConnectionId": cid})["Deleted"] is True
    restored = api.erp("SaveConnection", {"Connection": {**deleted[0], "Deleted": False}})
    assert (restored["ErpConnectionId"], restored["Deleted"]) == (cid, False)
    assert restored["ConnectionId"] == connection["ConnectionId"]
    assert len(api.erp("GetAllConnections", {"IncludeDeleted": True})) == 1


def test_config_of_an_active_connection_is_refused(api: Api) -> None:
    cid = api.new_erp_connection()["ErpConnectionId"]
    assert api.erp("ToggleErpConnectionActive", {"ErpConnectionId": cid}) == []
    connection = api.erp("GetConnection", {"ErpConnectionId": cid})
    assert connection["Active"] is True
    changed = {**connection, "ConfigFields": {"username": "other"}}
    message = _message(api.erp("SaveConnection", {"Connection": changed}))
    assert "deactivate first" in message
    config = api.erp("GetErpConnectionConfigFields", {"ErpConnectionId": cid})
    assert config["username"] == "demo"
    # renaming an active connection is fine, and the same config (mask included) is no change
    renamed = api.erp("SaveConnection", {"Connection": {**connection, "DisplayName": "New"}})
    assert renamed["DisplayName"] == "New" and renamed["Active"] is True
    # deactivate, save, reactivate
    assert api.erp("ToggleErpConnectionActive", {"ErpConnectionId": cid}) == []
    saved = api.erp("SaveConnection", {"Connection": {**changed, "Active": False}})
    assert saved["ConfigFields"]["username"] == "other"


def test_toggle_reasons_leave_the_connection_inactive(api: Api) -> None:
    cid = api.new_erp_connection(ConfigFields={**VALID_ERP_CONFIG, "password": "nope"})[
        "ErpConnectionId"
    ]
    mapping = api.mapping(cid, "Customer")
    mapping["IsActive"] = True
    api.erp("SaveActorTypeMapping", {"Mapping": mapping})
    reasons = api.erp("ToggleErpConnectionActive", {"ErpConnectionId": cid})
    assert reasons == [
        "The mandatory ERP field 'customerNo' of Customer has no sync direction.",
        "The mandatory ERP field 'name' of Customer has no sync direction.",
        "The connection test failed: The user name or password was not accepted by the ERP system.",
    ]
    assert api.erp("GetConnection", {"ErpConnectionId": cid})["Active"] is False
    api.map_fields(cid, "Customer", {"customerNo": "contact.number1", "name": "contact.name"})
    connection = api.erp("GetConnection", {"ErpConnectionId": cid})
    connection["ConfigFields"] = {"password": "demo-password"}
    api.erp("SaveConnection", {"Connection": connection})
    assert api.erp("ToggleErpConnectionActive", {"ErpConnectionId": cid}) == []
    assert api.erp("GetConnection", {"ErpConnectionId": cid})["Active"] is True
    api.erp("DeleteConnection", {"ErpConnectionId": cid})
    assert api.erp("GetConnection", {"ErpConnectionId": cid})["Active"] is False
    assert api.erp("ToggleErpConnectionActive", {"ErpConnectionId": cid}) == [
        "The connection is deleted; restore it before activating it."
    ]
    assert api.erp("ToggleErpConnectionActive", {"ErpConnectionId": 99}) == [
        "ERP connection 99 does not exist."
    ]


def test_connection_tests_run_the_demo_connectors_checks(api: Api) -> None:
    cid = api.new_erp_connection()["ErpConnectionId"]

    def by_config(connection_id: int, **changes: str) -> bool:
        return bool(
            api.erp(
                "TestConnectionByConfig",
                {"ErpConnectionId": connection_id, "ConfigFields": changes},
            )
        )

    assert by_config(cid) is True
    assert by_config(cid, password="********") is True  # the stored value is used
    assert by_config(cid, password="wrong") is False
    assert by_config(cid, endpointUrl="http://erp.example.com") is False
    assert by_config(cid, companyNumber="one") is False
    assert by_config(cid, username="") is False
    # not saved yet (id 0): the connector is the one whose fields fit the keys sent
    assert by_config(0, **VALID_ERP_CONFIG) is True
    assert by_config(0, **{**VALID_ERP_CONFIG, "password": "x"}) is False
    accounting = {"apiUrl": "https://acc.example.com", "clientId": "c1", "apiKey": "demo-api-key"}
    assert by_config(0, **accounting) is True
    assert by_config(0, **{**accounting, "apiKey": "nope"}) is False
    assert by_config(0, unknownKey="x") is False
    assert api.erp("TestConnectionById", {"ErpConnectionId": cid}) is True
    assert api.erp("TestConnectionById", {"ErpConnectionId": 42}) is False


def test_config_and_name_limits_and_unknown_keys(api: Api) -> None:
    base = {"ErpConnectionId": 0, "ErpConnectorId": 1, "DisplayName": "x"}
    too_long = api.erp(
        "SaveConnection",
        {"Connection": {**base, "ConfigFields": {"endpointUrl": "https://" + "a" * 1020}}},
    )
    assert "too long" in _message(too_long)
    assert "too long" in _message(
        api.erp("SaveConnection", {"Connection": {**base, "DisplayDescription": "d" * 255}})
    )
    unknown = api.erp("SaveConnection", {"Connection": {**base, "ConfigFields": {"colour": "x"}}})
    assert "Unknown configuration field 'colour'" in _message(unknown)
    assert "needs a name" in _message(
        api.erp("SaveConnection", {"Connection": {**base, "DisplayName": " "}})
    )
    assert "does not exist" in _message(
        api.erp("SaveConnection", {"Connection": {**base, "ErpConnectorId": 77}})
    )
    assert "Unknown user id(s): 9" in _message(
        api.erp(
            "SaveConnection",
            {"Connection": {**base, "AllAccess": False, "AssociateAccessIds": [2, 9]}},
        )
    )
    assert api.erp("GetAllConnections", {"IncludeDeleted": True}) == []  # nothing half-saved
    scoped = api.new_erp_connection(
        AllAccess=False, AssociateAccessIds=[2, 3], UserGroupAccessIds=[1]
    )
    assert (scoped["AllAccess"], scoped["AssociateAccessIds"], scoped["UserGroupAccessIds"]) == (
        False,
        [2, 3],
        [1],
    )


def test_priorities_order_get_all_connections(api: Api) -> None:
    ids = [api.new_erp_connection(name)["ErpConnectionId"] for name in ("A", "B", "C")]

    def order() -> list[int]:
        listed = api.erp("GetAllConnections", {"IncludeDeleted": True})
        return [c["ErpConnectionId"] for c in listed]

    assert order() == ids
    assert api.erp("SaveErpConnectionSyncPriorities", {"ErpConnectionIds": [3, 1, 2]}) is True
    assert order() == [3, 1, 2]
    assert api.erp("SaveErpConnectionSyncPriorities", {"ErpConnectionIds": [2]}) is True
    assert order() == [2, 3, 1]  # the rest keep their order after the ones given
    assert api.erp("SaveErpConnectionSyncPriorities", {"ErpConnectionIds": [1, 99]}) is False
    assert api.erp("SaveErpConnectionSyncPriorities", {"ErpConnectionIds": [1, 1]}) is False
    assert order() == [2, 3, 1]
    new = api.new_erp_connection("D")["ErpConnectionId"]
    assert order() == [2, 3, 1, new]


def test_engine_status_and_interval(api: Api) -> None:
    assert plain(api.erp("GetEngineStatus")) == {
        "IsRunning": False,
        "StatusMessage": "The sync engine is stopped.",
        "Interval": "00:10:00",
    }
    assert api.erp("ChangeEngineStatus", {"Run": True})["IsRunning"] is True
    assert api.agent("ErpSync", "ChangeEngineInterval", {"Interval": "01:30:00"}).status_code == 204
    status = api.erp("GetEngineStatus")
    assert (status["IsRunning"], status["Interval"]) == (True, "01:30:00")
    for bad in (
        "90 minutes",
        "00:61:00",
        "00:00:00",
        "PT0S",
        "P",
        "PT",
        "P1DT",
        "PT1.5S",
        "PT" + "9" * 5000 + "H",
        "100:00:00",
    ):
        assert "not a valid interval" in _message(
            api.erp("ChangeEngineInterval", {"Interval": bad})
        )
    assert api.erp("GetEngineStatus")["Interval"] == "01:30:00"


def test_engine_interval_takes_iso_8601_as_superoffice_s_client_sends_it(api: Api) -> None:
    """dayjs durations serialise as ISO-8601; a TimeSpan binds them, answers stay hh:mm:ss."""
    for sent, stored in (
        ("PT15M", "00:15:00"),
        ("PT1H30M", "01:30:00"),
        ("P1DT2H", "26:00:00"),
        ("PT90S", "00:01:30"),
        ("pt2h", "02:00:00"),
        ("1:00:00", "01:00:00"),
    ):
        assert api.agent("ErpSync", "ChangeEngineInterval", {"interval": sent}).status_code == 204
        assert api.erp("GetEngineStatus")["Interval"] == stored, sent
