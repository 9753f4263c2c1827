"""Where an Online tenant's WebAPI lives: ``/api/state/{ContextIdentifier}``, and 421 moves.

SuperOffice moves tenants between servers (``sod2`` → ``sod3``) to balance load. The
environment host's ``GET /api/state/{id}`` says where a tenant is now (``Api``), whether it
can be used (``State``: only ``Running``) and until when that answer holds (``ValidUntil``).
A server that no longer has the tenant answers ``421 Misdirected Request``.

:class:`TenantTransport` wraps the real transport: the ``httpx.Client`` is built on the base
the first lookup gave, and every request is re-addressed to the tenant's current base. When
``ValidUntil`` has passed, or a server answers 421, it looks the tenant up again and (after
a 421) resends that request to the new place (up to three times). Credentials stay valid
across servers of one tenant, so nothing else changes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from quotesync_gitops.crm.auth_login import LoginEndpoint
from quotesync_gitops.crm.errors import CrmConfigError, CrmProtocolError
from quotesync_gitops.crm.transport import ensure_safe_url

#: ``State`` values by number, for an answer that sends the enum's number.
_STATE_NAMES = {
    0: "Unknown",
    1: "Provisioning",
    2: "Running",
    3: "Deleted",
    4: "Suspended",
    5: "OnlineMaintenance",
    6: "OfflineMaintenance",
}
#: Look-ups after 421 for one request (a tenant may move again while it is being followed).
MAX_MOVES_PER_REQUEST = 3
#: How long an answer without ``ValidUntil`` is trusted.
DEFAULT_VALIDITY = 300.0


@dataclass(frozen=True)
class TenantState:
    """One answer of ``/api/state``: the WebAPI base (without ``/api``) and how long it holds."""

    context_id: str
    state: str
    base_url: str
    valid_until: float


def look_up_tenant(login: LoginEndpoint, context_id: str, *, now: float) -> TenantState:
    """The tenant's state; a clear :class:`CrmConfigError` unless it is ``Running``."""
    operation = f"GET /api/state/{context_id}"
    data = login.get_json(f"/api/state/{context_id}", operation=operation)
    if not isinstance(data, dict):
        raise CrmProtocolError("the tenant state answer is not an object", operation=operation)
    raw_state = data.get("State")
    state = (
        _STATE_NAMES.get(raw_state, str(raw_state))
        if isinstance(raw_state, int)
        else (str(raw_state) if raw_state is not None else "Unknown")
    )
    if state != "Running":
        raise CrmConfigError(
            f"tenant {context_id} at {login.base_url} is {state}, not Running: its API is not "
            "available, nothing was read or changed (see the tenant's status page; run again "
            "once it is Running)"
        )
    api = data.get("Api")
    if not isinstance(api, str) or not api:
        raise CrmProtocolError("the tenant state answer names no Api", operation=operation)
    try:
        url = httpx.URL(api)
    except httpx.InvalidURL as exc:
        raise CrmProtocolError(
            "the tenant state answer's Api is not a URL", operation=operation
        ) from exc
    ensure_safe_url(url)
    path = url.path.rstrip("/")
    if path.lower().endswith("/api"):
        path = path[: -len("/api")]
    base = str(url.copy_with(path=path or "/", query=None, fragment=None)).rstrip("/")
    return TenantState(context_id, state, base, _valid_until(data.get("ValidUntil"), now))


def _valid_until(value: Any, now: float) -> float:
    if isinstance(value, str) and value:
        text = value.strip().replace("Z", "+00:00")
        # .NET writes seven fractional digits; Python reads at most six.
        head, dot, rest = text.partition(".")
        if dot:
            digits = "".join(ch for ch in rest if ch.isdigit())
            zone = rest[len(digits) :]
            text = f"{head}.{digits[:6]}{zone}"
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return now + DEFAULT_VALIDITY
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp()
    return now + DEFAULT_VALIDITY


class TenantTransport(httpx.BaseTransport):
    """Re-addresses every request to the tenant's current base; looks it up again on 421."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        lookup: Callable[[], TenantState],
        first: TenantState,
        *,
        clock: Callable[[], float] = time.time,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self._inner = inner
        self._on_close = on_close
        self._lookup = lookup
        self._clock = clock
        self._lock = threading.Lock()
        self._origin = httpx.URL(first.base_url)
        self._current = first
        #: How many times the tenant was looked up again (moves and expiries); for tests.
        self.lookups = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        state = self._state()
        response = self._inner.handle_request(self._readdress(request, state))
        for _ in range(MAX_MOVES_PER_REQUEST):
            if response.status_code != 421:
                return response
            response.close()
            state = self._look_again(stale=state)
            response = self._inner.handle_request(self._readdress(request, state))
        return response

    def close(self) -> None:
        self._inner.close()
        if self._on_close is not None:
            self._on_close()

    def _state(self) -> TenantState:
        with self._lock:
            current = self._current
        if self._clock() < current.valid_until:
            return current
        return self._look_again(stale=current)

    def _look_again(self, *, stale: TenantState) -> TenantState:
        with self._lock:
            if self._current is not stale:
                return self._current
            self._current = self._lookup()
            self.lookups += 1
            return self._current

    def _readdress(self, request: httpx.Request, state: TenantState) -> httpx.Request:
        base = httpx.URL(state.base_url)
        origin_path = self._origin.path.rstrip("/")
        url = request.url
        same_origin = (url.scheme, url.host, url.port) == (
            self._origin.scheme,
            self._origin.host,
            self._origin.port,
        )
        if not same_origin or not url.path.startswith(origin_path):
            return request  # not a WebAPI call of this tenant
        if base == self._origin:
            return request
        path = base.path.rstrip("/") + url.path[len(origin_path) :]
        moved = url.copy_with(scheme=base.scheme, host=base.host, port=base.port, path=path)
        headers = httpx.Headers(request.headers)
        headers["Host"] = moved.netloc.decode("ascii")
        return httpx.Request(
            request.method,
            moved,
            headers=headers,
            content=request.read(),
            extensions=request.extensions,
        )
