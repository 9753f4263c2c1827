"""Calls to a SuperOffice environment's own host: sign-in services and tenant state.

SuperOffice Online has one host per environment (``sod``, ``stage``/``qaonline``, ``online``)
that serves the login services and the tenant directory, separate from the tenant's WebAPI:

* ``POST /Login/api/PartnerSystemUser/Authenticate`` — system user sign-in (a JWT back);
* ``GET /login/.well-known/openid-configuration`` → ``jwks_uri`` — the keys that sign it;
* ``POST /login/common/oauth/tokens`` — OAuth token refresh;
* ``GET /api/state/{ContextIdentifier}`` — where a tenant's WebAPI lives, and whether it runs.

:class:`LoginEndpoint` makes those calls on an ``httpx.Client`` of its own (no credentials
attached to it, so none can leak to a redirect), checks statuses and bodies, and turns every
failure into a :class:`CrmError` naming the call. Secrets in answers are redacted by the
``redact`` function the caller passes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from quotesync_gitops.crm.errors import (
    CrmAuthError,
    CrmConfigError,
    CrmConnectionError,
    CrmProtocolError,
)
from quotesync_gitops.crm.responses import clean_message, decode
from quotesync_gitops.crm.transport import ensure_safe_url, send_bounded

#: Answers of the login host are small; anything bigger is not what SuperOffice sends.
MAX_LOGIN_ANSWER_BYTES = 1024 * 1024

#: Hosts of SuperOffice's Online environments, by the name a ``--crm`` tenant target uses.
ENVIRONMENT_HOSTS: Mapping[str, str] = {
    "sod": "https://sod.superoffice.com",
    "stage": "https://qaonline.superoffice.com",
    "online": "https://online.superoffice.com",
}


def no_redaction(text: str) -> str:
    return text


class LoginEndpoint:
    """JSON calls to one environment host (``base_url`` of ``http``)."""

    def __init__(self, http: httpx.Client, redact: Callable[[str], str] = no_redaction) -> None:
        ensure_safe_url(http.base_url)
        self._http = http
        self.redact = redact

    @property
    def base_url(self) -> httpx.URL:
        return self._http.base_url

    def get_json(self, path: str, *, operation: str) -> Any:
        return self._send(self._http.build_request("GET", path), operation)

    def post_json(self, path: str, body: Mapping[str, Any], *, operation: str) -> Any:
        return self._send(self._http.build_request("POST", path, json=dict(body)), operation)

    def post_form(self, path: str, form: Mapping[str, str], *, operation: str) -> Any:
        return self._send(self._http.build_request("POST", path, data=dict(form)), operation)

    def get_absolute(self, url: str, *, operation: str) -> Any:
        """GET a URL another answer named (``jwks_uri``): https, or http to loopback only."""
        try:
            target = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise CrmProtocolError(
                "the login service named an invalid URL", operation=operation
            ) from exc
        ensure_safe_url(target)
        return self._send(self._http.build_request("GET", target), operation)

    def _send(self, request: httpx.Request, operation: str) -> Any:
        request.headers["Accept"] = "application/json"
        try:
            raw = send_bounded(
                self._http, request, max_bytes=MAX_LOGIN_ANSWER_BYTES, operation=operation
            )
        except httpx.HTTPError as exc:
            raise CrmConnectionError(
                f"cannot reach the SuperOffice login service at {self.base_url}: "
                f"{type(exc).__name__}",
                operation=operation,
            ) from exc
        try:
            data = decode(raw.body)
        except (ValueError, UnicodeDecodeError):
            data = None
            if 200 <= raw.status < 300:
                raise CrmProtocolError(
                    "the login service answered something that is not JSON",
                    operation=operation,
                    status=raw.status,
                ) from None
        if 200 <= raw.status < 300:
            return data
        detail = self._detail(data)
        suffix = f": {detail}" if detail else ""
        if raw.status in (400, 401, 403):
            raise CrmAuthError(
                f"sign-in refused (HTTP {raw.status}){suffix}",
                operation=operation,
                status=raw.status,
            )
        if raw.status == 404:
            raise CrmConfigError(
                f"{operation}: the login service has no such endpoint or tenant (HTTP 404){suffix}"
            )
        raise CrmConnectionError(
            f"the login service failed (HTTP {raw.status}){suffix}",
            operation=operation,
            status=raw.status,
        )

    def _detail(self, data: Any) -> str:
        if not isinstance(data, dict):
            return ""
        for key in ("error_description", "ErrorMessage", "Message", "error"):
            value = data.get(key)
            if isinstance(value, str) and value:
                return clean_message(value, self.redact)
        return ""

    def close(self) -> None:
        self._http.close()
