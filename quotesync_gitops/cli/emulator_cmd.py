"""`quotesync emulator serve|reset`: run or re-seed the SuperOffice-compatible CRM emulator."""

from __future__ import annotations

import json
import signal
import sqlite3
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any, TypeVar

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.crm.transport import is_loopback
from quotesync_gitops.emulator import (
    Credentials,
    FaultConfig,
    FaultRule,
    FaultSpecError,
    reset_database,
    serve,
)
from quotesync_gitops.emulator.login import LoginSettings
from quotesync_gitops.errors import ExitCode, QuotesyncError
from quotesync_gitops.target import DEFAULT_TARGET, LOCAL_PREFIX

DEFAULT_DB = DEFAULT_TARGET.removeprefix(LOCAL_PREFIX)
F = TypeVar("F", bound=Callable[..., Any])


def db_option(help_text: str) -> Callable[[F], F]:
    """--db, as serve and reset both take it."""
    return click.option(
        "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(), help=help_text
    )


def _parse_faults(
    ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]
) -> list[FaultRule]:
    rules = []
    for spec in specs:
        try:
            rules.append(FaultRule.parse(spec))
        except FaultSpecError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from exc
    return rules


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.group()
def emulator() -> None:
    """The embedded SuperOffice-compatible CRM."""


@emulator.command("serve")
@db_option("SQLite file of the emulated CRM (created and seeded on first use).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on; 0 picks a free one (the URL is printed first).",
)
@click.option(
    "--ticket",
    envvar="QUOTESYNC_TICKET",
    show_envvar=True,
    help="Require 'Authorization: SOTicket <ticket>'.",
)
@click.option(
    "--app-token",
    envvar="QUOTESYNC_APP_TOKEN",
    show_envvar=True,
    help="Require 'SO-AppToken: <token>' with the ticket.",
)
@click.option(
    "--access-token",
    envvar="QUOTESYNC_ACCESS_TOKEN",
    show_envvar=True,
    help="Accept 'Authorization: Bearer <token>'.",
)
@click.option(
    "--latency-ms",
    default=0,
    show_default=True,
    type=click.IntRange(0, None),
    help="Milliseconds added to every call.",
)
@click.option(
    "--fault",
    "faults",
    multiple=True,
    callback=_parse_faults,
    metavar="SPEC",
    help="Inject a fault (repeatable): STATUS|drop[,rate=R][,calls=N+M]"
    "[,retry-after=S][,path=TEXT][,after]. See docs/emulator.md.",
)
@click.option(
    "--online",
    "online_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="JSON file of an emulated SuperOffice Online registration and tenant: sign-in "
    "services, /api/state, tenant moves, restricted agents. See docs/emulator.md.",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="Seed of the random generator behind rate faults (repeatable runs).",
)
@exits
def serve_command(
    db_path: str,
    host: str,
    port: int,
    ticket: str | None,
    app_token: str | None,
    access_token: str | None,
    latency_ms: int,
    faults: list[FaultRule],
    online_file: str | None,
    seed: int | None,
) -> int:
    """Serve the SuperOffice-compatible WebAPI over HTTP until interrupted."""
    if app_token and not ticket:
        raise QuotesyncError("--app-token needs --ticket (or QUOTESYNC_TICKET)")
    credentials = Credentials(ticket=ticket, app_token=app_token, access_token=access_token)
    login = _online_settings(online_file) if online_file else None
    if credentials.empty and login is None:
        if not is_loopback(host):
            raise QuotesyncError(
                f"refusing to serve without credentials on {host}: give --ticket/--app-token "
                "or --access-token (or their QUOTESYNC_* variables), or listen on 127.0.0.1"
            )
        click.echo("warning: no credentials configured; every request is accepted", err=True)
    fault_config = FaultConfig(latency_ms=latency_ms, rules=faults, seed=seed)

    def ready(url: str) -> None:
        click.echo(f"Serving SuperOffice-compatible WebAPI on {url}")
        sys.stdout.flush()
        click.echo(f"database: {db_path}; press Ctrl+C to stop", err=True)

    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        serve(db_path, host, port, credentials, fault_config, on_ready=ready, login=login)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    except sqlite3.Error as exc:
        raise QuotesyncError(f"cannot open the emulator database {db_path}: {exc}") from exc
    except OSError as exc:
        raise QuotesyncError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc
    finally:
        signal.signal(signal.SIGTERM, previous)
    return ExitCode.OK


def _online_settings(path: str) -> LoginSettings:
    try:
        with open(path, encoding="utf-8") as handle:
            return LoginSettings.from_json(json.load(handle))
    except (OSError, ValueError, TypeError) as exc:
        raise QuotesyncError(f"--online {path}: {exc}") from exc


@emulator.command("reset")
@db_option("SQLite file of the emulated CRM.")
@exits
def reset_command(db_path: str) -> int:
    """Erase the emulated CRM and seed it again as a new tenant."""
    try:
        reset_database(db_path)
    except (OSError, sqlite3.Error) as exc:
        raise QuotesyncError(f"cannot reset {db_path}: {exc}") from exc
    click.echo(f"Reset {db_path}: a new tenant with the demo connectors (see docs/emulator.md).")
    return ExitCode.OK
