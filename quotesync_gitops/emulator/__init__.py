"""A SuperOffice-compatible WebAPI over SQLite, for tests, demos and the embedded default CRM.

A separate room: it imports nothing of quotesync_gitops outside this package and speaks only the
HTTP contract of the documents in ``superoffice-api/`` (see docs/emulator.md).
"""

from __future__ import annotations

from quotesync_gitops.emulator.app import Credentials, EmulatorApp, create_app
from quotesync_gitops.emulator.faults import (
    DroppedConnection,
    FaultConfig,
    FaultRule,
    FaultSpecError,
)
from quotesync_gitops.emulator.server import RunningServer, serve, start_in_thread
from quotesync_gitops.emulator.store import reset_database

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
