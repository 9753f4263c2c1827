"""The one error tree the CLI maps to exit codes.

Every failure the user should see as a clean message (not a traceback) is a
``QuotesyncError``. The CLI layer catches it in one place and exits with
``exit_code``. Library errors are wrapped with ``raise ... from e``. Anything else that
escapes a command is a bug: the CLI's crash handler (``cli/crash.py``) reports it as one
line and exits 1.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Exit codes: the contract with pipelines (README "Exit codes")."""

    OK = 0
    #: Invalid manifests, an API failure, a failed connection test, an internal error.
    ERROR = 1
    #: Changes (``plan --detailed-exitcode``) or drift.
    CHANGES = 2
    #: A saved plan no longer matches the CRM or the manifests.
    STALE = 3
    #: A safety guard blocked apply.
    BLOCKED = 4
    #: Ctrl+C (SIGINT): 128 + signal 2, as shells report it.
    INTERRUPTED = 130


class QuotesyncError(Exception):
    """Base of every user-facing failure."""

    exit_code = ExitCode.ERROR


class ManifestError(QuotesyncError):
    """Manifests could not be loaded or are invalid (details in diagnostics)."""


class StalePlanError(QuotesyncError):
    """A saved plan no longer matches the live CRM."""

    exit_code = ExitCode.STALE


class GuardError(QuotesyncError):
    """A safety guard blocked the plan."""

    exit_code = ExitCode.BLOCKED
