"""httpx client for SuperOffice's WebAPI: URLs, auth, retries, error shapes.

The names below are imported on first use (PEP 562), so importing one module of the package
(``quotesync_gitops.crm.errors``, say) does not load httpx, the auth modes or the client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quotesync_gitops.crm.auth import BasicAuth, RefreshTokenAuth, SystemUserAuth
    from quotesync_gitops.crm.auth_env import auth_for_env
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.crm.errors import (
        CrmAuthError,
        CrmConfigError,
        CrmConnectionError,
        CrmError,
        CrmNotFound,
        CrmProtocolError,
        CrmRateLimited,
        CrmRejected,
        CrmServerError,
    )
    from quotesync_gitops.crm.retry import ClientStats, RetryPolicy
    from quotesync_gitops.crm.transport import BearerAuth, CrmAuth, SoTicketAuth, auth_from_env

#: public name -> the module of this package that defines it
_WHERE = {
    "BasicAuth": "auth",
    "RefreshTokenAuth": "auth",
    "SystemUserAuth": "auth",
    "auth_for_env": "auth_env",
    "CrmClient": "client",
    "CrmAuthError": "errors",
    "CrmConfigError": "errors",
    "CrmConnectionError": "errors",
    "CrmError": "errors",
    "CrmNotFound": "errors",
    "CrmProtocolError": "errors",
    "CrmRateLimited": "errors",
    "CrmRejected": "errors",
    "CrmServerError": "errors",
    "ClientStats": "retry",
    "RetryPolicy": "retry",
    "BearerAuth": "transport",
    "CrmAuth": "transport",
    "SoTicketAuth": "transport",
    "auth_from_env": "transport",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BasicAuth",
    "BearerAuth",
    "ClientStats",
    "CrmAuth",
    "CrmAuthError",
    "CrmClient",
    "CrmConfigError",
    "CrmConnectionError",
    "CrmError",
    "CrmNotFound",
    "CrmProtocolError",
    "CrmRateLimited",
    "CrmRejected",
    "CrmServerError",
    "RefreshTokenAuth",
    "RetryPolicy",
    "SoTicketAuth",
    "SystemUserAuth",
    "auth_for_env",
    "auth_from_env",
]
