"""A hostile CRM: the emulator behind middleware that corrupts the answers to chosen calls.

Everything not targeted passes through to the real emulator, so the CLI gets far enough to
meet the corrupted answer where it would meet it on a real tenant.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.reliability.helpers import WsgiApp

#: An answer: (status line, headers, body chunks).
Answer = tuple[str, list[tuple[str, str]], Iterable[bytes]]
#: Makes the hostile answer from the real one (status, decoded JSON body) and the request.
Corruption = Callable[[str, Any, dict[str, Any]], Answer]


def _json(status: str, body: Any) -> Answer:
    payload = json.dumps(body).encode("utf-8")
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    return status, headers, [payload]


def _raw(status: str, payload: bytes, content_type: str = "application/json") -> Answer:
    return (
        status,
        [("Content-Type", content_type), ("Content-Length", str(len(payload)))],
        [payload],
    )


def deep(change: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Apply ``change`` to every leaf value of a JSON document."""

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return change(value)

    return walk


def mutated(change: Callable[[Any], Any]) -> Corruption:
    """The real answer (status kept) with its JSON body changed; bodiless answers kept."""

    def corrupt(status: str, body: Any, environ: dict[str, Any]) -> Answer:
        if body is None:
            return status, [("Content-Length", "0")], [b""]
        return _json(status, change(body))

    return corrupt


#: Well-formed JSON of the wrong types (what a broken CRM or a proxy may produce).
TYPE_CONFUSIONS: dict[str, Corruption] = {
    "numbers as text": mutated(
        deep(lambda v: "12abc" if isinstance(v, int) and not isinstance(v, bool) else v)
    ),
    "text as numbers": mutated(deep(lambda v: 123 if isinstance(v, str) else v)),
    "text as lists": mutated(deep(lambda v: ["x"] if isinstance(v, str) else v)),
    "booleans as text": mutated(deep(lambda v: "yes" if isinstance(v, bool) else v)),
}


def _huge(status: str, body: Any, environ: dict[str, Any]) -> Answer:
    """33 MiB of JSON text, streamed without a Content-Length (the bound is 32 MiB)."""

    def chunks() -> Iterator[bytes]:
        yield b'{"value": ["'
        block = b"x" * (1 << 20)
        for _ in range(33):
            yield block
        yield b'"]}'

    return "200 OK", [("Content-Type", "application/json")], chunks()


def _echo_with_injection(status: str, body: Any, environ: dict[str, Any]) -> Answer:
    message = "\x1b[2J\x1b[31mPWNED\x1b[0m\r\nerror: all good " + "A" * 100_000
    return _json("400 Bad Request", {"Error": True, "ErrorType": "X", "ErrorMessage": message})


#: Answers that are not what any API document describes.
MALFORMED: dict[str, Corruption] = {
    "HTML page with 200": lambda s, b, e: _raw(
        "200 OK", b"<html><body><h1>Sign in</h1></body></html>", "text/html"
    ),
    "HTML error page with 500": lambda s, b, e: _raw(
        "500 Internal Server Error", b"<html><body>Runtime Error</body></html>", "text/html"
    ),
    "truncated JSON": lambda s, b, e: _raw("200 OK", json.dumps(b).encode()[:-7]),
    "NaN in JSON": lambda s, b, e: _raw("200 OK", b'{"value": [NaN], "IsRunning": NaN}'),
    "deeply nested JSON": lambda s, b, e: _raw("200 OK", b"[" * 200_000 + b"]" * 200_000),
    "not UTF-8": lambda s, b, e: _raw("200 OK", b'{"Name": "\xff\xfe\xfa"}'),
    "a bare string": lambda s, b, e: _json("200 OK", "OK"),
    "a list for an object": lambda s, b, e: _json("200 OK", [b]),
    "body longer than declared": lambda s, b, e: (
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", "999999")],
        [b'{"value": []}'],
    ),
    "body over the size bound": _huge,
    "declared size over the bound": lambda s, b, e: (
        "200 OK",
        [("Content-Type", "application/json"), ("Content-Length", str(40 << 20))],
        [b"{}"],
    ),
    "redirect elsewhere": lambda s, b, e: (
        "302 Found",
        [("Location", "http://example.com/steal"), ("Content-Length", "0")],
        [b""],
    ),
    "terminal escapes in a huge message": _echo_with_injection,
}


@dataclass
class Hostile:
    """WSGI middleware: requests whose path contains ``target`` get ``corruption``'s answer."""

    app: WsgiApp
    target: str | None = None
    corruption: Corruption | None = None
    hits: int = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        if (
            self.target is None
            or self.corruption is None
            or self.target.lower() not in path.lower()
        ):
            return self.app(environ, start_response)
        self.hits += 1
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            captured["status"] = status
            captured["headers"] = headers

        raw = b"".join(self.app(environ, keep))
        try:
            body = json.loads(raw) if raw else None
        except ValueError:  # not JSON (a product image): passed on as it is
            start_response(captured["status"], captured["headers"])
            return [raw]
        status, headers, chunks = self.corruption(captured.get("status", "200 OK"), body, environ)
        start_response(status, headers)
        return chunks

    def set(self, target: str | None, corruption: Corruption | None) -> None:
        self.target, self.corruption, self.hits = target, corruption, 0
