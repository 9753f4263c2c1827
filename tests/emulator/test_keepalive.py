"""HTTP/1.1 keep-alive on the served emulator, as SuperOffice's web servers speak it.

Raw sockets, so what goes over one connection is visible: several requests on one connection,
``Connection: close``, an HTTP/1.0 client, bodies with a Content-Length and chunked, answers
with errors in the middle of a kept-alive connection, a dropped-connection fault, and a
stopped server ending its idle connections.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from quotesync_gitops.emulator import FaultConfig, RunningServer, start_in_thread
from quotesync_gitops.emulator.faults import FaultRule

GET_ALL = "/api/v1/Agents/ErpSync/GetAllConnectors"
CONNECTORS = ["Demo ERP", "Demo Accounting"]


class Answer:
    def __init__(self, status_line: str, headers: dict[str, str], body: bytes) -> None:
        self.status_line = status_line
        self.headers = headers
        self.body = body

    @property
    def status(self) -> int:
        return int(self.status_line.split()[1])

    def json(self) -> Any:
        return json.loads(self.body)


class Wire:
    """One TCP connection to the server; requests written by hand, answers parsed by hand."""

    def __init__(self, url: str) -> None:
        host, port = httpx.URL(url).host, httpx.URL(url).port
        assert port is not None
        self.sock = socket.create_connection((host, port), timeout=10)
        self.reader = self.sock.makefile("rb")

    def send(self, raw: bytes) -> None:
        self.sock.sendall(raw)

    def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        version: str = "1.1",
        headers: dict[str, str] | None = None,
    ) -> None:
        lines = [f"{method} {path} HTTP/{version}", "Host: 127.0.0.1"]
        all_headers = {"Content-Length": str(len(body))} if body else {}
        all_headers.update(headers or {})
        lines += [f"{k}: {v}" for k, v in all_headers.items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)

    def answer(self) -> Answer:
        status_line = self.reader.readline().decode("latin-1").strip()
        assert status_line, "the server closed the connection without an answer"
        headers: dict[str, str] = {}
        while True:
            line = self.reader.readline().decode("latin-1").strip()
            if not line:
                break
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.reader.read(int(headers["content-length"]))
        return Answer(status_line, headers, body)

    def closed_by_server(self) -> bool:
        """True when the server has closed its end (EOF with nothing more to read)."""
        return self.reader.read(1) == b""

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_in_thread(tmp_path / "crm.sqlite", faults=FaultConfig(seed=3))
    yield running
    running.stop()


@pytest.fixture
def wire(served: RunningServer) -> Iterator[Wire]:
    connection = Wire(served.url)
    yield connection
    connection.close()


def test_several_requests_over_one_connection(wire: Wire, served: RunningServer) -> None:
    for _ in range(5):
        wire.request("POST", GET_ALL)
        answer = wire.answer()
        assert answer.status_line == "HTTP/1.1 200 OK"
        assert "connection" not in answer.headers
        assert [c["Name"] for c in answer.json()] == CONNECTORS
    stats = httpx.get(served.url + "/_emulator/stats").json()
    assert stats["requests_per_path"][GET_ALL] == 5


def test_two_requests_sent_at_once_are_answered_in_order(wire: Wire) -> None:
    one = b"POST " + GET_ALL.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    two = b"GET /api/v1/Pricelist/999 HTTP/1.1\r\nHost: x\r\n\r\n"
    wire.send(one + two)
    assert wire.answer().status == 200
    assert wire.answer().status == 404


def test_connection_close_is_answered_then_closed(wire: Wire) -> None:
    wire.request("POST", GET_ALL, headers={"Connection": "close"})
    answer = wire.answer()
    assert answer.status == 200
    assert answer.headers["connection"] == "close"
    assert wire.closed_by_server()


def test_an_http_1_0_client_gets_one_answer_and_the_connection_closes(wire: Wire) -> None:
    wire.request("POST", GET_ALL, version="1.0")
    answer = wire.answer()
    assert answer.status_line == "HTTP/1.0 200 OK"
    assert answer.headers["connection"] == "close"
    assert [c["Name"] for c in answer.json()] == CONNECTORS
    assert wire.closed_by_server()


def _price_list_body(name: str) -> bytes:
    body = {"Name": name, "Currency": "NOK", "ValidFrom": "2025-01-01", "ValidTo": "2025-12-31"}
    return json.dumps(body).encode()


def test_bodies_with_content_length_and_chunked_keep_the_connection(wire: Wire) -> None:
    wire.request("POST", "/api/v1/Pricelist", _price_list_body("With length"))
    first = wire.answer()
    assert first.status == 200, first.body
    body = _price_list_body("Chunked")
    chunked = b"%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n" % (10, body[:10], len(body) - 10, body[10:])
    wire.request("POST", "/api/v1/Pricelist", chunked, headers={"Transfer-Encoding": "chunked"})
    second = wire.answer()
    assert second.status == 200, second.body
    assert second.json()["Name"] == "Chunked"
    wire.request("POST", "/api/v1/Pricelist", b"")  # no body, no Content-Length: a 400
    assert wire.answer().status == 400
    wire.request("GET", "/api/v1/Pricelist")
    names = [row["Name"] for row in wire.answer().json()["value"]]
    assert "With length" in names and "Chunked" in names


def test_a_malformed_chunked_body_is_a_400_and_ends_the_connection(wire: Wire) -> None:
    wire.request(
        "POST", "/api/v1/Pricelist", b"zz\r\nnot hex\r\n", headers={"Transfer-Encoding": "chunked"}
    )
    answer = wire.answer()
    assert answer.status == 400
    assert wire.closed_by_server()


def test_errors_mid_keep_alive_leave_the_connection_usable(wire: Wire) -> None:
    wire.request("POST", "/api/v1/Pricelist", b"{not json")
    assert wire.answer().status == 400
    wire.request("GET", "/api/v1/Pricelist/4242")
    assert wire.answer().status == 404
    wire.request("DELETE", GET_ALL)
    assert wire.answer().status in (404, 405)
    wire.request("POST", GET_ALL)
    assert wire.answer().status == 200


def test_a_dropped_connection_fault_closes_without_a_byte(
    wire: Wire, served: RunningServer
) -> None:
    wire.request("POST", GET_ALL)
    assert wire.answer().status == 200
    served.app.faults.configure(FaultConfig(rules=[FaultRule("drop", calls=(1,))]))
    wire.request("POST", GET_ALL)
    assert wire.closed_by_server()
    again = Wire(served.url)
    try:
        again.request("POST", GET_ALL)
        assert again.answer().status == 200  # the next connection is served as usual
    finally:
        again.close()


def test_an_injected_status_mid_keep_alive_keeps_the_connection(
    wire: Wire, served: RunningServer
) -> None:
    served.app.faults.configure(FaultConfig(rules=[FaultRule(503, calls=(1,))]))
    wire.request("POST", GET_ALL)
    assert wire.answer().status == 503
    wire.request("POST", GET_ALL)
    assert wire.answer().status == 200


def test_stopping_the_server_ends_its_idle_connections(tmp_path: Path) -> None:
    running = start_in_thread(tmp_path / "crm.sqlite")
    wire = Wire(running.url)
    try:
        wire.request("POST", GET_ALL)
        assert wire.answer().status == 200
        running.stop()
        assert wire.closed_by_server()
    finally:
        wire.close()
        running.stop()


def test_httpx_reuses_one_connection_for_many_calls(served: RunningServer) -> None:
    """A client with a pool, as quotesync's: 20 sequential calls, one TCP connection."""
    ports: set[int] = set()
    with httpx.Client(base_url=served.url) as client:
        for _ in range(20):
            response = client.post(GET_ALL)
            assert response.status_code == 200
            assert response.http_version == "HTTP/1.1"
            stream = response.extensions["network_stream"]
            ports.add(stream.get_extra_info("client_addr")[1])
    assert len(ports) == 1


def test_a_client_that_closes_mid_body_writes_nothing(served: RunningServer) -> None:
    before = httpx.get(served.url + "/api/v1/Pricelist").json()["value"]
    body = _price_list_body("Half sent")
    cut = Wire(served.url)
    head = f"POST /api/v1/Pricelist HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    cut.send(head.encode() + body[: len(body) // 2])
    cut.close()  # gone before the body is complete
    cut = Wire(served.url)
    cut.request("POST", GET_ALL)
    assert cut.answer().status == 200
    cut.close()  # a client that closes between requests: the server just ends that thread
    with httpx.Client(base_url=served.url) as client:
        assert client.post(GET_ALL).status_code == 200
        after = client.get("/api/v1/Pricelist").json()["value"]
    assert after == before
