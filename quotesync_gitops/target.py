"""From a ``--crm`` / ``QUOTESYNC_CRM`` target string to a ready :class:`CrmClient`.

Accepted targets:

* ``https://<tenant base URL>`` — a real tenant, e.g. ``https://online.superoffice.com/Cust12345``
  (``/api/v1/...`` is appended). Needs credentials: a ticket, an access token or Basic
  (``crm/auth_env.py`` says which variables).
* ``http://127.0.0.1:<port>`` — plain http to loopback only (the served emulator in tests);
  credentials are sent when set.
* ``<environment>:<ContextIdentifier>`` — a SuperOffice Online tenant by name, e.g.
  ``online:Cust12345`` (environments ``sod``, ``stage``, ``online``). Its WebAPI base is looked
  up at ``GET https://<environment host>/api/state/<id>`` (and again when it moves);
  ``QUOTESYNC_ENVIRONMENT_URL`` replaces the environment host (tests point it at 127.0.0.1).
  All sign-in modes but Basic work here; the system user is the one for unattended runs.
* ``local:<path>`` — the embedded CRM: the emulator's WSGI app over a SQLite file, in process.
  This is the default, ``local:.quotesync/crm.sqlite``.

This is the one module that joins the client and the emulator.
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

import httpx

from quotesync_gitops import __version__
from quotesync_gitops.crm.auth_login import ENVIRONMENT_HOSTS, LoginEndpoint
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmConfigError
from quotesync_gitops.crm.retry import RetryPolicy
from quotesync_gitops.crm.transport import CrmAuth, is_loopback

if TYPE_CHECKING:
    from quotesync_gitops.crm.auth_tenant import TenantState
    from quotesync_gitops.emulator.app import EmulatorApp

ENV_TARGET = "QUOTESYNC_CRM"
ENV_ENVIRONMENT_URL = "QUOTESYNC_ENVIRONMENT_URL"
#: Requests in flight at once against the CRM (default 8; 1 sends one at a time).
ENV_MAX_CONCURRENCY = "QUOTESYNC_MAX_CONCURRENCY"
DEFAULT_MAX_CONCURRENCY = 8
MAX_CONCURRENCY_LIMIT = 64
DEFAULT_TARGET = "local:.quotesync/crm.sqlite"
LOCAL_PREFIX = "local:"
EMBEDDED_BASE_URL = "http://embedded.local"

ACCEPTED_FORMS = (
    "https://<tenant base URL> (e.g. https://online.superoffice.com/Cust12345), "
    "<environment>:<ContextIdentifier> (an Online tenant, e.g. online:Cust12345; environments "
    + ", ".join(ENVIRONMENT_HOSTS)
    + "), http://127.0.0.1:<port> (loopback only), or local:<path to a .sqlite file>"
)
_TENANT = re.compile(r"^(?P<env>[A-Za-z]+):(?P<ctx>[A-Za-z][A-Za-z0-9_-]{0,63})$")


@dataclass(frozen=True)
class Target:
    """A resolved target: ``remote`` with a base URL, ``local`` with a database path, or
    ``tenant`` with ``<environment>:<ContextIdentifier>``."""

    kind: Literal["remote", "local", "tenant"]
    location: str

    def __str__(self) -> str:
        return f"{LOCAL_PREFIX}{self.location}" if self.kind == "local" else self.location

    @property
    def environment(self) -> str:
        return self.location.partition(":")[0]

    @property
    def context_id(self) -> str:
        return self.location.partition(":")[2]


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
    tenant = _TENANT.match(text)
    if tenant is not None and tenant["env"].lower() in ENVIRONMENT_HOSTS:
        return Target("tenant", f"{tenant['env'].lower()}:{tenant['ctx']}")
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
        from quotesync_gitops.crm.auth_env import CREDENTIALS_HINT

        raise CrmConfigError(
            f"CRM target {shown!r} carries credentials in the URL: remove them and "
            f"{CREDENTIALS_HINT} instead"
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


def concurrency_from_env(env: Mapping[str, str]) -> int:
    """``QUOTESYNC_MAX_CONCURRENCY`` as a number of requests in flight (default 8)."""
    raw = env.get(ENV_MAX_CONCURRENCY, "").strip()
    if not raw:
        return DEFAULT_MAX_CONCURRENCY
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_CONCURRENCY_LIMIT:
        raise CrmConfigError(
            f"{ENV_MAX_CONCURRENCY} must be a whole number from 1 to {MAX_CONCURRENCY_LIMIT} "
            f"(requests in flight at once against the CRM), not {raw[:20]!r}"
        )
    return int(raw)


def anchored(target: str, base: Path) -> str:
    """``target`` with a relative ``local:`` path made absolute against ``base`` (a saved
    plan's target is relative to the folder plan ran in); other targets as resolved."""
    resolved = resolve_target(target, {})
    path = Path(resolved.location).expanduser()
    if resolved.kind == "local" and not path.is_absolute():
        return f"{LOCAL_PREFIX}{os.path.normpath(base / path)}"
    return str(resolved)


class _EmbeddedTransport(httpx.WSGITransport):
    """The in-process CRM: a dropped connection in the app reads as a network error, and
    closing the client closes the CRM's database (checkpointed: no ``-wal`` file is left)."""

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return super().handle_request(request)
        except ConnectionError as exc:
            raise httpx.ReadError(
                f"embedded CRM dropped the connection: {exc}", request=request
            ) from exc

    def close(self) -> None:
        cast("EmulatorApp", self.app).close()  # _open_embedded gives it the emulator's app


def open_client(
    target: str | None,
    env: Mapping[str, str],
    *,
    timeout: float = 30.0,
    max_concurrency: int | None = None,
    retry: RetryPolicy | None = None,
) -> CrmClient:
    """A :class:`CrmClient` for ``--crm``/``QUOTESYNC_CRM``/the embedded default.

    ``max_concurrency`` defaults to ``QUOTESYNC_MAX_CONCURRENCY`` or 8; ``retry`` replaces
    the default :class:`RetryPolicy` (tests use tiny delays).
    """
    if max_concurrency is None:
        max_concurrency = concurrency_from_env(env)
    resolved = resolve_target(target, env)
    headers = {"User-Agent": f"quotesync-gitops/{__version__}"}
    if resolved.kind == "local":
        return _open_embedded(Path(resolved.location).expanduser(), headers, max_concurrency, retry)
    limits = httpx.Limits(
        max_connections=max_concurrency, max_keepalive_connections=max_concurrency
    )
    timeouts = httpx.Timeout(timeout, connect=min(timeout, 10.0))
    if resolved.kind == "tenant":
        return _open_tenant(resolved, env, headers, timeouts, limits, max_concurrency, retry)
    # The sign-in pieces are imported by the targets that sign in, not by the embedded CRM.
    from quotesync_gitops.crm.auth_env import CREDENTIALS_HINT, auth_for_env

    auth = auth_for_env(env)
    url = httpx.URL(resolved.location)
    if auth is None and url.scheme == "https":
        raise CrmConfigError(
            f"the CRM at {resolved.location} needs credentials: {CREDENTIALS_HINT}"
        )
    http = httpx.Client(
        base_url=resolved.location,
        auth=auth,
        headers=headers,
        timeout=timeouts,
        limits=limits,
        verify=True,
        follow_redirects=False,
    )
    return _client(http, max_concurrency, retry)


def environment_url(target: Target, env: Mapping[str, str]) -> str:
    """The environment host of a tenant target: ``QUOTESYNC_ENVIRONMENT_URL`` or the known one."""
    text = env.get(ENV_ENVIRONMENT_URL, "").strip() or ENVIRONMENT_HOSTS[target.environment]
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL as exc:
        raise CrmConfigError(f"{ENV_ENVIRONMENT_URL} is not a valid URL") from exc
    if url.scheme not in ("http", "https") or not url.host:
        raise CrmConfigError(f"{ENV_ENVIRONMENT_URL} must be an https:// URL of a host")
    if url.scheme == "http" and not is_loopback(url.host):
        raise CrmConfigError(
            f"{ENV_ENVIRONMENT_URL} uses plain http:// off this machine: use https://, or "
            "http:// only for 127.0.0.1, ::1 or localhost"
        )
    if url.userinfo or url.query or url.fragment or url.path.strip("/"):
        raise CrmConfigError(f"{ENV_ENVIRONMENT_URL} must be the host only, e.g. {_text_host(url)}")
    return str(url.copy_with(path="/")).rstrip("/")


def _text_host(url: httpx.URL) -> str:
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"


def _open_tenant(
    target: Target,
    env: Mapping[str, str],
    headers: dict[str, str],
    timeouts: httpx.Timeout,
    limits: httpx.Limits,
    max_concurrency: int,
    retry: RetryPolicy | None,
) -> CrmClient:
    """An Online tenant by name: look it up, sign in as the variables say, follow its moves."""
    from quotesync_gitops.crm.auth_env import CREDENTIALS_HINT, auth_for_env
    from quotesync_gitops.crm.auth_tenant import TenantTransport, look_up_tenant

    login_http = httpx.Client(
        base_url=environment_url(target, env),
        headers=headers,
        timeout=timeouts,
        verify=True,
        follow_redirects=False,
    )
    try:
        login = LoginEndpoint(login_http)
        auth: CrmAuth | None = auth_for_env(env, login=login, context_id=target.context_id)
        if auth is None:
            raise CrmConfigError(f"the tenant {target} needs credentials: {CREDENTIALS_HINT}")

        def lookup() -> TenantState:
            return look_up_tenant(login, target.context_id, now=time.time())

        first = lookup()
        transport = TenantTransport(
            httpx.HTTPTransport(verify=True, limits=limits), lookup, first, on_close=login.close
        )
    except BaseException:
        login_http.close()
        raise
    http = httpx.Client(
        base_url=first.base_url,
        auth=auth,
        headers=headers,
        timeout=timeouts,
        transport=transport,
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
    # In process there are no round trips to overlap: calls go one at a time, on the caller's
    # thread (see ``CrmClient.run_bulk``).
    return _client(http, max_concurrency, retry, in_process=True)


def _client(
    http: httpx.Client,
    max_concurrency: int,
    retry: RetryPolicy | None,
    in_process: bool = False,
) -> CrmClient:
    try:
        return CrmClient(http, retry=retry, max_concurrency=max_concurrency, in_process=in_process)
    except BaseException:
        http.close()
        raise
