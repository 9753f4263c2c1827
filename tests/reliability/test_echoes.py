"""A CRM that echoes what it was sent, in every encoding a server uses, leaks nothing.

The hostile CRM here answers writes and connection tests with the request (body and
headers) HTML-escaped, URL-encoded, JSON-escaped inside a text body, in base64, as a
JSON object for ``ErrorMessage`` (which must be redacted before it is written back as
text), behind padding so the secret straddles the 500-character cut, cut by the server
itself in the middle of a secret, and inside the texts a successful call carries: a
quote connection test's ``UserExplanation``/``TechExplanation`` and the reasons
``ToggleErpConnectionActive`` gives. Every command's output, plan file, Markdown comment
and JSON must hold none of the canaries, not even a long prefix of one.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, unquote_plus

import pytest
from click.testing import Result

from tests.reliability.helpers import (
    TOKEN,
    WsgiApp,
    copy_examples,
    fast_retries,
    run_cli,
    running_crm,
)

#: Canaries with both quotes, a backslash and a non-ASCII letter: repr() and JSON escape
#: them differently, so text redacted after re-escaping would show them.
ENV_CANARY = "env'can\"ary\\Kq7x2Zé-long-enough"
CANARIES = (ENV_CANARY, TOKEN)


def _views(text: str) -> Iterator[str]:
    """``text`` as written, HTML- and URL-decoded, and every base64-looking run decoded."""
    yield text
    yield html.unescape(text)
    yield unquote_plus(text)
    yield text.replace("\\'", "'").replace("\\\\", "\\")  # what repr() escapes
    for run in re.findall(r"[A-Za-z0-9+/_-]{16,}", text):
        run = run[: len(run) - len(run) % 4 if len(run) % 4 == 1 else len(run)]
        padded = run.replace("+", "-").replace("/", "_") + "=" * (-len(run) % 4)
        with contextlib.suppress(ValueError):
            yield base64.urlsafe_b64decode(padded).decode("utf-8", "replace")


def _leaks(text: str) -> list[str]:
    """Canaries found in ``text`` in any encoding, whole or by their first 12 characters."""
    found = []
    for canary in CANARIES:
        prefixes = {
            form[:12]
            for form in (
                canary,
                json.dumps(canary)[1:-1],
                json.dumps(canary, ensure_ascii=False)[1:-1],
            )
        }
        prefixes.add(canary[13:19])  # a piece from its middle
        if any(p in view for view in _views(text) for p in prefixes):
            found.append(canary)
    return found


def _workspace(root: Path) -> tuple[Path, dict[str, str]]:
    manifests = copy_examples(root)
    env = {"DEMO_ERP_PASSWORD": ENV_CANARY, "DEMO_QUOTE_PASSWORD": ENV_CANARY}
    return manifests, env


Encoder = Callable[[str], str]


def _first_secret(text: str) -> int:
    """Where the first canary starts in an echoed request."""
    found = [i for i in (text.find("env'can"), text.find("crm-token")) if i >= 0]
    return min(found, default=0)


ENCODINGS: dict[str, Encoder] = {
    "HTML-escaped": html.escape,
    "URL-encoded": quote_plus,
    "JSON-escaped": lambda text: json.dumps(text)[1:-1],
    "base64": lambda text: base64.b64encode(text.encode()).decode(),
    "URL-safe base64 after 1 byte": lambda text: base64.urlsafe_b64encode(
        b"x" + text.encode()
    ).decode(),
    # The secret starts inside the 500 characters shown and ends after them.
    "straddling the cut": lambda text: "p" * max(0, 486 - _first_secret(text)) + text,
    # The server cut its own echo in the middle of the secret.
    "cut by the server": lambda text: text[: _first_secret(text) + 16],
}


class Echo:
    """Writes and tests answer with the request echoed; how is chosen per test."""

    def __init__(self, app: WsgiApp, answer: Callable[[str, str], tuple[str, str, bytes]]):
        self.app = app
        self.answer = answer
        self.echoed = 0
        self.last_config = ""  # the last configuration sent, as a connector keeps it

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD"))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        headers = {k: str(v) for k, v in environ.items() if k == "HTTP_AUTHORIZATION"}
        request = f"{json.dumps(headers)} {raw.decode('utf-8', 'replace')}"
        if "Config" in request:
            self.last_config = request
        hostile = any(f"/{w}" in path for w in ("Save", "Test", "Toggle")) or (
            method in ("POST", "PUT") and "/Agents/" not in path
        )
        if not hostile:
            environ["wsgi.input"] = io.BytesIO(raw)
            return self.app(environ, start_response)
        self.echoed += 1
        seen = self.last_config if path.endswith("/ToggleErpConnectionActive") else request
        status, content_type, data = self.answer(path, seen)
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(data)))])
        return [data]


def _run_everything(crm_env: dict[str, str], env: dict[str, str], manifests: Path, out: Path):
    """Plan and apply in every output form. The CLI's retry waits are made tiny: a hostile
    500 is retried exactly as the CLI retries it (same attempts, same calls, same messages),
    but without 0.5-20 s backoffs that made each "in text" case take ~50 s of sleeping."""
    full = {**crm_env, **env}
    m = str(manifests)
    with fast_retries():
        results = _every_command(full, m, out)
    texts = {label: r.output for label, r in results.items()}
    for path in out.glob("*"):
        texts[f"file {path.name}"] = path.read_text(encoding="utf-8")
    return results, texts


def _every_command(full: dict[str, str], m: str, out: Path) -> dict[str, Result]:
    return {
        "plan": run_cli("--debug", "plan", m, "--test-connections", env=full),
        "plan json": run_cli("plan", m, "--test-connections", "--format", "json", env=full),
        "plan out": run_cli(
            "plan",
            m,
            "--test-connections",
            "--out",
            str(out / "plan.json"),
            "--markdown-out",
            str(out / "comment.md"),
            env=full,
        ),
        "apply": run_cli("--debug", "apply", m, "--auto-approve", env=full),
        "apply json": run_cli("apply", m, "--auto-approve", "--format", "json", env=full),
    }


def _error_answer(encode: Encoder, shape: str) -> Callable[[str, str], tuple[str, str, bytes]]:
    def answer(path: str, seen: str) -> tuple[str, str, bytes]:
        echoed = encode(f"Bad request: {seen}")
        if shape == "text":
            return "500 Internal Server Error", "text/html", echoed.encode()
        if shape == "object":
            body = {"Error": True, "ErrorType": "Echo", "ErrorMessage": {"request": seen}}
            return "400 Bad Request", "application/json", json.dumps(body).encode()
        if shape == "agent object":
            body = {"Message": {"sent": seen}, "MessageDetail": [seen]}
            return "200 OK", "application/json", json.dumps(body).encode()
        body = {"Error": True, "ErrorType": "Echo", "ErrorMessage": echoed}
        return "400 Bad Request", "application/json", json.dumps(body).encode()

    return answer


CASES = [
    *[(name, "text") for name in ENCODINGS],
    ("JSON-escaped", "json"),
    ("HTML-escaped", "json"),
    ("base64", "json"),
    ("straddling the cut", "json"),
    ("as sent", "object"),
    ("as sent", "agent object"),
]


@pytest.mark.parametrize(("encoding", "shape"), CASES, ids=[f"{e} in {s}" for e, s in CASES])
def test_echoed_requests_leak_in_no_encoding(tmp_path: Path, encoding: str, shape: str) -> None:
    manifests, env = _workspace(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    encode = ENCODINGS.get(encoding, lambda text: text)
    echo: list[Echo] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        echo.append(Echo(app, _error_answer(encode, shape)))
        return echo[0]

    with running_crm(tmp_path, wrap=wrap) as crm:
        results, texts = _run_everything(crm.env, env, manifests, out)
    assert echo[0].echoed > 2
    assert results["apply"].exit_code == 1, results["apply"].output
    assert "Traceback" not in results["plan json"].output
    leaks = {label: _leaks(text) for label, text in texts.items() if _leaks(text)}
    assert leaks == {}


def _success_texts(encode: Encoder) -> Callable[[str, str], tuple[str, str, bytes]]:
    """Tests pass with explanations echoing the request; toggles refuse, echoing it."""

    def answer(path: str, seen: str) -> tuple[str, str, bytes]:
        if path.endswith("/TestConnectionByConfig"):
            return "200 OK", "application/json", b"true"
        if path.endswith("/TestConnection"):
            body = {
                "IsOk": False,
                "UserExplanation": f"Connected with {encode(seen)}",
                "TechExplanation": f"request was {seen}",
                "Status": seen,
            }
            return "200 OK", "application/json", json.dumps(body).encode()
        if path.endswith("/ToggleErpConnectionActive"):
            reasons = [f"cannot activate with {seen}", encode(seen)]
            return "200 OK", "application/json", json.dumps(reasons).encode()
        body = {"Error": True, "ErrorType": "Echo", "ErrorMessage": "no"}
        return "400 Bad Request", "application/json", json.dumps(body).encode()

    return answer


@pytest.mark.parametrize("encoding", ["JSON-escaped", "HTML-escaped", "base64"])
def test_crm_texts_of_successful_calls_are_redacted(tmp_path: Path, encoding: str) -> None:
    manifests, env = _workspace(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    echo: list[Echo] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        echo.append(Echo(app, _success_texts(ENCODINGS[encoding])))
        return echo[0]

    with running_crm(tmp_path, wrap=wrap) as crm:
        _, texts = _run_everything(crm.env, env, manifests, out)
    shown = "\n".join(texts.values())
    assert "Connected with" in shown  # the explanation was shown, redacted
    leaks = {label: _leaks(text) for label, text in texts.items() if _leaks(text)}
    assert leaks == {}
