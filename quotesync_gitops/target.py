"""From a ``--crm`` / ``QUOTESYNC_CRM`` target string to a ready :class:`CrmClient`.

Accepted targets:

* ``https://<tenant base URL>`` — a real tenant, e.g. ``https://online.superoffice.com/Cust12345``
  (``/api/v1/...`` is appended). Needs credentials: ``QUOTESYNC_TICKET`` +
  ``QUOTESYNC_APP_TOKEN`` (SOTicket) or ``QUOTESYNC_ACCESS_TOKEN`` (Bearer).
* ``http://127.0.0.1:<port>`` — plain http to loopback only (the served emulator in tests);
  credentials are sent when set.
* ``local:<path>`` — the embedded CRM: the emulator's WSGI app over a SQLite file, in process.
  This is the default, ``local:.quotesync/crm.sqlite``.

This is the one module that joins the client and the emulator.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx

from quotesync_gitops import __version__
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmConfigError
from quotesync_gitops.crm.retry import RetryPolicy
from quotesync_gitops.crm.transport import (
    ENV_ACCESS_TOKEN,
    ENV_APP_TOKEN,
    ENV_TICKET,
    auth_from_env,
    is_loopback,
)

ENV_TARGET = "QUOTESYNC_CRM"
DEFAULT_TARGET = "local:.quotesync/crm.sqlite"
LOCAL_PREFIX = "local:"
EMBEDDED_BASE_URL = "http://embedded.local"

ACCEPTED_FORMS = (
    "https://<tenant base URL> (e.g. https://online.superoffice.com/Cust12345), "
    "http://127.0.0.1:<port> (loopback only), or local:<path to a .sqlite file>"
)


@dataclass(frozen=True)
class Target:
    """A resolved target: ``remote`` with a base URL, or ``local`` with a database path."""

    kind: Literal["remote", "local"]
    location: str

    def __str__(self) -> str:
        return f"{LOCAL_PREFIX}{self.location}" if self.kind == "local" else self.location


def _shown(text: str) -> str:
    """A target as it may appear in a message: user:password@ parts hidden, length cut."""
    text = re.sub(r"//[^/@]*@", "//(sensitive)@", text)
    return text if len(text) <= 200 else text[:200] + "…"


def resolve_target(target: str | None, env: Mapping[str, str]) -> Target:
    """The target from ``--crm``, else ``QUOTESYNC_CRM``, else the embedded default."""
    text = (target or "").strip() or env.get(ENV_TARGET, "").strip() or DEFAULT_TARGET
    if text.startswith(LOCAL_PREFIX):
        path = text[len(LOCAL_PREFIX) :].strip()
        if not path:
            raise CrmConfigError(f"CRM target {text!r} names no file: use local:<path>")
        return Target("local", path)
    if not re.match(r"^https?://", text, re.IGNORECASE):
        raise CrmConfigError(f"unknown CRM target {_shown(text)!r}: use {ACCEPTED_FORMS}")
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise CrmConfigError(
            f"CRM target {_shown(text)!r} is not a valid URL: use {ACCEPTED_FORMS}"
        ) from exc
    shown = _shown(text)
    if not url.host:
        raise CrmConfigError(f"CRM target {shown!r} has no host: use {ACCEPTED_FORMS}")
    if url.userinfo:
        raise CrmConfigError(
            f"CRM target {shown!r} carries credentials in the URL: remove them and set "
            f"{ENV_TICKET} + {ENV_APP_TOKEN} or {ENV_ACCESS_TOKEN} instead"
        )
    if url.query or url.fragment:
        raise CrmConfigError(f"CRM target {shown!r} must not have a query or fragment")
    if url.scheme == "http" and not is_loopback(url.host):
        raise CrmConfigError(
            f"CRM target {shown!r} uses plain http:// off this machine: use https://, "
            "or http:// only for 127.0.0.1, ::1 or localhost"
        )
    path = url.path.rstrip("/")
    if "/api/" in f"{path}/".lower():
        raise CrmConfigError(
            f"CRM target {shown!r} should be the tenant base URL, without /api/v1 "
            "(e.g. https://online.superoffice.com/Cust12345)"
        )
    return Target("remote", str(url.copy_with(path=path or "/")).rstrip("/"))


def describe_target(target: str | None, env: Mapping[str, str]) -> str:
    """The resolved target for plans and reports (never a credential)."""
    return str(resolve_target(target, env))


def anchored(target: str, base: Path) -> str:
    """``target`` with a relative ``local:`` path made absolute against ``base`` (a saved
    plan's target is relative to the folder plan ran in); other targets as resolved."""
    resolved = resolve_target(target, {})
    path = Path(resolved.location).expanduser()
    if resolved.kind == "local" and not path.is_absolute():
        return f"{LOCAL_PREFIX}{os.path.normpath(base / path)}"
    return str(resolved)


class _EmbeddedTransport(httpx.WSGITransport):
    """The in-process CRM: a dropped connection in the app reads as a network error."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except ConnectionError as exc:
            raise httpx.ReadError(
                f"embedded CRM dropped the connection: {exc}", request=request
            ) from exc


def open_client(
    target: str | None,
    env: Mapping[str, str],
    *,
    timeout: float = 30.0,
    max_concurrency: int = 8,
    retry: RetryPolicy | None = None,
) -> CrmClient:
    """A :class:`CrmClient` for ``--crm``/``QUOTESYNC_CRM``/the embedded default.

    ``retry`` replaces the default :class:`RetryPolicy` (tests use tiny delays).
    """
    resolved = resolve_target(target, env)
    headers = {"User-Agent": f"quotesync-gitops/{__version__}"}
    if resolved.kind == "local":
        return _open_embedded(Path(resolved.location).expanduser(), headers, max_concurrency, retry)
    auth = auth_from_env(env)
    url = httpx.URL(resolved.location)
    if auth is None and url.scheme == "https":
        raise CrmConfigError(
            f"the CRM at {resolved.location} needs credentials: set {ENV_TICKET} and "
            f"{ENV_APP_TOKEN} (SOTicket), or {ENV_ACCESS_TOKEN} (Bearer)"
        )
    http = httpx.Client(
        base_url=resolved.location,
        auth=auth,
        headers=headers,
        timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
        limits=httpx.Limits(
            max_connections=max_concurrency, max_keepalive_connections=max_concurrency
        ),
        verify=True,
        follow_redirects=False,
    )
    return _client(http, max_concurrency, retry)


def _open_embedded(
    path: Path, headers: dict[str, str], max_concurrency: int, retry: RetryPolicy | None
) -> CrmClient:
    from quotesync_gitops.emulator.app import create_app

    try:  # its folder and file are made by the first write (plan alone leaves none)
        app = create_app(path, lazy=True)
    except (sqlite3.Error, OSError) as exc:  # not a database, a folder, read-only, ...
        raise CrmConfigError(
            f"cannot use {path} as the local CRM ({type(exc).__name__}: {exc}); point "
            "local: at a new file or at one quotesync created"
        ) from exc
    http = httpx.Client(
        transport=_EmbeddedTransport(app=app),
        base_url=EMBEDDED_BASE_URL,
        headers=headers,
    )
    # In process there are no round trips to overlap: list reads go one request at a time.
    return _client(http, max_concurrency, retry, read_concurrency=1)


def _client(
    http: httpx.Client,
    max_concurrency: int,
    retry: RetryPolicy | None,
    read_concurrency: int | None = None,
) -> CrmClient:
    try:
        return CrmClient(
            http, retry=retry, max_concurrency=max_concurrency, read_concurrency=read_concurrency
        )
    except BaseException:
        http.close()
        raise
