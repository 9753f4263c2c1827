"""Pieces every command shares: error-to-exit-code mapping and common options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec

import click

from quotesync_gitops.cli.crash import crash_handler, report_error
from quotesync_gitops.errors import ExitCode, QuotesyncError

P = ParamSpec("P")


def exits(func: Callable[P, int]) -> Callable[P, None]:
    """Run a command body that returns an exit code; map QuotesyncError to its code.

    Commands are plain functions returning ``int`` (as in pre-commit); this is the one
    place that turns failures into a message on stderr and a process exit code (anything
    that is not a ``QuotesyncError`` goes to the crash handler, ``cli/crash.py``).
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        with crash_handler():
            try:
                code = func(*args, **kwargs)
            except QuotesyncError as exc:
                code = report_error(exc)
        sys.exit(code)

    return wrapper


@contextmanager
def usage_errors_exit_1() -> Iterator[None]:
    """Give click's usage errors (unknown command or flag, bad value) exit code 1.

    click exits 2 on a usage error, but 2 means "changes" or "drift" to a pipeline: a
    mistyped flag must not read as drift (README "Exit codes").
    """
    try:
        yield
    except _UsageError:
        raise
    except click.UsageError as exc:
        raise _UsageError(exc.format_message(), exc.ctx) from exc


class _UsageError(click.UsageError):
    exit_code = ExitCode.ERROR


class UsageExits1Command(click.Command):
    """A command whose usage errors exit 1, also when it is run on its own (tests)."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        with usage_errors_exit_1():
            return super().make_context(info_name, args, parent, **extra)


class UsageExits1Group(UsageExits1Command, click.Group):
    """The root group: every usage error below it, its own and its commands', exits 1.

    Global flags and the command name are parsed in ``make_context``; a subcommand's own
    options (and its nested groups) are parsed inside ``invoke``.
    """

    def invoke(self, ctx: click.Context) -> Any:
        # The crash handler here too: a command that fails to import, say, is outside
        # any command body.
        with usage_errors_exit_1(), crash_handler():
            return super().invoke(ctx)
