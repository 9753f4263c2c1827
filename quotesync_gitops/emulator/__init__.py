"""A SuperOffice-compatible WebAPI over SQLite, for tests, demos and the embedded default CRM.

A separate room: it imports nothing of quotesync_gitops outside this package and speaks only the
HTTP contract of the documents in ``superoffice-api/`` (see docs/emulator.md).

The names below are imported on first use (PEP 562): the embedded CRM (``app``) does not load
the HTTP server or the emulated Online sign-in (PyJWT, cryptography).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quotesync_gitops.emulator.app import Credentials, EmulatorApp, create_app
    from quotesync_gitops.emulator.faults import (
        DroppedConnection,
        FaultConfig,
        FaultRule,
        FaultSpecError,
    )
    from quotesync_gitops.emulator.server import RunningServer, serve, start_in_thread
    from quotesync_gitops.emulator.store import reset_database

#: public name -> the module of this package that defines it
_WHERE = {
    "Credentials": "app",
    "EmulatorApp": "app",
    "create_app": "app",
    "DroppedConnection": "faults",
    "FaultConfig": "faults",
    "FaultRule": "faults",
    "FaultSpecError": "faults",
    "RunningServer": "server",
    "serve": "server",
    "start_in_thread": "server",
    "reset_database": "store",
}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "Credentials",
    "DroppedConnection",
    "EmulatorApp",
    "FaultConfig",
    "FaultRule",
    "FaultSpecError",
    "RunningServer",
    "create_app",
    "reset_database",
    "serve",
    "start_in_thread",
]
