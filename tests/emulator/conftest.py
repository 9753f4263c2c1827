"""Fixtures: an emulator served on 127.0.0.1 (port 0) and a plain httpx client, as a stranger
would call it. Helpers for the recurring calls live here too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from quotesync_gitops.emulator import Credentials, FaultConfig, RunningServer, start_in_thread

VALID_ERP_CONFIG = {
    "endpointUrl": "https://erp.example.com/api",
    "companyNumber": "1",
    "username": "demo",
    "password": "demo-password",
}
VALID_QUOTE_CONFIG = {
    "baseUrl": "https://erp.example.com/quotes",
    "apiUser": "demo",
    "apiPassword": "demo-password",
    "priceSource": "erp",
}


def plain(carrier: Any) -> Any:
    """A carrier without ``TableRight`` / ``FieldProperties`` (they are tested on their own)."""
    if isinstance(carrier, dict):
        return {k: v for k, v in carrier.items() if k not in ("TableRight", "FieldProperties")}
    return carrier


class Api:
    """Thin helpers over an httpx client: agent calls and REST calls, nothing clever."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def agent(self, agent: str, method: str, body: Any = None, **params: Any) -> httpx.Response:
        kwargs: dict[str, Any] = {"params": params} if params else {}
        if body is not None:
            kwargs["json"] = body
        return self.http.post(f"/api/v1/Agents/{agent}/{method}", **kwargs)

    def erp(self, method: str, body: Any = None, **params: Any) -> Any:
        response = self.agent("ErpSync", method, body, **params)
        assert response.status_code in (200, 204), response.text
        return response.json() if response.content else None

    def quote(self, method: str, body: Any = None, **params: Any) -> Any:
        response = self.agent("Quote", method, body, **params)
        assert response.status_code in (200, 204), response.text
        return response.json() if response.content else None

    def mdo(self, method: str, body: Any = None) -> Any:
        response = self.agent("MDO", method, body)
        assert response.status_code == 200, response.text
        return response.json()

    def erp_mdo(self, list_name: str) -> Any:
        """An MDO list through the agent (``MDO/GetList``), as SuperOffice's client reads it."""
        return self.mdo("GetList", {"Name": list_name, "ForceFlatList": True})

    # --- recurring set-ups ---------------------------------------------------------------

    def new_erp_connection(
        self, name: str = "Demo ERP production", connector_id: int = 1, **extra: Any
    ) -> dict[str, Any]:
        config = extra.pop("ConfigFields", VALID_ERP_CONFIG if connector_id == 1 else {})
        body = {
            "ErpConnectionId": 0,
            "ErpConnectorId": connector_id,
            "DisplayName": name,
            "ConfigFields": config,
            **extra,
        }
        saved = self.erp("SaveConnection", {"Connection": body})
        assert "ErpConnectionId" in saved, saved
        return dict(saved)

    def mapping(self, connection_id: int, actor: str = "Customer") -> dict[str, Any]:
        result = self.erp(
            "GetActorTypeMapping", {"ErpConnectionId": connection_id, "ActorType": actor}
        )
        return dict(result)

    def map_fields(
        self, connection_id: int, actor: str, crm_fields: dict[str, str], *, enable: bool = True
    ) -> dict[str, Any]:
        """Map ERP field keys to CRM field keys (direction both) and optionally enable."""
        mapping = self.mapping(connection_id, actor)
        for field in mapping["FieldMappings"]:
            if field["ErpFieldKey"] in crm_fields:
                field.update(
                    CrmFieldKey=crm_fields[field["ErpFieldKey"]], SyncToCrm=True, SyncToErp=True
                )
        mapping["IsActive"] = enable
        saved = self.erp("SaveActorTypeMapping", {"Mapping": mapping})
        assert "FieldMappings" in saved, saved
        return dict(saved)

    def new_price_list(self, name: str = "Standard NOK", **extra: Any) -> dict[str, Any]:
        body = {
            "Name": name,
            "Currency": "NOK",
            "ValidFrom": "2025-01-01",
            "ValidTo": "2025-12-31",
            **extra,
        }
        response = self.http.post("/api/v1/Pricelist", json=body)
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "crm.sqlite"


@pytest.fixture
def server(db_path: Path) -> Iterator[RunningServer]:
    running = start_in_thread(db_path, faults=FaultConfig(seed=7))
    yield running
    running.stop()


@pytest.fixture
def http(server: RunningServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10.0) as client:
        yield client


@pytest.fixture
def api(http: httpx.Client) -> Api:
    return Api(http)


CREDENTIALS = Credentials(ticket="tkt-123", app_token="app-456", access_token="bearer-789")


@pytest.fixture
def secured(db_path: Path) -> Iterator[RunningServer]:
    running = start_in_thread(db_path, credentials=CREDENTIALS)
    yield running
    running.stop()
