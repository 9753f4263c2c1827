"""A 429 pauses every request of the client, not only the throttled one (real HTTP)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from quotesync_gitops.crm import CrmClient, RetryPolicy
from quotesync_gitops.crm.transport import BearerAuth
from quotesync_gitops.emulator.app import Credentials
from quotesync_gitops.emulator.faults import FaultConfig, FaultRule
from quotesync_gitops.emulator.server import RunningServer, start_in_thread
from tests.support.parallel import TIMING

TOKEN = "pause-test-token-not-a-secret"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RunningServer]:
    running = start_in_thread(
        tmp_path / "served.sqlite",
        credentials=Credentials(access_token=TOKEN),
        faults=FaultConfig(latency_ms=30, rules=[FaultRule(429, calls=(3,), retry_after=1)]),
    )
    try:
        yield running
    finally:
        running.stop()


@TIMING
def test_other_requests_wait_out_a_429(server: RunningServer) -> None:
    sent: list[float] = []
    throttled: list[float] = []
    lock = threading.Lock()

    def on_request(request: httpx.Request) -> None:
        with lock:
            sent.append(time.monotonic())

    def on_response(response: httpx.Response) -> None:
        if response.status_code == 429:
            with lock:
                throttled.append(time.monotonic())

    http = httpx.Client(
        base_url=server.url,
        auth=BearerAuth(TOKEN),
        timeout=10.0,
        event_hooks={"request": [on_request], "response": [on_response]},
    )
    policy = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=5.0, total_timeout=20.0)
    with CrmClient(http, retry=policy, max_concurrency=2) as client:
        lists = client.run_bulk([lambda: client.mdo_list("associate") for _ in range(10)])
    assert all(rows == lists[0] for rows in lists)
    assert len(throttled) == 1
    assert client.stats.by_status == {"200": 10, "429": 1}
    # httpx reports the 429 a moment before the client has read it and paused: a request
    # that passed the gate in that moment may be sent just after it (at most one per other
    # worker). Every request after that waits out Retry-After.
    racing = [t for t in sent if throttled[0] < t <= throttled[0] + 0.05]
    assert len(racing) <= 1
    after = [t for t in sent if t > throttled[0] + 0.05]
    assert after, "requests went on after the 429"
    # Nothing was sent until the tenant's Retry-After (1 s) had passed.
    assert min(after) - throttled[0] >= 0.9
    assert client.stats.max_in_flight <= 2
