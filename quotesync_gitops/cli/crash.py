"""The one crash handler: what the user sees when something escapes a command.

A ``QuotesyncError`` is a known failure with its own message and exit code (``cli/common``).
Anything else is a bug in this tool: one line on stderr,
``quotesync: internal error: <Type>: <message>`` with a hint, and exit 1 — never a raw
traceback, which would bury the message and may quote values. ``--debug`` (or
``QUOTESYNC_DEBUG=1``) prints the traceback too. Both go through the same redaction the
client applies to CRM text (``crm/responses.redact_text``), over every sensitive value the
process has held (``secrets.sensitive_values``) and the credentials in the environment, so
a secret quoted in an exception is ``(sensitive)`` in either.

Ctrl+C is ``interrupted`` and exit 130, as a shell reports SIGINT. Output whose reader went
away (a broken pipe) ends quietly with exit 1.
"""

from __future__ import annotations

import io
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

import click

from quotesync_gitops.errors import ExitCode, QuotesyncError
from quotesync_gitops.secrets import MASK, sensitive_values

ENV_DEBUG = "QUOTESYNC_DEBUG"
HINT = "run again with --debug for the traceback, and report it"
DEBUG_HINT = "the traceback is above; please report it"
#: The shortest value redacted (the client's own bound: hiding every "1" garbles a message).
MIN_REDACTED_CHARS = 3
#: The one line is cut here: an exception may carry a whole response or file.
MAX_MESSAGE_CHARS = 500


def debug_enabled() -> bool:
    """``--debug`` on the root command, or ``QUOTESYNC_DEBUG`` set to a true value."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.find_root().params.get("debug"):
        return True
    value = os.environ.get(ENV_DEBUG, "").strip().lower()
    return value in ("1", "true", "yes", "on")


def redactor(env: Mapping[str, str]) -> Callable[[str], str]:
    """Text with every form of every known sensitive value replaced by ``(sensitive)``."""
    # Imported here: the crash path only, so `quotesync --help` stays light.
    from quotesync_gitops.crm.auth_env import CREDENTIAL_VARIABLES
    from quotesync_gitops.crm.responses import echo_forms, redact_text

    raw = {v for v in sensitive_values() if len(v) >= MIN_REDACTED_CHARS}
    raw |= {
        env[name] for name in CREDENTIAL_VARIABLES if len(env.get(name, "")) >= MIN_REDACTED_CHARS
    }
    forms = sorted({f for v in raw for f in echo_forms(v)} | raw, key=len, reverse=True)
    return lambda text: redact_text(text, forms, raw, MASK)


def crash_line(exc: BaseException, redact: Callable[[str], str], *, debug: bool) -> str:
    """``quotesync: internal error: Type: message (hint)``, one line, redacted, bounded."""
    try:
        text = str(exc)
    except Exception:  # an exception whose own __str__ fails must not crash the handler
        text = "(its message cannot be shown)"
    message = " ".join(redact(text).split())
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[:MAX_MESSAGE_CHARS] + "…"
    what = type(exc).__name__ + (f": {message}" if message else "")
    return f"quotesync: internal error: {what} ({DEBUG_HINT if debug else HINT})"


def _traceback(exc: BaseException, redact: Callable[[str], str]) -> None:
    text = "".join(traceback.format_exception(exc))
    click.echo(redact(text).rstrip("\n"), err=True)


def report_error(exc: QuotesyncError) -> ExitCode:
    """A known failure: its own message (and, with --debug, the redacted traceback)."""
    click.echo(f"error: {exc}", err=True)
    if debug_enabled():
        _traceback(exc, redactor(os.environ))
    return exc.exit_code


def report_crash(exc: BaseException) -> ExitCode:
    """Tell the user about an unexpected exception (on stderr); the exit code to use."""
    debug = debug_enabled()
    redact = redactor(os.environ)
    if debug:
        _traceback(exc, redact)
    click.echo(crash_line(exc, redact, debug=debug), err=True)
    return ExitCode.ERROR


def report_interrupt() -> ExitCode:
    click.echo("interrupted", err=True)
    return ExitCode.INTERRUPTED


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass  # not a real file (click's test runner): nothing will flush it


@contextmanager
def crash_handler() -> Iterator[None]:
    """Turn a crash or Ctrl+C inside the block into its message and exit code.

    click's own exceptions (usage errors, ``Exit``, ``Abort``) and ``SystemExit`` pass
    through: they are how click and the commands end on purpose.
    """
    try:
        yield
    except (click.ClickException, click.exceptions.Exit, click.Abort):
        raise
    except KeyboardInterrupt:
        sys.exit(report_interrupt())
    except BrokenPipeError:
        # Whoever read the output went away (`quotesync plan | head`): not a bug, and
        # nothing to say; as Python's documentation advises, exit 1 without a traceback.
        _quiet_stdout()
        sys.exit(ExitCode.ERROR)
    except Exception as exc:  # the handler of last resort
        sys.exit(report_crash(exc))
