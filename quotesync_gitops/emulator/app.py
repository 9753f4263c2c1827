"""The WSGI application: routing, authentication, faults, one transaction per request.

Order of work for a SuperOffice path: count it (stats), wait the configured latency, decide a
fault (answer it now unless it is an "after processing" fault), check credentials, run the
handler in a transaction, then answer (or drop / fail after the write, for after-processing
faults). ``/_emulator/faults``, ``/_emulator/stats`` and ``/_emulator/erp-side`` (what the
systems behind the demo connectors accept, ``erp_side.py``) are emulator-only control endpoints:
never faulted or counted, but they need credentials too when the server has them.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from quotesync_gitops.emulator import (
    erp_connections,
    erp_connectors,
    erp_lists,
    erp_mappings,
    erp_side,
    erp_summary,
    mdo,
    product_images,
    quote,
    quote_catalog,
    quote_lines,
    quote_status,
    rest,
    sale_types,
)
from quotesync_gitops.emulator.faults import (
    DroppedConnection,
    FaultConfig,
    FaultRule,
    FaultSpecError,
)
from quotesync_gitops.emulator.http import (
    AgentMessage,
    Call,
    HttpError,
    Request,
    Response,
    Route,
    RouteIndex,
    agent_routes,
    bad_request,
    ok,
)
from quotesync_gitops.emulator.request_stats import RequestStats
from quotesync_gitops.emulator.store import Store

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]

_REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}

ROUTES: list[Route] = [
    *agent_routes(
        "ErpSync",
        {
            **erp_connectors.METHODS,
            **erp_connections.METHODS,
            **erp_mappings.METHODS,
            **erp_lists.METHODS,
            **erp_summary.METHODS,
        },
    ),
    *agent_routes(
        "Quote",
        {**quote.METHODS, **quote_lines.METHODS, **quote_catalog.METHODS, **quote_status.METHODS},
    ),
    *agent_routes("MDO", mdo.METHODS),
    *agent_routes("List", sale_types.METHODS),
    *rest.ROUTES,
    *mdo.ROUTES,
    *product_images.ROUTES,
]
_ROUTE_INDEX = RouteIndex(ROUTES)


def _nearest_endpoint(path: str) -> str:
    """ " Did you mean …?" for a mistyped path (an agent method name, usually)."""
    templates = {r.template.lower(): r.template for r in ROUTES}
    import difflib  # a suggestion is rare: not imported at start-up

    near = difflib.get_close_matches(path.lower().rstrip("/"), list(templates), n=1, cutoff=0.85)
    return f" Did you mean {templates[near[0]]}?" if near else ""


@dataclass(frozen=True)
class Credentials:
    """What a caller must present. With nothing set, every request is accepted."""

    ticket: str | None = None
    app_token: str | None = None
    access_token: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.ticket or self.app_token or self.access_token)

    def accepts(self, authorization: str, app_token: str) -> bool:
        scheme, _, value = authorization.strip().partition(" ")
        value = value.strip()
        if scheme.lower() == "soticket" and self.ticket:
            if not hmac.compare_digest(value.encode(), self.ticket.encode()):
                return False
            return not self.app_token or hmac.compare_digest(
                app_token.strip().encode(), self.app_token.encode()
            )
        if scheme.lower() == "bearer" and self.access_token:
            return hmac.compare_digest(value.encode(), self.access_token.encode())
        return False


def _request(environ: dict[str, Any]) -> Request:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    host = environ.get("HTTP_HOST") or f"{environ['SERVER_NAME']}:{environ['SERVER_PORT']}"
    query = {k.lower(): v for k, v in parse_qsl(environ.get("QUERY_STRING", ""), True)}
    raw_path = environ.get("PATH_INFO", "") or "/"
    try:  # PEP 3333: PATH_INFO carries the raw bytes as latin-1; some callers pass real text
        path = raw_path.encode("latin-1").decode("utf-8")
    except UnicodeError:
        path = raw_path
    scheme = environ.get("wsgi.url_scheme", "http")
    return Request(
        method=environ.get("REQUEST_METHOD", "GET").upper(),
        path=path,
        query=query,
        headers=headers,
        body=body,
        base_url=f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}",
    )


class EmulatorApp:
    """A SuperOffice-compatible WebAPI over one SQLite file, as a WSGI callable."""

    def __init__(
        self,
        store: Store,
        credentials: Credentials | None,
        faults: FaultConfig,
        accepts: Callable[[str, str], bool] | None = None,
    ) -> None:
        self.store = store
        self.credentials = credentials
        #: Also accepted: credentials the emulated login services issued (``login.py``).
        self.accepts = accepts
        self.faults = faults
        self.stats = RequestStats()

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        request = _request(environ)
        if request.path.lower().startswith("/_emulator/"):
            response = self._authorised(request) or self._control(request)
            return self._send(start_response, response)
        self.stats.begin(request.path)
        try:
            if self.faults.latency_ms > 0:
                time.sleep(self.faults.latency_ms / 1000)
            rule = self.faults.decide(request.path)
            if rule is not None and not rule.after_processing:
                return self._send(start_response, self._fault(rule))
            response = self._authorised(request) or self._dispatch(request)
            if rule is not None:
                return self._send(start_response, self._fault(rule))
            return self._send(start_response, response)
        finally:
            self.stats.end()

    def close(self) -> None:
        self.store.close()

    # --- pieces -------------------------------------------------------------------------------

    def _authorised(self, request: Request) -> Response | None:
        """None when the caller may proceed, else the 401 answer."""
        static = self.credentials if self.credentials and not self.credentials.empty else None
        if static is None and self.accepts is None:
            return None
        authorization = request.headers.get("authorization", "")
        app_token = request.headers.get("so-apptoken", "")
        if static is not None and static.accepts(authorization, app_token):
            return None
        if self.accepts is not None and self.accepts(authorization, app_token):
            return None
        reason = (
            "No credentials were sent."
            if not authorization
            else "The credentials were not accepted."
        )
        return Response(
            401,
            {
                "Error": True,
                "ErrorType": "Unauthorized",
                "ErrorMessage": f"{reason} Send 'Authorization: SOTicket <ticket>' with "
                "'SO-AppToken: <token>', or 'Authorization: Bearer <token>'.",
            },
            headers=(("WWW-Authenticate", 'SOTicket realm="SuperOffice", Bearer'),),
        )

    def _fault(self, rule: FaultRule) -> Response:
        if rule.status == "drop":
            raise DroppedConnection("connection dropped by the emulator's fault injection")
        status = int(rule.status)
        headers: tuple[tuple[str, str], ...] = ()
        if status == 429:
            headers = (("Retry-After", str(rule.retry_after_seconds)),)
        body = {
            "Error": True,
            "ErrorType": _REASONS[status].replace(" ", ""),
            "ErrorMessage": f"Injected fault: {status} {_REASONS[status]}.",
        }
        return Response(status, body, headers=headers)

    def _dispatch(self, request: Request) -> Response:
        allowed: list[str] = []
        for candidate in _ROUTE_INDEX.candidates(request.path):
            match = candidate.match(request.path)
            if match is None:
                continue
            if candidate.method != request.method:
                allowed.append(candidate.method)
                continue
            try:
                with self.store.transaction(write=candidate.writes) as db:
                    return candidate.handler(Call(request, db, match.groupdict()))
            except AgentMessage as message:
                return ok(message.body())
            except HttpError as error:
                return Response(error.status, error.body())
            except (UnicodeEncodeError, OverflowError) as exc:  # lone surrogates, huge numbers
                return Response(400, bad_request(f"A value cannot be stored: {exc}").body())
            except Exception:
                log.exception("emulator handler failed: %s %s", request.method, request.path)
                return Response(
                    500,
                    {
                        "Error": True,
                        "ErrorType": "InternalError",
                        "ErrorMessage": "The emulator failed to handle the request.",
                    },
                )
        if allowed:
            return Response(
                405,
                {
                    "Error": True,
                    "ErrorType": "MethodNotAllowed",
                    "ErrorMessage": f"{request.method} is not allowed on {request.path}.",
                },
                headers=(("Allow", ", ".join(sorted(set(allowed)))),),
            )
        return Response(
            404,
            {
                "Error": True,
                "ErrorType": "NotFound",
                "ErrorMessage": f"No endpoint at {request.path}.{_nearest_endpoint(request.path)}",
            },
        )

    def _control(self, request: Request) -> Response:
        path = request.path.lower().rstrip("/")
        try:
            if path == "/_emulator/faults" and request.method == "POST":
                self.faults.configure(FaultConfig.from_json(request.json()))
                return ok(self.faults.to_json())
            if path == "/_emulator/faults" and request.method == "GET":
                return ok(self.faults.to_json())
            if path == "/_emulator/stats" and request.method == "GET":
                return ok(
                    {
                        "calls_seen": self.faults.calls_seen,
                        "faults_injected": self.faults.faults_injected,
                        **self.stats.to_json(),
                    }
                )
            if path == "/_emulator/erp-side" and request.method == "POST":
                with self.store.transaction(write=True) as db:
                    return ok(erp_side.configure(db, request.json()))
            if path == "/_emulator/stats" and request.method == "DELETE":
                self.faults.reset_counters()
                self.stats.reset()
                return Response(204, has_body=False)
        except FaultSpecError as exc:
            return Response(400, bad_request(str(exc)).body())
        except HttpError as error:
            return Response(error.status, error.body())
        if path in ("/_emulator/faults", "/_emulator/stats", "/_emulator/erp-side"):
            return Response(
                405,
                {
                    "Error": True,
                    "ErrorType": "MethodNotAllowed",
                    "ErrorMessage": f"{request.method} is not allowed on {path}.",
                },
            )
        return Response(
            404,
            {
                "Error": True,
                "ErrorType": "NotFound",
                "ErrorMessage": f"No emulator endpoint at {request.path}.",
            },
        )

    def _send(self, start_response: StartResponse, response: Response) -> list[bytes]:
        headers = list(response.headers)
        payload = b""
        if isinstance(response.body, bytes):  # an image: its Content-Type is in the headers
            payload = response.body
        elif response.has_body:
            payload = json.dumps(response.body, ensure_ascii=False).encode("utf-8")
            headers.append(("Content-Type", "application/json; charset=utf-8"))
        headers.append(("Content-Length", str(len(payload))))
        start_response(f"{response.status} {_REASONS.get(response.status, 'Unknown')}", headers)
        return [payload]


def create_app(
    db_path: str | os.PathLike[str],
    *,
    credentials: Credentials | None = None,
    faults: FaultConfig | None = None,
    accepts: Callable[[str, str], bool] | None = None,
    lazy: bool = False,
) -> EmulatorApp:
    """The emulator over ``db_path`` (created and seeded on first use; survives restarts).

    ``credentials`` None (or empty) accepts every request: the embedded in-process default needs
    no auth. ``faults`` is kept by reference and can be changed at runtime (``app.faults``).
    ``lazy``: a missing file is created only by the first write (see ``Store``).
    """
    faults = faults if faults is not None else FaultConfig()
    store = Store(db_path, lazy=lazy)
    return EmulatorApp(store, credentials, faults, accepts)
