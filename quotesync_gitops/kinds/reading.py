"""Small pieces the readers share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected

#: The name live singletons (SyncSettings, ProductFieldSettings) carry.
SINGLETON_NAME = "default"


def only_agent_refusals(exc: CrmRejected | CrmNotFound) -> None:
    """An agent's own answer (null or a Message, HTTP 200) means "not offered here"; an HTTP
    error (400, 403...) is a real failure and must not be read as an empty result."""
    if exc.status not in (None, 200):
        raise exc


def bind(func: Callable[[int], Any], arg: int) -> Callable[[], Any]:
    return lambda: func(arg)
