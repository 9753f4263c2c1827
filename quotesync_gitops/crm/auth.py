"""Sign-in modes that renew themselves: system user, OAuth refresh token; and onsite Basic.

All of them are :class:`CrmAuth` objects (``transport.py``), so they plug into the one place
httpx attaches credentials, keep the plain-http guard, and never show a credential.

* :class:`SystemUserAuth` — SuperOffice Online's unattended flow. Sign
  ``<system user token>.<yyyyMMddHHmm UTC>`` with the app's RSA key (PKCS#1 v1.5, SHA-256),
  exchange it at ``/Login/api/PartnerSystemUser/Authenticate`` for a JWT, verify the JWT (RS256)
  against the environment's published keys (issuer ``SuperOffice AS``, audience
  ``spn:<serial>``), and use its ticket claim as ``SOTicket`` with ``SO-AppToken``.
* :class:`RefreshTokenAuth` — ``grant_type=refresh_token`` at ``/login/common/oauth/tokens`` for
  a Bearer token, refreshed shortly before ``expires_in`` runs out.
* :class:`BasicAuth` — onsite installations; https only (loopback excepted), like every mode.

The renewing modes keep the ticket or token in memory only, obtain it on the first request,
and on a 401 obtain a new one and resend that request once. Concurrent requests that meet the
same 401 share one renewal. Each new credential is handed to the client's redaction list
before it is used, so no error text can show it.

The cryptography is in ``auth_tokens.py`` (``cryptography`` and ``PyJWT``, not hand-rolled).
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx

from quotesync_gitops.crm.auth_login import LoginEndpoint
from quotesync_gitops.crm.errors import CrmAuthError, CrmConfigError, CrmProtocolError
from quotesync_gitops.crm.transport import CrmAuth, ensure_safe_url

if TYPE_CHECKING:  # cryptography and PyJWT (~50 ms) load only when a system user signs in
    from cryptography.hazmat.primitives.asymmetric import rsa

AUTHENTICATE_PATH = "/Login/api/PartnerSystemUser/Authenticate"
OPENID_CONFIGURATION_PATH = "/login/.well-known/openid-configuration"
TOKENS_PATH = "/login/common/oauth/tokens"
#: Refresh a Bearer token this many seconds before SuperOffice says it expires.
REFRESH_MARGIN = 60.0

Clock = Callable[[], float]
Redactor = Callable[[Iterable[str]], None]


# --- renewing credentials --------------------------------------------------------------


class RenewingAuth(CrmAuth):
    """A credential obtained on first use, renewed when it expires or a 401 says so."""

    def __init__(self, clock: Clock = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._current: str | None = None
        self._expires_at: float | None = None
        self._redactors: list[Redactor] = []
        #: How many credentials were obtained (1 + renewals); for tests and figures.
        self.obtained = 0

    # subclasses -------------------------------------------------------------------------
    def _obtain(self) -> tuple[str, float | None]:
        """A new credential and when it expires (None: only a 401 tells)."""
        raise NotImplementedError

    def _headers_for(self, credential: str) -> Mapping[str, str]:
        raise NotImplementedError

    def _static_secrets(self) -> tuple[str, ...]:
        raise NotImplementedError

    # CrmAuth ----------------------------------------------------------------------------
    def secret_values(self) -> tuple[str, ...]:
        current = self._current
        return self._static_secrets() + ((current,) if current else ())

    def _redact(self, text: str) -> str:
        for secret in sorted(self.secret_values(), key=len, reverse=True):
            if secret:
                text = text.replace(secret, "(sensitive)")
        return text

    def bind_redaction(self, hide: Redactor) -> None:
        self._redactors.append(hide)
        hide(self.secret_values())

    def _headers(self) -> Mapping[str, str]:
        return self._headers_for(self._credential())

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        ensure_safe_url(request.url)
        used = self._credential()
        request.headers.update(self._headers_for(used))
        response = yield request
        if response.status_code == 401:
            request.headers.update(self._headers_for(self._renew(used)))
            yield request

    # the credential ---------------------------------------------------------------------
    def _credential(self) -> str:
        with self._lock:
            current, expires = self._current, self._expires_at
            if current is not None and (expires is None or self._clock() < expires):
                return current
            return self._replace()

    def _renew(self, stale: str) -> str:
        """A new credential unless another request renewed ``stale`` meanwhile."""
        with self._lock:
            if self._current is not None and self._current != stale:
                return self._current
            return self._replace()

    def _replace(self) -> str:
        credential, expires = self._obtain()
        for hide in self._redactors:
            hide((credential,))
        self._current, self._expires_at = credential, expires
        self.obtained += 1
        return credential


class SystemUserAuth(RenewingAuth):
    """``SOTicket`` + ``SO-AppToken`` from SuperOffice Online's system user flow."""

    scheme = "SOTicket (system user)"

    def __init__(
        self,
        login: LoginEndpoint,
        *,
        system_user_token: str,
        private_key: rsa.RSAPrivateKey,
        client_secret: str,
        context_id: str,
        clock: Clock = time.time,
    ) -> None:
        super().__init__(clock)
        self._login = login
        login.redact = self._redact
        self._system_user_token = system_user_token
        self._key = private_key
        self._client_secret = client_secret
        self._context_id = context_id
        self._jwks: Any = None
        self._signed: tuple[str, ...] = ()

    def _static_secrets(self) -> tuple[str, ...]:
        return (self._system_user_token, self._client_secret, *self._signed)

    def _headers_for(self, credential: str) -> Mapping[str, str]:
        return {"Authorization": f"SOTicket {credential}", "SO-AppToken": self._client_secret}

    def _obtain(self) -> tuple[str, float | None]:
        from quotesync_gitops.crm.auth_tokens import sign_system_token, ticket_from_jwt

        signed = sign_system_token(
            self._system_user_token, self._key, datetime.fromtimestamp(self._clock(), UTC)
        )
        self._signed = (signed, signed.rsplit(".", 1)[-1])
        for hide in self._redactors:
            hide(self._signed)
        answer = self._login.post_json(
            AUTHENTICATE_PATH,
            {
                "SignedSystemToken": signed,
                "ApplicationToken": self._client_secret,
                "ContextIdentifier": self._context_id,
                "ReturnTokenType": "JWT",
            },
            operation="PartnerSystemUser/Authenticate",
        )
        token = _authenticate_result(answer, self._redact)
        try:
            ticket = ticket_from_jwt(token, self._keys(), context_id=self._context_id)
        except CrmAuthError:
            # Keys may have rotated since they were fetched: fetch them once more.
            self._jwks = None
            ticket = ticket_from_jwt(token, self._keys(), context_id=self._context_id)
        return ticket, None

    def _keys(self) -> Any:
        if self._jwks is None:
            config = self._login.get_json(
                OPENID_CONFIGURATION_PATH, operation="GET openid-configuration"
            )
            uri = config.get("jwks_uri") if isinstance(config, dict) else None
            if not isinstance(uri, str) or not uri:
                raise CrmProtocolError(
                    "the environment's openid-configuration names no jwks_uri",
                    operation="GET openid-configuration",
                )
            self._jwks = self._login.get_absolute(uri, operation="GET jwks")
        return self._jwks


def _authenticate_result(answer: Any, redact: Callable[[str], str]) -> str:
    operation = "PartnerSystemUser/Authenticate"
    if not isinstance(answer, dict):
        raise CrmProtocolError("the sign-in answer is not an object", operation=operation)
    if answer.get("IsSuccessful") is not True:
        message = answer.get("ErrorMessage")
        shown = redact(str(message))[:300] if message else "no reason given"
        raise CrmAuthError(
            f"system user sign-in refused: {shown} (check QUOTESYNC_SYSTEM_USER_TOKEN, "
            "QUOTESYNC_PRIVATE_KEY and QUOTESYNC_CLIENT_SECRET, and that the app is "
            "installed in this tenant)",
            operation=operation,
        )
    token = answer.get("Token")
    if not isinstance(token, str) or not token:
        raise CrmProtocolError("the sign-in answer carries no Token", operation=operation)
    return token


class RefreshTokenAuth(RenewingAuth):
    """``Bearer`` access tokens from an OAuth refresh token (SuperOffice Online)."""

    scheme = "Bearer (refresh token)"

    def __init__(
        self,
        login: LoginEndpoint,
        *,
        refresh_token: str,
        client_id: str,
        client_secret: str,
        redirect_uri: str = "",
        clock: Clock = time.time,
    ) -> None:
        super().__init__(clock)
        self._login = login
        login.redact = self._redact
        self._redirect_uri = redirect_uri
        self._refresh_token = refresh_token
        self._client_id = client_id
        self._client_secret = client_secret

    def _static_secrets(self) -> tuple[str, ...]:
        return (self._refresh_token, self._client_secret)

    def _headers_for(self, credential: str) -> Mapping[str, str]:
        return {"Authorization": f"Bearer {credential}"}

    def _obtain(self) -> tuple[str, float | None]:
        operation = "oauth/tokens (refresh_token)"
        form = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "refresh_token": self._refresh_token,
        }
        if self._redirect_uri:  # as registered, for apps whose registration wants it sent
            form["redirect_uri"] = self._redirect_uri
        answer = self._login.post_form(TOKENS_PATH, form, operation=operation)
        if not isinstance(answer, dict):
            raise CrmProtocolError("the token answer is not an object", operation=operation)
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            raise CrmProtocolError("the token answer carries no access_token", operation=operation)
        rotated = answer.get("refresh_token")
        if isinstance(rotated, str) and rotated:
            for hide in self._redactors:
                hide((rotated,))
            self._refresh_token = rotated
        lifetime = answer.get("expires_in")
        try:
            seconds = float(lifetime) if lifetime is not None else 3600.0
        except (TypeError, ValueError):
            seconds = 3600.0
        return token, self._clock() + max(seconds - REFRESH_MARGIN, seconds / 2)


class BasicAuth(CrmAuth):
    """``Authorization: Basic`` (onsite installations only)."""

    scheme = "Basic"

    def __init__(self, username: str, password: str) -> None:
        if not username or not password:
            raise CrmConfigError("Basic authentication needs both a user name and a password")
        self._username = username
        self._password = password
        pair = f"{username}:{password}".encode()
        self._encoded = base64.b64encode(pair).decode("ascii")

    def _headers(self) -> Mapping[str, str]:
        return {"Authorization": f"Basic {self._encoded}"}

    def secret_values(self) -> tuple[str, ...]:
        return (self._password, self._encoded)
