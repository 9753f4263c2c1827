"""Wire level: authentication headers, the plain-http guard, and a size-bounded send.

SuperOffice accepts ``Authorization: SOTicket <ticket>`` plus ``SO-AppToken: <secret>``
(Online apps) or ``Authorization: Bearer <token>``. The auth objects here add those headers
per request, and refuse to do so on a plain ``http://`` URL unless the host is loopback
(127.0.0.0/8, ::1, localhost), so a credential can never cross a network in clear text,
not even after a misconfigured redirect. Their ``repr`` shows only which scheme is used.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass

import httpx

from quotesync_gitops.crm.errors import CrmConfigError, CrmProtocolError

ENV_TICKET = "QUOTESYNC_TICKET"
ENV_APP_TOKEN = "QUOTESYNC_APP_TOKEN"
ENV_ACCESS_TOKEN = "QUOTESYNC_ACCESS_TOKEN"

#: Default bound on one response body; a page of 1000 products is about 2 MB.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


def is_loopback(host: str) -> bool:
    """True for localhost, 127.0.0.0/8 and ::1: the only hosts plain http may reach."""
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def ensure_safe_url(url: httpx.URL) -> None:
    """Refuse to send credentials over plain http to anything but loopback."""
    if url.scheme == "https":
        return
    if url.scheme == "http" and is_loopback(url.host):
        return
    raise CrmConfigError(
        f"refusing to send CRM credentials over {url.scheme}:// to {url.host!r}: "
        "use https://, or http:// only for 127.0.0.1, ::1 or localhost"
    )


class CrmAuth(httpx.Auth):
    """Base of the auth schemes: adds headers, guards the URL, never shows a credential."""

    scheme = ""

    def _headers(self) -> Mapping[str, str]:
        raise NotImplementedError

    def secret_values(self) -> tuple[str, ...]:
        """The credential strings, so error text from the server can be redacted."""
        raise NotImplementedError

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        ensure_safe_url(request.url)
        request.headers.update(self._headers())
        yield request

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.scheme} (credentials hidden)>"

    __str__ = __repr__

    def __reduce__(self) -> str:  # pickling would write the credential somewhere
        raise TypeError("CRM credentials cannot be pickled")


class SoTicketAuth(CrmAuth):
    """``Authorization: SOTicket <ticket>`` + ``SO-AppToken: <app token>`` (SuperOffice Online)."""

    scheme = "SOTicket"

    def __init__(self, ticket: str, app_token: str) -> None:
        if not ticket or not app_token:
            raise CrmConfigError("SOTicket authentication needs both a ticket and an app token")
        self._ticket = ticket
        self._app_token = app_token

    def _headers(self) -> Mapping[str, str]:
        return {"Authorization": f"SOTicket {self._ticket}", "SO-AppToken": self._app_token}

    def secret_values(self) -> tuple[str, ...]:
        return (self._ticket, self._app_token)


class BearerAuth(CrmAuth):
    """``Authorization: Bearer <access token>`` (SuperOffice OAuth / SuperId)."""

    scheme = "Bearer"

    def __init__(self, token: str) -> None:
        if not token:
            raise CrmConfigError("Bearer authentication needs a non-empty access token")
        self._token = token

    def _headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def secret_values(self) -> tuple[str, ...]:
        return (self._token,)


def auth_from_env(env: Mapping[str, str]) -> CrmAuth | None:
    """Credentials from the environment, or None when none are set.

    ``QUOTESYNC_TICKET`` + ``QUOTESYNC_APP_TOKEN`` → SOTicket; ``QUOTESYNC_ACCESS_TOKEN`` →
    Bearer. Half a ticket pair, or both schemes at once, is an error naming the variables.
    """
    ticket = env.get(ENV_TICKET, "")
    app_token = env.get(ENV_APP_TOKEN, "")
    access_token = env.get(ENV_ACCESS_TOKEN, "")
    if access_token and (ticket or app_token):
        raise CrmConfigError(
            f"set either {ENV_TICKET} + {ENV_APP_TOKEN} (SOTicket) or {ENV_ACCESS_TOKEN} "
            "(Bearer), not both"
        )
    if access_token:
        return BearerAuth(access_token)
    if ticket and app_token:
        return SoTicketAuth(ticket, app_token)
    if ticket or app_token:
        missing = ENV_APP_TOKEN if ticket else ENV_TICKET
        raise CrmConfigError(
            f"{missing} is not set: SOTicket authentication needs both {ENV_TICKET} and "
            f"{ENV_APP_TOKEN}"
        )
    return None


@dataclass(frozen=True)
class RawResponse:
    """One answer, fully read: status, the headers the client uses, and the body bytes."""

    status: int
    headers: httpx.Headers
    body: bytes


def send_bounded(
    http: httpx.Client,
    request: httpx.Request,
    *,
    max_bytes: int,
    operation: str,
    deadline: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> RawResponse:
    """Send and read the whole answer, refusing bodies over ``max_bytes``, and giving up
    (as a read timeout) once ``clock()`` passes ``deadline``.

    Reading happens here, inside the attempt, so a connection dropped mid-body surfaces
    as an httpx transport error the retry policy can classify. The read timeout bounds
    each wait for bytes; the deadline bounds the whole answer, so a server that sends a
    byte every few seconds cannot hold a run for minutes.
    """
    response = http.send(request, stream=True)
    try:
        declared = response.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise _too_large(operation, response.status_code, max_bytes)
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(operation, response.status_code, max_bytes)
            if deadline is not None and clock() > deadline:
                raise httpx.ReadTimeout(
                    f"the answer was still arriving ({size:,} bytes) when the time allowed "
                    "for the call ran out",
                    request=request,
                )
            chunks.append(chunk)
        return RawResponse(response.status_code, response.headers, b"".join(chunks))
    finally:
        response.close()


def _too_large(operation: str, status: int, max_bytes: int) -> CrmProtocolError:
    return CrmProtocolError(
        f"answer is larger than the {max_bytes}-byte bound", operation=operation, status=status
    )
