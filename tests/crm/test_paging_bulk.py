"""Keyset paging over OData lists, and bounded concurrency for bulk work."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from quotesync_gitops.crm import CrmNotFound, CrmProtocolError
from tests.crm.helpers import json_response, make_client


class ODataServer:
    """A tiny OData list: honours $orderBy/$filter 'X gt N'/$top; advertises more via nextLink."""

    def __init__(self, id_field: str, count: int, *, cap: int | None = None) -> None:
        self.id_field = id_field
        self.rows = [{id_field: i * 3, "Name": f"row {i}"} for i in range(1, count + 1)]
        self.cap = cap
        self.ignore_filter = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        assert params["$orderBy"] == self.id_field
        rows = self.rows
        match = re.fullmatch(rf"{self.id_field} gt (\d+)", params.get("$filter", ""))
        if match and not self.ignore_filter:
            rows = [r for r in rows if r[self.id_field] > int(match.group(1))]
        top = int(params["$top"])
        if self.cap is not None:
            top = min(top, self.cap)
        page = rows[:top]
        body: dict[str, Any] = {"odata.metadata": "meta", "value": page}
        if len(rows) > top:
            body["odata.nextLink"] = f"{request.url.path}?$skip=9999&$top={top}"  # never followed
        return json_response(body)


def test_products_are_read_with_keyset_pages_each_row_once() -> None:
    server = ODataServer("ProductId", 25)
    client, recorder = make_client(server)
    rows = list(client.iter_products(page_size=10))
    assert [r["ProductId"] for r in rows] == [r["ProductId"] for r in server.rows]
    params = [r.url.params for r in recorder.requests]
    assert len(params) == 3
    assert all(p["$orderBy"] == "ProductId" and p["$top"] == "10" for p in params)
    assert "$filter" not in params[0]
    assert [p["$filter"] for p in params[1:]] == ["ProductId gt 30", "ProductId gt 60"]
    assert all("$skip" not in p for p in params)
    assert {r.url.path for r in recorder.requests} == {"/Cust12345/api/v1/Product"}


def test_pricelists_are_paged_by_pricelist_id() -> None:
    server = ODataServer("PriceListId", 4)
    client, recorder = make_client(server)
    assert len(list(client.iter_pricelists(page_size=2))) == 4
    assert recorder.requests[1].url.params["$filter"] == "PriceListId gt 6"
    assert recorder.requests[0].url.path.endswith("/api/v1/Pricelist")


def test_a_full_last_page_without_next_link_costs_one_empty_request_at_most() -> None:
    client, recorder = make_client(ODataServer("ProductId", 20))
    assert len(list(client.iter_products(page_size=10))) == 20
    assert len(recorder.requests) == 3


def test_a_server_capping_top_is_followed_through_next_link() -> None:
    client, recorder = make_client(ODataServer("ProductId", 12, cap=5))
    assert len(list(client.iter_products(page_size=10))) == 12
    assert len(recorder.requests) == 3


def test_empty_list_is_one_request() -> None:
    client, recorder = make_client(ODataServer("ProductId", 0))
    assert list(client.iter_products()) == []
    assert recorder.requests[0].url.params["$top"] == "1000"
    assert len(recorder.requests) == 1


def test_a_server_ignoring_the_filter_cannot_loop_forever() -> None:
    server = ODataServer("ProductId", 30)
    server.ignore_filter = True
    client, _ = make_client(server)
    with pytest.raises(CrmProtocolError, match="not in ascending ProductId order"):
        list(client.iter_products(page_size=10))


def test_archive_rows_with_lower_case_or_string_ids_are_accepted() -> None:
    body = {"value": [{"productId": "7", "name": "a"}, {"productId": 9}]}
    client, _ = make_client(lambda r: json_response(body))
    assert [r["productId"] for r in client.iter_products(page_size=10)] == ["7", 9]


def test_page_size_is_bounded() -> None:
    client, _ = make_client(ODataServer("ProductId", 1))
    with pytest.raises(ValueError, match="page_size"):
        next(client.iter_products(page_size=5000))


# --- run_bulk -------------------------------------------------------------------------------


class Gauge:
    """Counts requests in progress inside the transport."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.current = 0
        self.peak = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.current += 1
            self.peak = max(self.peak, self.current)
        time.sleep(0.01)
        with self.lock:
            self.current -= 1
        ident = int(request.url.path.rsplit("/", 1)[1])
        if ident == 13:
            return json_response({"Error": True, "ErrorMessage": "gone"}, 404)
        return json_response({"ProductId": ident})


def test_run_bulk_bounds_concurrency_and_keeps_input_order() -> None:
    gauge = Gauge()
    client, _ = make_client(gauge, max_concurrency=3)
    ids = list(range(1, 13))
    results = client.run_bulk([lambda i=i: client.get_product(i) for i in ids])  # type: ignore[misc]
    assert [r["ProductId"] for r in results] == ids
    assert gauge.peak <= 3
    assert 1 <= client.stats.max_in_flight <= 3
    assert client.stats.in_flight == 0


def test_run_bulk_finishes_the_others_then_raises_the_first_error() -> None:
    gauge = Gauge()
    client, recorder = make_client(gauge, max_concurrency=4)
    ids = [1, 13, 2, 3, 4, 5]
    with pytest.raises(CrmNotFound, match="gone"):
        client.run_bulk([lambda i=i: client.get_product(i) for i in ids])  # type: ignore[misc]
    assert sorted(int(r.url.path.rsplit("/", 1)[1]) for r in recorder.requests) == sorted(ids)


def test_run_bulk_of_nothing_is_nothing() -> None:
    client, recorder = make_client(Gauge())
    assert client.run_bulk([]) == []
    assert recorder.requests == []


def test_run_bulk_of_a_client_of_an_in_process_server_runs_on_the_calling_thread() -> None:
    gauge = Gauge()
    client, recorder = make_client(gauge, max_concurrency=4, in_process=True)
    assert client.read_concurrency == 1
    threads: list[int] = []

    def get(ident: int) -> dict[str, Any]:
        threads.append(threading.get_ident())
        return client.get_product(ident)

    ids = [1, 13, 2, 3, 13, 4]
    with pytest.raises(CrmNotFound, match="gone"):
        client.run_bulk([lambda i=i: get(i) for i in ids])  # type: ignore[misc]
    # Every call ran, one at a time, in input order; the first failure was raised.
    assert [int(r.url.path.rsplit("/", 1)[1]) for r in recorder.requests] == ids
    assert set(threads) == {threading.get_ident()}
    assert gauge.peak == 1 and client.stats.max_in_flight == 1
    results = client.run_bulk([lambda i=i: get(i) for i in (5, 6, 7)])  # type: ignore[misc]
    assert [r["ProductId"] for r in results] == [5, 6, 7]


def test_in_flight_bound_holds_for_callers_with_their_own_threads() -> None:
    gauge = Gauge()
    client, _ = make_client(gauge, max_concurrency=2)
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(client.get_product, range(1, 11)))
    assert gauge.peak <= 2 and client.stats.max_in_flight <= 2
    assert client.stats.as_dict()["requests"] == 10


def test_find_products_ands_its_condition_to_the_keyset() -> None:
    body = {"value": [{"ProductId": 5, "Code": "O'Neil"}]}
    client, recorder = make_client(lambda r: json_response(body))
    assert list(client.find_products("7", "O'Neil")) == body["value"]
    (request,) = recorder.requests
    assert request.url.params["$filter"] == "ERPPriceListKey eq '7' and Code eq 'O''Neil'"
    assert request.url.params["$orderBy"] == "ProductId"
