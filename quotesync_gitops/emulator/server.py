"""Serve the emulator over HTTP: stdlib ``wsgiref``, HTTP/1.1 keep-alive, a thread per connection.

Real SuperOffice answers HTTP/1.1 and keeps connections open, and so does the emulator: a client
sends request after request over one connection (``Connection: close`` or an HTTP/1.0 request
ends it after the answer). Every answer carries its ``Content-Length``; an answer without one,
an error inside the app, or a request body the app left unread beyond a small limit ends the
connection instead. Request bodies come with a ``Content-Length`` or chunked. ``TCP_NODELAY``
and one buffered write per answer keep small answers from waiting on delayed ACKs.

A dropped-connection fault closes the socket without writing a byte, so an HTTP client sees the
server disconnect exactly as it would on a real network failure.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.headers import Headers
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

from quotesync_gitops.emulator.app import Credentials, EmulatorApp, create_app
from quotesync_gitops.emulator.faults import DroppedConnection, FaultConfig
from quotesync_gitops.emulator.login import LoginService, LoginSettings
from quotesync_gitops.emulator.login_front import LoginFront, WsgiApp

#: How long a kept-alive connection may sit idle before the server closes it (IIS: 120 s).
IDLE_TIMEOUT_S = 120.0
#: An unread request body up to this size is read and dropped to keep the connection; a larger
#: one closes it.
_DRAIN_LIMIT = 1 << 20


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], handler: type[WSGIRequestHandler]) -> None:
        self._open: set[socket.socket] = set()  # before binding: a failed bind closes the server
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def server_close(self) -> None:
        """Stop listening and end the kept-alive connections too (a stopped CRM answers none)."""
        super().server_close()
        with self._open_lock:
            still_open = list(self._open)
        for connection in still_open:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Body(io.RawIOBase):
    """The request body as ``wsgi.input``: at most ``length`` bytes of the connection."""

    def __init__(self, stream: io.BufferedIOBase, length: int) -> None:
        super().__init__()
        self._stream = stream
        self.left = length

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self.left:
            size = self.left
        data = self._stream.read(size) if size else b""
        self.left -= len(data)
        if len(data) < size:
            self.left = 0
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def readline(self, size: int | None = -1) -> bytes:
        limit = self.left if size is None or size < 0 else min(size, self.left)
        data = self._stream.readline(limit) if limit else b""
        self.left -= len(data)
        return data

    def drain(self) -> bool:
        """Read what the app left of the body; False when too much is left to keep going."""
        if self.left > _DRAIN_LIMIT:
            return False
        while self.left:
            if not self.read(min(self.left, 65536)):
                return False
        return True


def _read_chunked(stream: io.BufferedIOBase) -> bytes | None:
    """A chunked request body (RFC 9112 §7.1), trailers skipped; None when malformed."""
    parts: list[bytes] = []
    while True:
        line = stream.readline(1026)
        try:
            size = int(line.split(b";", 1)[0].strip(), 16)
        except ValueError:
            return None
        if size < 0:
            return None
        if size == 0:
            break
        chunk = stream.read(size)
        if len(chunk) < size or stream.readline(3) not in (b"\r\n", b"\n"):
            return None
        parts.append(chunk)
    while True:  # trailer fields, up to the empty line
        line = stream.readline(65537)
        if line in (b"\r\n", b"\n", b""):
            return b"".join(parts)


class _Handler(ServerHandler):
    os_environ: dict[str, str] = {}  # noqa: RUF012  (keep the process environment out of requests)
    #: True once an answer went out whole, with its Content-Length: the connection may go on.
    complete = False
    #: Set by the request handler: the client asked to close, or spoke HTTP/1.0.
    closing = False
    # wsgiref's own state, which its stubs leave out
    headers: Headers | None
    headers_sent: bool
    bytes_sent: int

    def cleanup_headers(self) -> None:
        super().cleanup_headers()
        if self.headers is not None and (self.closing or "Content-Length" not in self.headers):
            self.closing = True
            self.headers["Connection"] = "close"

    def handle_error(self) -> None:
        self.closing = True
        if isinstance(sys.exc_info()[1], DroppedConnection):
            return  # answer nothing; the socket is closed when the request ends
        super().handle_error()

    def close(self) -> None:
        headers = self.headers
        sent = headers is not None and self.headers_sent
        length = headers.get("Content-Length") if headers is not None else None
        self.complete = sent and length is not None and length.strip() == str(self.bytes_sent)
        super().close()


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, quiet, speaking HTTP/1.1 with keep-alive; drops stay silent."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY
    wbufsize = 1 << 16  # status line, headers and a small body leave in one write
    timeout = IDLE_TIMEOUT_S

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        self.close_connection = True
        self._one_request()
        while not self.close_connection:
            self._one_request()

    def _one_request(self) -> None:
        try:
            self.raw_requestline = self.rfile.readline(65537)
        except (TimeoutError, ConnectionError):
            self.close_connection = True
            return
        if not self.raw_requestline:
            self.close_connection = True
            return
        if len(self.raw_requestline) > 65536:
            self.close_connection = True
            self.send_error(414)
            return
        if not self.parse_request():  # answers the error itself, and closes
            self.close_connection = True
            return
        self.wfile.flush()  # a "100 Continue" the client waits for before sending the body
        if self.request_version != "HTTP/1.1":
            self.close_connection = True
        environ = self.get_environ()
        try:
            body = self._body(environ)
        except (TimeoutError, OSError):  # the client went away or stalled mid-body
            self.close_connection = True
            return
        if body is None:
            self.close_connection = True
            self.send_error(400, "Malformed chunked request body")
            return
        handler = _Handler(
            body,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            environ,
            multithread=True,
        )
        handler.http_version = "1.1" if self.request_version == "HTTP/1.1" else "1.0"
        handler.closing = self.close_connection
        handler.request_handler = self  # type: ignore[attr-defined]
        handler.run(self.server.get_app())  # type: ignore[attr-defined]
        try:
            self.wfile.flush()
        except OSError:
            self.close_connection = True
            return
        if handler.closing or not handler.complete:
            self.close_connection = True
            return
        try:
            drained = body.drain() if isinstance(body, _Body) else True
        except (TimeoutError, OSError):
            drained = False
        if not drained:
            self.close_connection = True

    def _body(self, environ: dict[str, Any]) -> io.IOBase | None:
        """``wsgi.input`` for this request: the Content-Length bytes, or the decoded chunks."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = _read_chunked(self.rfile)
            if data is None:
                return None
            environ["CONTENT_LENGTH"] = str(len(data))
            return io.BytesIO(data)
        try:
            length = max(int(environ.get("CONTENT_LENGTH") or 0), 0)
        except ValueError:  # the app reads no body then; what follows cannot be framed
            self.close_connection = True
            length = 0
        return _Body(self.rfile, length)


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
