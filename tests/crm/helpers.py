"""Helpers for the CRM client tests: a fake clock, a recording MockTransport, clients."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from quotesync_gitops.crm import CrmClient, RetryPolicy, SoTicketAuth

BASE_URL = "https://crm.example.com/Cust12345"
TICKET = "7T:ticket-abcdef123456"
APP_TOKEN = "app-secret-987654"


@dataclass
class FakeClock:
    """Monotonic clock advanced only by ``sleep``: tests never wait for real."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def policy(self, **overrides: Any) -> RetryPolicy:
        settings: dict[str, Any] = {
            "max_attempts": 5,
            "base_delay": 0.5,
            "max_delay": 8.0,
            "total_timeout": 60.0,
            "clock": self.clock,
            "sleep": self.sleep,
            "jitter": lambda: 0.5,
            "now": lambda: 1_700_000_000.0,
        }
        settings.update(overrides)
        return RetryPolicy(**settings)


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Recorder:
    """Wraps a handler and keeps every request it saw (with its decoded JSON body)."""

    handler: Handler
    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def make_client(
    handler: Handler,
    *,
    policy: RetryPolicy | None = None,
    auth: httpx.Auth | None = None,
    base_url: str = BASE_URL,
    max_concurrency: int = 4,
    **kwargs: Any,
) -> tuple[CrmClient, Recorder]:
    recorder = Recorder(handler)
    http = httpx.Client(
        base_url=base_url,
        transport=httpx.MockTransport(recorder),
        auth=auth if auth is not None else SoTicketAuth(TICKET, APP_TOKEN),
    )
    client = CrmClient(
        http,
        retry=policy if policy is not None else FakeClock().policy(),
        max_concurrency=max_concurrency,
        **kwargs,
    )
    return client, recorder


def json_response(body: Any, status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)
