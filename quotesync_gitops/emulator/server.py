"""Serve the emulator over HTTP: stdlib ``wsgiref`` with a thread per request.

A dropped-connection fault closes the socket without writing a byte, so an HTTP client sees the
server disconnect exactly as it would on a real network failure.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from quotesync_gitops.emulator.app import Credentials, EmulatorApp, create_app
from quotesync_gitops.emulator.faults import DroppedConnection, FaultConfig
from quotesync_gitops.emulator.login import LoginService, LoginSettings
from quotesync_gitops.emulator.login_front import LoginFront, WsgiApp


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class _Handler(ServerHandler):
    os_environ: dict[str, str] = {}  # noqa: RUF012  (keep the process environment out of requests)

    def handle_error(self) -> None:
        if isinstance(sys.exc_info()[1], DroppedConnection):
            return  # answer nothing; the socket is closed when the request ends
        super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, quiet, using ``_Handler`` so drops stay silent."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _Handler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]


def _make_server(host: str, port: int, app: WsgiApp) -> _ThreadingWSGIServer:
    server = _ThreadingWSGIServer((host, port), _RequestHandler)
    server.set_app(app)
    return server


def _url(server: _ThreadingWSGIServer, host: str) -> str:
    port = server.server_address[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def serve(
    db_path: str | os.PathLike[str],
    host: str,
    port: int,
    credentials: Credentials | None = None,
    faults: FaultConfig | None = None,
    *,
    on_ready: Callable[[str], None] | None = None,
    login: LoginSettings | None = None,
) -> None:
    """Serve until interrupted. ``on_ready(url)`` is called once the socket listens.

    ``login`` puts the emulated Online sign-in and tenant services in front (``login.py``).
    """
    app, front, _ = _build(db_path, credentials, faults, login)
    server = _make_server(host, port, front)
    try:
        if on_ready is not None:
            on_ready(_url(server, host))
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        app.close()


@dataclass
class RunningServer:
    """An emulator serving in a background thread; ``stop()`` (or ``with``) ends it."""

    url: str
    app: EmulatorApp
    _server: _ThreadingWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    #: The emulated Online sign-in services, when started with ``login``.
    login: LoginService | None = None

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=10)
        self._server.server_close()
        self.app.close()

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_in_thread(
    db_path: str | os.PathLike[str],
    host: str = "127.0.0.1",
    port: int = 0,
    credentials: Credentials | None = None,
    faults: FaultConfig | None = None,
    login: LoginSettings | None = None,
) -> RunningServer:
    """Start serving in a daemon thread; port 0 picks a free port (see ``.url``)."""
    app, front, service = _build(db_path, credentials, faults, login)
    server = _make_server(host, port, front)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.01},
        daemon=True,
        name=f"quotesync-emulator-{server.server_address[1]}",
    )
    thread.start()
    return RunningServer(_url(server, host), app, server, thread, service)


def _build(
    db_path: str | os.PathLike[str],
    credentials: Credentials | None,
    faults: FaultConfig | None,
    login: LoginSettings | None,
) -> tuple[EmulatorApp, WsgiApp, LoginService | None]:
    if login is None:
        app = create_app(db_path, credentials=credentials, faults=faults)
        return app, app, None
    service = LoginService(login)
    app = create_app(db_path, credentials=credentials, faults=faults, accepts=service.accepts)
    return app, LoginFront(app, service), service
