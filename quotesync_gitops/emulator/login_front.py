"""The WSGI side of the emulated Online services: routes to :class:`LoginService` (``login.py``).

Sign-in, keys, token refresh and tenant state are answered here; everything else goes to the
WebAPI behind, re-addressed from ``/srv<N>/<ContextIdentifier>/api/...`` (or ``421`` from a
server the tenant left), refused with ``503`` while the tenant is not running, or ``403`` for
an agent the app was not granted.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from quotesync_gitops.emulator.login import LoginService

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 421: "Misdirected Request",
            503: "Service Unavailable"}  # fmt: skip


def _error(status: int, error_type: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"Error": True, "ErrorType": error_type, "ErrorMessage": message}


class LoginFront:
    """The WSGI app: sign-in and state endpoints here, the tenant's WebAPI behind."""

    def __init__(self, app: WsgiApp, service: LoginService) -> None:
        self.app = app
        self.service = service

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", "") or "/")
        lowered = path.lower().rstrip("/")
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        base = _base_url(environ)
        s = self.service
        answer: tuple[int, Any] | None = None
        if lowered == "/login/api/partnersystemuser/authenticate" and method == "POST":
            answer = 200, s.authenticate(_json(environ), base)
        elif lowered == "/login/.well-known/openid-configuration" and method == "GET":
            answer = 200, {"issuer": base, "jwks_uri": f"{base}/login/.well-known/jwks"}
        elif lowered == "/login/.well-known/jwks" and method == "GET":
            answer = 200, s.jwks()
        elif lowered == "/login/common/oauth/tokens" and method == "POST":
            answer = s.refresh(_form(environ))
        elif lowered.startswith("/api/state/") and method == "GET":
            answer = s.tenant_state(path.rstrip("/").rsplit("/", 1)[-1], base)
        elif lowered == "/_emulator/login" and method == "POST":
            authorization = str(environ.get("HTTP_AUTHORIZATION", ""))
            app_token = str(environ.get("HTTP_SO_APPTOKEN", ""))
            if not s.accepts(authorization, app_token):
                answer = _error(401, "Unauthorized", "Sign in first: send the credentials.")
                return _send(start_response, *answer)
            try:
                answer = 200, s.control(_json(environ))
            except ValueError as exc:
                answer = _error(400, "BadRequest", str(exc))
        if answer is not None:
            return _send(start_response, *answer)
        return self._tenant(environ, start_response, path)

    def _tenant(
        self, environ: dict[str, Any], start_response: StartResponse, path: str
    ) -> Iterable[bytes]:
        s = self.service
        s.count_request()
        parts = path.split("/", 3)  # "", "srv1", "Cust12345", "api/..."
        ctx = s.settings.context_id.lower()
        if len(parts) == 4 and parts[1].lower().startswith("srv") and parts[2].lower() == ctx:
            if parts[1].lower() != f"srv{s.server}":
                s.counts["misdirected"] += 1
                return _send(
                    start_response,
                    *_error(421, "MisdirectedRequest", "The tenant is not on this server."),
                )
            path = "/" + parts[3]
            environ = {**environ, "PATH_INFO": path}
        if path.lower().startswith("/api/") and s.state != "Running":
            return _send(
                start_response, *_error(503, "TenantUnavailable", f"The tenant is {s.state}.")
            )
        agent = path.split("/")
        if len(agent) > 4 and agent[3].lower() == "agents" and agent[4] in s.restricted:
            return _send(
                start_response,
                *_error(
                    403,
                    "RestrictedAgent",
                    f"The {agent[4]} agent is Online Restricted: this application has not been "
                    "granted access to it.",
                ),
            )
        return self.app(environ, start_response)


def _base_url(environ: dict[str, Any]) -> str:
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    return f"{environ.get('wsgi.url_scheme', 'http')}://{host}"


def _body(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    return bytes(environ["wsgi.input"].read(length)) if length > 0 else b""


def _json(environ: dict[str, Any]) -> Any:
    try:
        return json.loads(_body(environ) or b"null")
    except ValueError:
        return None


def _form(environ: dict[str, Any]) -> dict[str, str]:
    return dict(parse_qsl(_body(environ).decode("utf-8", "replace"), keep_blank_values=True))


def _send(start_response: StartResponse, status: int, body: Any) -> list[bytes]:
    payload = json.dumps(body).encode("utf-8")
    start_response(
        f"{status} {_REASONS.get(status, 'Unknown')}",
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(payload))),
        ],
    )
    return [payload]
