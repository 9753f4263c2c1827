"""SuperOffice Online's sign-in and tenant services, emulated in front of the WebAPI.

:class:`LoginService` holds what the emulated environment issued and where the tenant is;
:class:`~quotesync_gitops.emulator.login_front.LoginFront` is the WSGI middleware around
:class:`~quotesync_gitops.emulator.app.EmulatorApp` that answers for it, playing the
environment host and the tenant's servers at once:

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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ISSUER = "SuperOffice AS"
SERIAL = "1234567890"
TICKET_CLAIM = "http://schemes.superoffice.net/identity/ticket"
#: How far a signed system user token's time stamp may be from the emulator's clock.
SIGNATURE_WINDOW = 300.0


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
