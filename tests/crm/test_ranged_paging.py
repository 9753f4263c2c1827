"""iter_product_pages: id ranges read concurrently, every row once, in ProductId order."""

from __future__ import annotations

import random
import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from quotesync_gitops.crm import CrmClient, CrmProtocolError
from quotesync_gitops.target import open_client
from tests.crm.helpers import json_response, make_client


class RangeServer:
    """An OData product list: $orderBy ProductId [desc], $filter 'gt N [and ProductId le M]'."""

    def __init__(self, ids: list[int], *, delay: float = 0.0) -> None:
        self.rows = [{"ProductId": i, "Code": f"P{i}"} for i in sorted(ids)]
        self.delay = delay
        self.ignore_desc = False
        self.reject_desc = False
        self.ignore_filter = False
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            time.sleep(self.delay)
            return self.answer(request.url.params)
        finally:
            with self.lock:
                self.in_flight -= 1

    def answer(self, params: httpx.QueryParams) -> httpx.Response:
        assert "$skip" not in params
        rows = self.rows
        order = params["$orderBy"]
        if order == "ProductId desc":
            if self.reject_desc:
                return json_response({"Error": True, "ErrorMessage": "no"}, 400)
            if not self.ignore_desc:
                rows = rows[::-1]
        else:
            assert order == "ProductId"
        condition = params.get("$filter", "")
        match = re.fullmatch(r"ProductId gt (-?\d+)(?: and ProductId le (-?\d+))?", condition)
        assert match or not condition, condition
        if match and not self.ignore_filter:
            low, high = int(match[1]), match[2]
            rows = [r for r in rows if r["ProductId"] > low]
            if high is not None:
                rows = [r for r in rows if r["ProductId"] <= int(high)]
        top = int(params["$top"])
        page = rows[:top]
        if "$select" in params:
            page = [{"ProductId": r["ProductId"]} for r in page]
        body: dict[str, Any] = {"value": page}
        if len(rows) > top:
            body["odata.nextLink"] = "more"
        return json_response(body)


def read(server: RangeServer, page_size: int = 10, **kwargs: Any) -> tuple[list[int], list[Any]]:
    client, recorder = make_client(server, **kwargs)
    pages = list(client.iter_product_pages(page_size=page_size))
    ids = [row["ProductId"] for page in pages for row in page]
    return ids, recorder.requests


def test_dense_ids_are_read_once_in_order_with_one_request_per_page_plus_the_highest() -> None:
    server = RangeServer(list(range(1, 101)))
    ids, requests = read(server)
    assert ids == list(range(1, 101))
    assert len(requests) == 10 + 1  # ten pages, and the highest id
    filters = [r.url.params.get("$filter") for r in requests]
    assert filters[0] is None
    assert "ProductId gt 10 and ProductId le 20" in filters


@pytest.mark.parametrize("seed", range(8))
def test_uneven_ids_are_read_once_in_order(seed: int) -> None:
    rng = random.Random(seed)
    ids_in = sorted(rng.sample(range(1, 5000), rng.randint(11, 400)))
    if seed % 2:  # a dense start, then far apart
        ids_in = list(range(1, 11)) + [i * 97 for i in range(1, 60)]
    ids, requests = read(RangeServer(ids_in))
    assert ids == sorted(set(ids_in))
    pages = -(-len(ids_in) // 10)
    assert len(requests) <= 2 * pages + 8  # ranges widen as the ids thin out


def test_one_page_is_one_request() -> None:
    ids, requests = read(RangeServer(list(range(1, 8))))
    assert ids == list(range(1, 8))
    assert len(requests) == 1


def test_an_empty_list_is_one_request() -> None:
    ids, requests = read(RangeServer([]))
    assert ids == []
    assert len(requests) == 1


@pytest.mark.parametrize("how", ["ignore_desc", "reject_desc"])
def test_a_server_that_cannot_sort_down_is_read_page_after_page(how: str) -> None:
    server = RangeServer(list(range(1, 46)))
    setattr(server, how, True)
    ids, requests = read(server)
    assert ids == list(range(1, 46))
    assert len(requests) == 5 + 1  # five pages and the highest id


def test_a_server_ignoring_the_range_filter_is_a_protocol_error() -> None:
    server = RangeServer(list(range(1, 60)))
    server.ignore_filter = True
    with pytest.raises(CrmProtocolError, match="ProductId"):
        read(server)


def test_ranges_are_read_concurrently_within_the_client_bound() -> None:
    server = RangeServer(list(range(1, 401)), delay=0.01)
    ids, _ = read(server, max_concurrency=4)
    assert ids == list(range(1, 401))
    assert server.peak == 4


def test_a_client_bound_of_one_reads_sequentially() -> None:
    server = RangeServer(list(range(1, 51)), delay=0.001)
    ids, requests = read(server, max_concurrency=1)
    assert ids == list(range(1, 51))
    assert server.peak == 1
    assert all("le" not in (r.url.params.get("$filter") or "") for r in requests)


def test_stopping_early_leaves_no_reader_running() -> None:
    server = RangeServer(list(range(1, 1001)), delay=0.005)
    client, _ = make_client(server, max_concurrency=4)
    pages = client.iter_product_pages(page_size=10)
    next(pages)
    next(pages)
    pages.close()
    assert server.in_flight == 0


def test_page_size_is_bounded() -> None:
    client, _ = make_client(RangeServer([1]))
    with pytest.raises(ValueError, match="page_size"):
        next(client.iter_product_pages(page_size=5000))


def test_the_embedded_crm_is_read_sequentially(tmp_path: Path) -> None:
    with open_client(f"local:{tmp_path / 'crm.sqlite'}", {}) as embedded:
        assert embedded.read_concurrency == 1
        assert embedded.in_process
    with open_client("http://127.0.0.1:9", {}) as served:
        assert served.read_concurrency == served.max_concurrency
        assert not served.in_process


def test_a_client_told_to_read_sequentially_pages_in_order() -> None:
    rows = [{"ProductId": i} for i in range(1, 31)]

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        server = RangeServer([r["ProductId"] for r in rows])
        answer = server.answer(httpx.QueryParams(environ["QUERY_STRING"]))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [answer.content]

    http = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://embedded")
    client = CrmClient(http, max_concurrency=8, read_concurrency=1)
    assert client.read_concurrency == 1
    pages = list(client.iter_product_pages(page_size=10))
    assert [row["ProductId"] for page in pages for row in page] == list(range(1, 31))


def test_a_full_single_page_costs_the_highest_id_instead_of_an_empty_probe() -> None:
    ids, requests = read(RangeServer(list(range(1, 11))))
    assert ids == list(range(1, 11))
    assert len(requests) == 2
    assert requests[1].url.params["$orderBy"] == "ProductId desc"
