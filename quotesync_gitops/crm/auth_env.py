"""Which sign-in mode the environment variables ask for, and the auth object for it.

One mode per run; each has a variable that selects it:

==========================  =====================================================  ========
mode                        variables                                              where
==========================  =====================================================  ========
system user (unattended)    QUOTESYNC_SYSTEM_USER_TOKEN, QUOTESYNC_PRIVATE_KEY     Online
                            (or QUOTESYNC_PRIVATE_KEY_FILE), QUOTESYNC_CLIENT_SECRET
OAuth refresh token         QUOTESYNC_REFRESH_TOKEN, QUOTESYNC_CLIENT_ID,          Online
                            QUOTESYNC_CLIENT_SECRET (QUOTESYNC_REDIRECT_URI
                            when the registration wants it sent)
ticket                      QUOTESYNC_TICKET, QUOTESYNC_APP_TOKEN                  both
Bearer access token         QUOTESYNC_ACCESS_TOKEN                                 Online
Basic                       QUOTESYNC_USERNAME, QUOTESYNC_PASSWORD                 onsite
==========================  =====================================================  ========

Messages name variables, never their values.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from quotesync_gitops.crm.auth import BasicAuth, RefreshTokenAuth, SystemUserAuth
from quotesync_gitops.crm.auth_login import LoginEndpoint
from quotesync_gitops.crm.errors import CrmConfigError
from quotesync_gitops.crm.transport import (
    ENV_ACCESS_TOKEN,
    ENV_APP_TOKEN,
    ENV_TICKET,
    CrmAuth,
    auth_from_env,
)

ENV_SYSTEM_USER_TOKEN = "QUOTESYNC_SYSTEM_USER_TOKEN"
ENV_PRIVATE_KEY = "QUOTESYNC_PRIVATE_KEY"
ENV_PRIVATE_KEY_FILE = "QUOTESYNC_PRIVATE_KEY_FILE"
ENV_CLIENT_SECRET = "QUOTESYNC_CLIENT_SECRET"
ENV_CLIENT_ID = "QUOTESYNC_CLIENT_ID"
ENV_REFRESH_TOKEN = "QUOTESYNC_REFRESH_TOKEN"
ENV_REDIRECT_URI = "QUOTESYNC_REDIRECT_URI"
ENV_USERNAME = "QUOTESYNC_USERNAME"
ENV_PASSWORD = "QUOTESYNC_PASSWORD"

#: Every variable that holds a credential (a manifest may not route one into a connector).
CREDENTIAL_VARIABLES = frozenset(
    {
        ENV_TICKET,
        ENV_APP_TOKEN,
        ENV_ACCESS_TOKEN,
        ENV_SYSTEM_USER_TOKEN,
        ENV_PRIVATE_KEY,
        ENV_PRIVATE_KEY_FILE,
        ENV_CLIENT_SECRET,
        ENV_CLIENT_ID,
        ENV_REFRESH_TOKEN,
        ENV_USERNAME,
        ENV_PASSWORD,
    }
)

#: The variable that selects each mode.
_MODES = {
    "system user": ENV_SYSTEM_USER_TOKEN,
    "refresh token": ENV_REFRESH_TOKEN,
    "ticket": ENV_TICKET,
    "Bearer": ENV_ACCESS_TOKEN,
    "Basic": ENV_USERNAME,
}
ONLINE_ONLY = frozenset({"system user", "refresh token"})

CREDENTIALS_HINT = (
    f"set {ENV_SYSTEM_USER_TOKEN} + {ENV_PRIVATE_KEY} + {ENV_CLIENT_SECRET} (system user), "
    f"{ENV_REFRESH_TOKEN} + {ENV_CLIENT_ID} + {ENV_CLIENT_SECRET} (OAuth refresh token), "
    f"{ENV_TICKET} + {ENV_APP_TOKEN} (SOTicket), {ENV_ACCESS_TOKEN} (Bearer), or "
    f"{ENV_USERNAME} + {ENV_PASSWORD} (Basic, onsite)"
)


def sign_in_mode(env: Mapping[str, str]) -> str | None:
    """The mode the variables select, None when none is set; two at once is an error."""
    chosen = [mode for mode, name in _MODES.items() if env.get(name, "")]
    if env.get(ENV_PASSWORD, "") and "Basic" not in chosen:
        chosen.append("Basic")
    if len(chosen) > 1:
        names = " and ".join(_MODES[mode] for mode in chosen)
        raise CrmConfigError(f"set one sign-in mode, not several: {names} are both set")
    return chosen[0] if chosen else None


def _need(env: Mapping[str, str], mode: str, *names: str) -> list[str]:
    missing = [name for name in names if not env.get(name, "")]
    if missing:
        raise CrmConfigError(
            f"{mode} sign-in needs {' and '.join(missing)}: it is not set"
            if len(missing) == 1
            else f"{mode} sign-in needs {' and '.join(missing)}: they are not set"
        )
    return [env[name] for name in names]


def _private_key_text(env: Mapping[str, str]) -> tuple[str, str]:
    text, path = env.get(ENV_PRIVATE_KEY, ""), env.get(ENV_PRIVATE_KEY_FILE, "")
    if text and path:
        raise CrmConfigError(f"set {ENV_PRIVATE_KEY} or {ENV_PRIVATE_KEY_FILE}, not both")
    if text:
        return text, ENV_PRIVATE_KEY
    if not path:
        raise CrmConfigError(
            f"system user sign-in needs the app's RSA private key: set {ENV_PRIVATE_KEY} "
            f"(PEM or RSA XML) or {ENV_PRIVATE_KEY_FILE}"
        )
    try:
        return Path(path).expanduser().read_text(encoding="utf-8"), ENV_PRIVATE_KEY_FILE
    except (OSError, UnicodeDecodeError) as exc:
        raise CrmConfigError(
            f"cannot read the private key file named by {ENV_PRIVATE_KEY_FILE}: "
            f"{type(exc).__name__}"
        ) from None


def auth_for_env(
    env: Mapping[str, str],
    *,
    login: LoginEndpoint | None = None,
    context_id: str | None = None,
) -> CrmAuth | None:
    """The auth object the variables ask for, or None when none are set.

    ``login``/``context_id`` are there when ``--crm`` names an Online tenant; the system user
    and refresh-token modes need them, Basic refuses them (it is for onsite installations).
    """
    mode = sign_in_mode(env)
    if mode in ONLINE_ONLY and (login is None or context_id is None):
        raise CrmConfigError(
            f"{mode} sign-in is for SuperOffice Online: name the tenant with "
            "--crm <environment>:<ContextIdentifier> (e.g. online:Cust12345)"
        )
    if mode == "system user":
        assert login is not None and context_id is not None
        token, secret = _need(env, "system user", ENV_SYSTEM_USER_TOKEN, ENV_CLIENT_SECRET)
        text, source = _private_key_text(env)
        from quotesync_gitops.crm.auth_tokens import load_private_key  # cryptography: only here

        return SystemUserAuth(
            login,
            system_user_token=token,
            private_key=load_private_key(text, source=source),
            client_secret=secret,
            context_id=context_id,
        )
    if mode == "refresh token":
        assert login is not None
        refresh, client_id, secret = _need(
            env, "refresh token", ENV_REFRESH_TOKEN, ENV_CLIENT_ID, ENV_CLIENT_SECRET
        )
        return RefreshTokenAuth(
            login,
            refresh_token=refresh,
            client_id=client_id,
            client_secret=secret,
            redirect_uri=env.get(ENV_REDIRECT_URI, ""),
        )
    if mode == "Basic":
        if login is not None:
            raise CrmConfigError(
                "Basic sign-in is for onsite installations (--crm https://<your server>/<site>); "
                "SuperOffice Online tenants use the system user or an OAuth refresh token"
            )
        username, password = _need(env, "Basic", ENV_USERNAME, ENV_PASSWORD)
        return BasicAuth(username, password)
    return auth_from_env(env)
