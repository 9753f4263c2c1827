"""SuperOffice Online's sign-in and tenant services, emulated in front of the WebAPI.

:class:`LoginFront` is WSGI middleware around :class:`~quotesync_gitops.emulator.app.EmulatorApp`
that plays the environment host and the tenant's servers at once:

* ``POST /Login/api/PartnerSystemUser/Authenticate`` — checks the signed system user token
  against the app's public key (PKCS#1 v1.5, SHA-256, time stamp within 5 minutes), the
  application token and the context id, and answers ``{IsSuccessful, Token, ErrorMessage}``
  with a JWT signed by the emulator's own RSA key (issuer ``SuperOffice AS``, audience
  ``spn:<serial>``, the ticket claim);
* ``GET /login/.well-known/openid-configuration`` and ``/login/.well-known/jwks`` — that key;
* ``POST /login/common/oauth/tokens`` — ``grant_type=refresh_token`` → a Bearer access token;
* ``GET /api/state/{ContextIdentifier}`` — ``{State, Api, ValidUntil, ...}``; the tenant lives
  under ``/<server>/<ContextIdentifier>/api/...`` and :meth:`LoginService.move` moves it to the
  next server, after which the old one answers ``421 Misdirected Request``;
* tickets and tokens that expire (after a lifetime, or after a number of uses), Basic auth, a
  suspended tenant, and restricted agents (``403`` for an agent the app was not granted).

``POST /_emulator/login`` changes the tenant while serving: ``{"move": true}``,
``{"expire": true}``, ``{"state": "Suspended"}``, ``{"restrictedAgents": ["ErpSync"]}``.
Plain ``/api/v1/...`` keeps working too, as without this front.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
StartResponse = Callable[..., Any]

ISSUER = "SuperOffice AS"
SERIAL = "1234567890"
TICKET_CLAIM = "http://schemes.superoffice.net/identity/ticket"
#: How far a signed system user token's time stamp may be from the emulator's clock.
SIGNATURE_WINDOW = 300.0

_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
            404: "Not Found", 405: "Method Not Allowed", 421: "Misdirected Request",
            503: "Service Unavailable"}  # fmt: skip


@dataclass(frozen=True)
class LoginSettings:
    """The emulated app registration and tenant. Unset credentials disable their mode."""

    context_id: str = "Cust12345"
    #: The app's client secret: ``ApplicationToken``, ``SO-AppToken``, OAuth ``client_secret``.
    client_secret: str | None = None
    client_id: str | None = None
    system_user_token: str | None = None
    #: The app's public key (PEM), registered with SuperOffice, that checks signed tokens.
    app_public_key_pem: str | None = None
    refresh_token: str | None = None
    basic_user: str | None = None
    basic_password: str | None = None
    ticket_lifetime: float = 6 * 3600.0
    access_token_lifetime: float = 3600.0
    #: A ticket or token stops working after this many accepted requests (None: never).
    max_uses: int | None = None
    #: Seconds an ``/api/state`` answer says it is valid for.
    state_validity: float = 3600.0
    state: str = "Running"
    #: Move the tenant to the next server after every this many WebAPI requests (None: never).
    move_every: int | None = None
    restricted_agents: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_json(cls, data: Any) -> LoginSettings:
        if not isinstance(data, dict):
            raise ValueError("login settings must be a JSON object")
        known = {name for name in cls.__dataclass_fields__}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown login settings: {', '.join(unknown)}")
        values = dict(data)
        if "restricted_agents" in values:
            values["restricted_agents"] = frozenset(values["restricted_agents"])
        return cls(**values)


@dataclass
class _Issued:
    expires: float
    uses_left: int | None


class LoginService:
    """What the emulated environment has issued, and the tenant's place and state."""

    def __init__(self, settings: LoginSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self._credentials: dict[str, _Issued] = {}
        self._history: list[str] = []
        self.server = 1
        self.state = settings.state
        self.restricted = set(settings.restricted_agents)
        #: Counters for tests: sign-ins by kind, 421 answers, state look-ups.
        self.counts: dict[str, int] = {
            "system_user": 0,
            "refresh": 0,
            "misdirected": 0,
            "state": 0,
            "refused": 0,
        }

    # --- control ---------------------------------------------------------------------------
    def move(self) -> None:
        """Move the tenant to the next server; the old one answers 421 from now on."""
        with self._lock:
            self.server += 1

    def count_request(self) -> None:
        """One WebAPI request arrived; with ``move_every`` the tenant moves now and then."""
        with self._lock:
            self.counts["requests"] = self.counts.get("requests", 0) + 1
            every = self.settings.move_every
            if every and self.counts["requests"] % every == 0:
                self.server += 1

    def expire_all(self) -> None:
        """Every ticket and access token issued so far stops working (as after 6 hours)."""
        with self._lock:
            self._credentials.clear()

    def control(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ValueError("send a JSON object")
        if body.get("move"):
            self.move()
        if body.get("expire"):
            self.expire_all()
        if "state" in body:
            self.state = str(body["state"])
        if "restrictedAgents" in body:
            self.restricted = {str(a) for a in body["restrictedAgents"]}
        return {
            "server": self.server,
            "state": self.state,
            "restrictedAgents": sorted(self.restricted),
        }

    # --- checks the WebAPI asks for ----------------------------------------------------------
    def accepts(self, authorization: str, app_token: str) -> bool:
        """Whether the WebAPI should accept these credentials (``EmulatorApp`` asks)."""
        scheme, _, value = authorization.strip().partition(" ")
        value, kind = value.strip(), scheme.lower()
        if kind == "basic":
            return self._basic_ok(value)
        if kind == "soticket":
            secret = self.settings.client_secret or ""
            if not hmac.compare_digest(app_token.strip().encode(), secret.encode()):
                return False
        elif kind != "bearer":
            return False
        with self._lock:
            issued = self._credentials.get(f"{kind}:{value}")
            if issued is None or self._clock() >= issued.expires:
                return False
            if issued.uses_left is not None:
                if issued.uses_left <= 0:
                    return False
                issued.uses_left -= 1
            return True

    def _basic_ok(self, value: str) -> bool:
        user, password = self.settings.basic_user, self.settings.basic_password
        if not user or not password:
            return False
        try:
            given = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            return False
        return hmac.compare_digest(given, f"{user}:{password}".encode())

    def _issue(self, kind: str, lifetime: float) -> str:
        prefix = "7T:" if kind == "soticket" else f"8A:{self.settings.context_id}."
        value = prefix + secrets.token_urlsafe(24)
        with self._lock:
            self._credentials[f"{kind}:{value}"] = _Issued(
                self._clock() + lifetime, self.settings.max_uses
            )
            self._history.append(value)
        return value

    def issued(self) -> list[str]:
        """Every ticket and access token issued so far (tests search outputs for them)."""
        with self._lock:
            return list(self._history)

    # --- the endpoints ---------------------------------------------------------------------
    def authenticate(self, body: Any, base_url: str) -> dict[str, Any]:
        def refused(reason: str) -> dict[str, Any]:
            self.counts["refused"] += 1
            return {"IsSuccessful": False, "Token": None, "ErrorMessage": reason}

        s = self.settings
        if not (s.system_user_token and s.app_public_key_pem and s.client_secret):
            return refused("System user sign-in is not configured for this application.")
        if not isinstance(body, dict):
            return refused("The request must be a JSON object.")
        fields = {str(k).lower(): v for k, v in body.items()}
        signed = fields.get("signedsystemtoken")
        if not isinstance(signed, str) or signed.count(".") < 2:
            return refused("SignedSystemToken is missing or malformed.")
        if not hmac.compare_digest(
            str(fields.get("applicationtoken", "")).encode(), s.client_secret.encode()
        ):
            return refused("The application token is not valid.")
        if str(fields.get("contextidentifier", "")).lower() != s.context_id.lower():
            return refused("The application is not installed in that tenant.")
        token, stamp, signature = signed.rsplit(".", 2)
        if not hmac.compare_digest(token.encode(), s.system_user_token.encode()):
            return refused("The system user token is not valid.")
        if not self._signature_ok(f"{token}.{stamp}", signature, stamp):
            return refused("The signature of the system user token is not valid.")
        self.counts["system_user"] += 1
        ticket = self._issue("soticket", s.ticket_lifetime)
        now = int(self._clock())
        claims = {
            "iss": ISSUER,
            "aud": f"spn:{SERIAL}",
            "iat": now,
            "nbf": now,
            "exp": now + 600,
            "sub": "system user",
            TICKET_CLAIM: ticket,
            "http://schemes.superoffice.net/identity/serial": SERIAL,
            "http://schemes.superoffice.net/identity/ctx": s.context_id,
            "http://schemes.superoffice.net/identity/webapi_url": self.api_url(base_url),
        }
        jwt_token = jwt.encode(
            claims, self._signing_key, algorithm="RS256", headers={"kid": self.kid}
        )
        return {"IsSuccessful": True, "Token": jwt_token, "ErrorMessage": ""}

    def _signature_ok(self, payload: str, signature: str, stamp: str) -> bool:
        try:
            moment = datetime.strptime(stamp, "%Y%m%d%H%M").replace(tzinfo=UTC).timestamp()
            raw = base64.b64decode(signature, validate=True)
            public = serialization.load_pem_public_key(
                (self.settings.app_public_key_pem or "").encode()
            )
            if not isinstance(public, rsa.RSAPublicKey):
                return False
            public.verify(raw, payload.encode(), padding.PKCS1v15(), hashes.SHA256())
        except (ValueError, binascii.Error, InvalidSignature):
            return False
        return abs(self._clock() - moment) <= SIGNATURE_WINDOW

    def jwks(self) -> dict[str, Any]:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self._signing_key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        return {"keys": [jwk]}

    def refresh(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        s = self.settings
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        ok = (
            s.refresh_token
            and s.client_id
            and s.client_secret
            and hmac.compare_digest(
                form.get("refresh_token", "").encode(), s.refresh_token.encode()
            )
            and hmac.compare_digest(form.get("client_id", "").encode(), s.client_id.encode())
            and hmac.compare_digest(
                form.get("client_secret", "").encode(), s.client_secret.encode()
            )
        )
        if not ok:
            self.counts["refused"] += 1
            return 400, {"error": "invalid_grant", "error_description": "The grant is not valid."}
        self.counts["refresh"] += 1
        token = self._issue("bearer", s.access_token_lifetime)
        return 200, {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": int(s.access_token_lifetime),
        }

    def api_url(self, base_url: str) -> str:
        return f"{base_url}/srv{self.server}/{self.settings.context_id}/api"

    def tenant_state(self, context_id: str, base_url: str) -> tuple[int, dict[str, Any]]:
        self.counts["state"] += 1
        if context_id.lower() != self.settings.context_id.lower():
            return 404, {"Error": True, "ErrorType": "NotFound", "ErrorMessage": "Unknown tenant."}
        until = datetime.fromtimestamp(self._clock() + self.settings.state_validity, UTC)
        return 200, {
            "ContextIdentifier": self.settings.context_id,
            "Endpoint": f"{base_url}/srv{self.server}/{self.settings.context_id}",
            "State": self.state,
            "IsRunning": self.state == "Running",
            "ValidUntil": until.strftime("%Y-%m-%dT%H:%M:%S.%f0Z"),
            "Api": self.api_url(base_url),
        }


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
