"""The HTTP layer: credentials, malformed bodies, unknown paths and methods, error shapes."""

from __future__ import annotations

import httpx
import pytest

from quotesync_gitops.emulator import RunningServer
from tests.emulator.conftest import CREDENTIALS, Api

GET_ALL = "/api/v1/Agents/ErpSync/GetAllConnectors"


def _is_rest_error(body: object, error_type: str | None = None) -> bool:
    ok = isinstance(body, dict) and set(body) == {"Error", "ErrorType", "ErrorMessage"}
    ok = ok and body["Error"] is True  # type: ignore[index]
    return ok and (error_type is None or body["ErrorType"] == error_type)  # type: ignore[index]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "SOTicket wrong", "SO-AppToken": "app-456"}, 401),
        ({"Authorization": "SOTicket tkt-123", "SO-AppToken": "wrong"}, 401),
        ({"Authorization": "SOTicket tkt-123"}, 401),
        ({"Authorization": "Bearer wrong"}, 401),
        ({"Authorization": "Basic dGt0LTEyMzphcHAtNDU2"}, 401),
        ({"Authorization": "SOTicket tkt-123", "SO-AppToken": "app-456"}, 200),
        ({"Authorization": "Bearer bearer-789"}, 200),
    ],
    ids=[
        "none",
        "wrong-ticket",
        "wrong-app-token",
        "ticket-alone",
        "wrong-bearer",
        "basic",
        "soticket",
        "bearer",
    ],
)
def test_credentials(secured: RunningServer, headers: dict[str, str], status: int) -> None:
    response = httpx.post(secured.url + GET_ALL, headers=headers)
    assert response.status_code == status
    if status == 401:
        assert _is_rest_error(response.json(), "Unauthorized")
        assert "SOTicket" in response.headers["WWW-Authenticate"]
        # the answer never echoes what was sent
        assert "tkt-123" not in response.text and "wrong" not in response.text
    else:
        assert [c["Name"] for c in response.json()] == ["Demo ERP", "Demo Accounting"]


def test_control_endpoints_need_credentials_too(secured: RunningServer) -> None:
    assert httpx.get(secured.url + "/_emulator/stats").status_code == 401
    assert httpx.post(secured.url + "/_emulator/faults", json={}).status_code == 401
    good = {"Authorization": f"Bearer {CREDENTIALS.access_token}"}
    assert httpx.get(secured.url + "/_emulator/stats", headers=good).status_code == 200


def test_no_credentials_configured_accepts_everyone(http: httpx.Client) -> None:
    assert http.post(GET_ALL).status_code == 200
    assert http.post(GET_ALL, headers={"Authorization": "Bearer anything"}).status_code == 200


@pytest.mark.parametrize("body", [b"{not json", b'{"ErpConnectionId": ', b"\xff\xfe", b"[1,"])
def test_malformed_json_is_a_400_not_a_500(http: httpx.Client, body: bytes) -> None:
    response = http.post(
        "/api/v1/Agents/ErpSync/GetConnection",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert _is_rest_error(response.json(), "BadRequest")
    assert "not valid JSON" in response.json()["ErrorMessage"]
    assert "Traceback" not in response.text


def test_malformed_json_on_rest_and_control(http: httpx.Client) -> None:
    assert http.post("/api/v1/Pricelist", content=b"{oops").status_code == 400
    assert http.post("/_emulator/faults", content=b"{oops").status_code == 400


def test_wrong_types_are_a_400(http: httpx.Client) -> None:
    response = http.post("/api/v1/Agents/ErpSync/GetConnection", json={"ErpConnectionId": "one"})
    assert response.status_code == 400
    assert "ErpConnectionId" in response.json()["ErrorMessage"]
    response = http.post("/api/v1/Agents/ErpSync/GetConnection", json=[1, 2])
    assert response.status_code == 400


def test_unknown_path_is_404(http: httpx.Client) -> None:
    for path in ("/api/v1/Agents/ErpSync/NoSuchMethod", "/api/v1/Nothing", "/", "/_emulator/x"):
        response = http.post(path)
        assert response.status_code == 404, path
        assert _is_rest_error(response.json(), "NotFound")


def test_wrong_method_is_405(http: httpx.Client) -> None:
    response = http.get("/api/v1/Agents/ErpSync/GetConnection")
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert _is_rest_error(response.json(), "MethodNotAllowed")
    assert http.delete("/api/v1/Pricelist").status_code == 405
    assert http.put("/_emulator/stats").status_code == 405


def test_unknown_id_answers_null(api: Api) -> None:
    for method, body in [
        ("GetConnection", {"ErpConnectionId": 999}),
        ("GetErpConnectionConfigFields", {"ErpConnectionId": 999}),
        ("GetActorTypeMapping", {"ErpConnectionId": 999, "ActorType": "Customer"}),
        ("GetConnectionListMappings", {"ErpConnectionId": 999}),
        ("GetDefaultValueInfo", {"ErpFieldId": 999}),
        ("GetConfigurationFields", {"ErpConnectorId": 999}),
    ]:
        response = api.agent("ErpSync", method, body)
        assert response.status_code == 200, method
        assert response.content == b"null", method
    assert api.erp("GetErpSyncConnectorEntity", erpSyncConnectorEntityId=999) is None
    assert api.quote("GetConnection", {"QuoteConnectionId": 999}) is None
    assert api.quote("GetConnectionConfigFields", {"QuoteConnectionId": 999}) is None


def test_agent_paths_ignore_case_like_superoffice(http: httpx.Client) -> None:
    assert http.post("/API/v1/agents/erpsync/getallconnectors").status_code == 200


def test_rest_not_found_and_bad_ids(http: httpx.Client) -> None:
    response = http.get("/api/v1/Pricelist/12345")
    assert response.status_code == 404
    assert _is_rest_error(response.json(), "NotFound")
    assert http.get("/api/v1/Product/abc").status_code == 400
    assert http.get("/api/v1/MDOList/nosuchlist").status_code == 404
