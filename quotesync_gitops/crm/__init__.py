"""httpx client for SuperOffice's WebAPI: URLs, auth, retries, error shapes."""

from __future__ import annotations

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
