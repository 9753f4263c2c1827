"""Retry policy: what is retried, how long it waits, and writes that must not be doubled."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from quotesync_gitops.crm import (
    CrmConnectionError,
    CrmRateLimited,
    RetryPolicy,
)
from quotesync_gitops.crm.retry import parse_retry_after
from tests.crm.helpers import FakeClock, json_response, make_client

PRODUCT = {"ProductId": 0, "Code": "P-1", "Name": "Widget"}
SAVED = {"ProductId": 41, "Code": "P-1", "Name": "Widget"}


def scripted(*steps: Any) -> Any:
    """A handler answering the given steps in order: a Response, or an exception class to raise."""
    queue = list(steps)

    def handler(request: httpx.Request) -> httpx.Response:
        step = queue.pop(0)
        if isinstance(step, type) and issubclass(step, httpx.RequestError):
            raise step("simulated", request=request)
        assert isinstance(step, httpx.Response)
        return step

    return handler


def test_429_honours_retry_after_seconds(clock: FakeClock) -> None:
    client, _ = make_client(
        scripted(json_response(None, 429, **{"Retry-After": "7"}), json_response([])),
        policy=clock.policy(),
    )
    assert client.erp_get_all_connectors() == []
    assert clock.sleeps == [7.0]
    assert client.stats.retries == 1
    assert client.stats.by_status == {"429": 1, "200": 1}
    assert client.stats.requests == 2


def test_429_honours_retry_after_http_date(clock: FakeClock) -> None:
    date = "Tue, 14 Nov 2023 22:13:32 GMT"  # 12 s after the policy's wall clock 1_700_000_000
    client, _ = make_client(
        scripted(json_response(None, 429, **{"Retry-After": date}), json_response([])),
        policy=clock.policy(),
    )
    client.erp_get_all_connectors()
    assert clock.sleeps == [12.0]


@pytest.mark.parametrize("status", [502, 503, 504])
def test_gateway_and_unavailable_statuses_are_retried_with_backoff(
    clock: FakeClock, status: int
) -> None:
    client, recorder = make_client(
        scripted(
            httpx.Response(status),
            httpx.Response(status),
            httpx.Response(status),
            json_response({"IsRunning": True}),
        ),
        policy=clock.policy(),
    )
    assert client.erp_get_engine_status() == {"IsRunning": True}
    # full jitter with jitter()=0.5: half of 0.5, 1.0, 2.0
    assert clock.sleeps == [0.25, 0.5, 1.0]
    assert len(recorder.requests) == 4


def test_full_jitter_is_capped_by_max_delay() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=4.0, jitter=lambda: 0.999)
    assert [round(policy.backoff(n), 3) for n in (1, 2, 3, 4, 10)] == [
        0.999,
        1.998,
        3.996,
        3.996,
        3.996,
    ]
    assert RetryPolicy(jitter=lambda: 0.0).backoff(3) == 0.0


@pytest.mark.parametrize("error", [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout])
def test_idempotent_read_retries_network_errors(clock: FakeClock, error: type) -> None:
    client, recorder = make_client(scripted(error, json_response({"Id": 1})), policy=clock.policy())
    assert client.get_product(1) == {"Id": 1}
    assert client.stats.by_status[error.__name__] == 1
    assert len(recorder.requests) == 2


def test_gives_up_after_max_attempts(clock: FakeClock) -> None:
    client, recorder = make_client(
        lambda r: httpx.Response(503), policy=clock.policy(max_attempts=3)
    )
    with pytest.raises(CrmConnectionError, match=r"gave up after 3 attempt\(s\).*HTTP 503") as info:
        client.get_product(5)
    assert info.value.subject == "product #5" and info.value.status == 503
    assert len(recorder.requests) == 3 and len(clock.sleeps) == 2


def test_still_429_after_retries_is_rate_limited(clock: FakeClock) -> None:
    client, _ = make_client(
        lambda r: json_response(None, 429, **{"Retry-After": "2"}),
        policy=clock.policy(max_attempts=4),
    )
    with pytest.raises(CrmRateLimited, match="rate limited") as info:
        client.mdo_list("associate")
    assert info.value.retry_after == 2.0
    assert clock.sleeps == [2.0, 2.0, 2.0]


def test_total_time_bound_stops_long_waits(clock: FakeClock) -> None:
    client, recorder = make_client(
        lambda r: json_response(None, 429, **{"Retry-After": "600"}),
        policy=clock.policy(total_timeout=60.0),
    )
    with pytest.raises(CrmRateLimited, match="60s bound"):
        client.erp_get_all_connectors()
    assert clock.sleeps == [] and len(recorder.requests) == 1


def test_total_time_bound_counts_time_spent_in_requests(clock: FakeClock) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        clock.now += 25.0  # each attempt takes 25 s before failing
        return httpx.Response(502)

    client, recorder = make_client(slow, policy=clock.policy(total_timeout=60.0, max_attempts=10))
    with pytest.raises(CrmConnectionError, match="gave up after 3 attempt"):
        client.get_pricelist(1)
    assert len(recorder.requests) == 3


# --- non-idempotent writes ------------------------------------------------------------------


def drop_body_after_first_chunk() -> Iterator[bytes]:
    yield b'{"ProductId": 41,'
    raise httpx.ReadError("connection reset by peer")


@pytest.mark.parametrize(
    "lost_answer",
    [
        httpx.ReadTimeout,
        httpx.RemoteProtocolError,
        lambda: httpx.Response(200, content=drop_body_after_first_chunk()),
        lambda: httpx.Response(502),
        lambda: httpx.Response(504),
    ],
    ids=["read-timeout", "server-disconnected", "dropped-mid-body", "502", "504"],
)
def test_create_is_not_retried_blindly_when_the_outcome_is_unknown(
    clock: FakeClock, lost_answer: Any
) -> None:
    step = lost_answer if isinstance(lost_answer, type) else lost_answer()
    client, recorder = make_client(scripted(step, json_response(SAVED)), policy=clock.policy())
    with pytest.raises(CrmConnectionError, match="outcome unknown") as info:
        client.create_product(dict(PRODUCT))
    assert info.value.outcome_unknown
    assert info.value.operation == "POST /api/v1/Product"
    assert info.value.subject == "product 'P-1'"
    assert len(recorder.requests) == 1  # never sent twice


def test_create_consults_landed_and_returns_what_landed(clock: FakeClock) -> None:
    client, recorder = make_client(
        scripted(httpx.ReadTimeout, json_response(SAVED)), policy=clock.policy()
    )
    checks: list[str] = []

    def landed() -> dict[str, Any] | None:
        checks.append("asked")
        return SAVED

    assert client.create_product(dict(PRODUCT), landed=landed) == SAVED
    assert checks == ["asked"]
    assert len(recorder.requests) == 1
    assert client.stats.landed_checks == 1 and client.stats.landed_found == 1


def test_create_is_resent_when_landed_says_it_did_not_land(clock: FakeClock) -> None:
    client, recorder = make_client(
        scripted(httpx.ReadTimeout, json_response(SAVED)), policy=clock.policy()
    )
    assert client.create_product(dict(PRODUCT), landed=lambda: None) == SAVED
    assert [r.method for r in recorder.requests] == ["POST", "POST"]
    assert client.stats.retries == 1 and client.stats.landed_found == 0


def test_create_that_never_lands_gives_up_saying_so(clock: FakeClock) -> None:
    client, recorder = make_client(
        scripted(*[httpx.ReadTimeout] * 3), policy=clock.policy(max_attempts=3)
    )
    with pytest.raises(CrmConnectionError, match="did not take effect"):
        client.create_pricelist({"Name": "Main"}, landed=lambda: None)
    assert len(recorder.requests) == 3


@pytest.mark.parametrize(
    "not_processed",
    [
        httpx.ConnectError,
        httpx.ConnectTimeout,
        lambda: json_response(None, 429, **{"Retry-After": "1"}),
    ],
    ids=["connect-error", "connect-timeout", "429"],
)
def test_create_is_retried_when_the_request_certainly_was_not_processed(
    clock: FakeClock, not_processed: Any
) -> None:
    step = not_processed if isinstance(not_processed, type) else not_processed()
    client, recorder = make_client(scripted(step, json_response(SAVED)), policy=clock.policy())

    def landed() -> dict[str, Any] | None:
        raise AssertionError("landed must not be asked when nothing was processed")

    assert client.create_product(dict(PRODUCT), landed=landed) == SAVED
    assert len(recorder.requests) == 2


def test_create_answered_503_asks_landed_before_resending(clock: FakeClock) -> None:
    # A gateway can answer 503 after the backend did the work: never resend blindly.
    client, recorder = make_client(
        scripted(httpx.Response(503), json_response(SAVED)), policy=clock.policy()
    )
    asked: list[bool] = []

    def landed() -> dict[str, Any] | None:
        asked.append(True)
        return None

    assert client.create_product(dict(PRODUCT), landed=landed) == SAVED
    assert asked == [True]
    assert len(recorder.requests) == 2


def test_agent_save_with_id_zero_is_a_create_and_with_an_id_an_update(clock: FakeClock) -> None:
    client, recorder = make_client(
        scripted(httpx.ReadTimeout, json_response({"ErpConnectionId": 3})), policy=clock.policy()
    )
    with pytest.raises(CrmConnectionError, match="outcome unknown"):
        client.erp_save_connection({"ErpConnectionId": 0, "DisplayName": "New"})
    assert len(recorder.requests) == 1

    client, recorder = make_client(
        scripted(httpx.ReadTimeout, json_response({"ErpConnectionId": 3})), policy=clock.policy()
    )
    assert client.erp_save_connection({"ErpConnectionId": 3, "DisplayName": "Old"}) == {
        "ErpConnectionId": 3
    }
    assert len(recorder.requests) == 2


def test_toggle_and_move_are_never_retried_blindly(clock: FakeClock) -> None:
    client, recorder = make_client(scripted(httpx.ReadTimeout), policy=clock.policy())
    with pytest.raises(CrmConnectionError, match="outcome unknown"):
        client.erp_toggle_active(7)
    client, recorder = make_client(scripted(httpx.ReadTimeout), policy=clock.policy())
    with pytest.raises(CrmConnectionError, match="outcome unknown"):
        client.erp_move_field_item(7, "Customer", 99, -1)
    assert len(recorder.requests) == 1


def test_toggle_and_move_use_landed(clock: FakeClock) -> None:
    client, recorder = make_client(scripted(httpx.ReadTimeout), policy=clock.policy())
    assert client.erp_toggle_active(7, landed=lambda: []) == []
    client, recorder = make_client(
        scripted(httpx.ReadTimeout, json_response(None)), policy=clock.policy()
    )
    client.erp_move_field_item(7, "Customer", 99, 1, landed=lambda: False)
    assert len(recorder.requests) == 2  # did not land → moved again, once


def test_fatal_transport_errors_are_not_retried(clock: FakeClock) -> None:
    client, recorder = make_client(scripted(httpx.UnsupportedProtocol), policy=clock.policy())
    with pytest.raises(CrmConnectionError, match="UnsupportedProtocol"):
        client.get_product(1)
    assert len(recorder.requests) == 1


def test_rejections_are_never_retried(clock: FakeClock) -> None:
    from quotesync_gitops.crm import CrmRejected

    client, recorder = make_client(
        lambda r: json_response({"Message": "no"}), policy=clock.policy()
    )
    with pytest.raises(CrmRejected):
        client.erp_save_connection({"ErpConnectionId": 2})
    assert len(recorder.requests) == 1 and clock.sleeps == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("5", 5.0),
        (" 0 ", 0.0),
        ("Tue, 14 Nov 2023 22:13:30 GMT", 10.0),
        ("Tue, 14 Nov 2023 22:00:00 GMT", 0.0),  # in the past: no wait
        ("soon", None),
        ("-3", None),
        (None, None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=1_700_000_000.0) == expected


def test_every_request_has_connect_and_read_timeouts() -> None:
    seen: list[dict[str, float | None]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return json_response([])

    from quotesync_gitops.crm import CrmClient

    untimed = httpx.Client(
        base_url="https://crm.example.com", transport=httpx.MockTransport(handler), timeout=None
    )
    CrmClient(untimed).erp_get_all_connectors()
    timed = httpx.Client(
        base_url="https://crm.example.com",
        transport=httpx.MockTransport(handler),
        timeout=httpx.Timeout(7.0, connect=3.0),
    )
    CrmClient(timed).erp_get_all_connectors()
    assert seen[0]["connect"] == 10.0 and seen[0]["read"] == 30.0
    assert seen[1]["connect"] == 3.0 and seen[1]["read"] == 7.0
