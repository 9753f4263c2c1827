"""The one error tree the CLI maps to exit codes.

Every failure the user should see as a clean message (not a traceback) is a
``QuotesyncError``. The CLI layer catches it in one place and exits with
``exit_code``. Library errors are wrapped with ``raise ... from e``.
"""

from __future__ import annotations

# Exit codes: the contract with pipelines (README "Exit codes").
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_STALE = 3
EXIT_BLOCKED = 4


class QuotesyncError(Exception):
    """Base of every user-facing failure."""

    exit_code = EXIT_ERROR


class ManifestError(QuotesyncError):
    """Manifests could not be loaded or are invalid (details in diagnostics)."""


class StalePlanError(QuotesyncError):
    """A saved plan no longer matches the live CRM."""

    exit_code = EXIT_STALE


class GuardError(QuotesyncError):
    """A safety guard blocked the plan."""

    exit_code = EXIT_BLOCKED
