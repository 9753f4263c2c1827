"""Pieces every command shares: error-to-exit-code mapping and common options."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec

import click

from quotesync_gitops.errors import EXIT_ERROR, QuotesyncError

P = ParamSpec("P")


def exits(func: Callable[P, int]) -> Callable[P, None]:
    """Run a command body that returns an exit code; map QuotesyncError to its code.

    Commands are plain functions returning ``int`` (as in pre-commit); this is the one
    place that turns failures into a message on stderr and a process exit code.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            code = func(*args, **kwargs)
        except QuotesyncError as exc:
            click.echo(f"error: {exc}", err=True)
            ctx = click.get_current_context(silent=True)
            if ctx is not None and ctx.find_root().params.get("debug"):
                import traceback

                traceback.print_exc(file=sys.stderr)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(EXIT_ERROR)
        sys.exit(code)

    return wrapper
