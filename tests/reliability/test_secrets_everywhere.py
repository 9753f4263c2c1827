"""Canary secrets are never in anything any command writes, on error paths above all.

Three canaries travel three ways: through ``${env:}`` (Password fields and a Text field),
written literally into a Password field of a manifest, and through ``${file:}``. The CRM's
own credential (a Bearer token) is a fourth. Every command runs against the emulator served
on 127.0.0.1: validate, plan, show, apply (also of a saved, stale plan), drift and export, in
every format, with ``--debug``, with logging at DEBUG, with credentials the CRM refuses, and
against a hostile CRM that echoes each request (body and headers) in its error answers. The
canaries are wrong credentials, so connection tests fail and apply takes its error paths.
``tests/e2e/test_secrets.py`` covers the happy path with a valid password.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.helpers import (
    TOKEN,
    Crm,
    WsgiApp,
    copy_examples,
    fast_retries,
    run_cli,
    running_crm,
)

ENV_CANARY = "envcanary-Kq7x2Z"
LITERAL_CANARY = "litcanary-Wp3m8R"
FILE_CANARY = "filecanary-Jd5t1N"
CANARIES = (ENV_CANARY, LITERAL_CANARY, FILE_CANARY, TOKEN)

SECOND_QUOTES = f"""\
apiVersion: quotesync.io/v1
kind: QuoteConnection
metadata:
  name: Second Quotes
spec:
  connector: DemoErpQuote
  erpName: Demo ERP
  config:
    baseUrl: https://erp.example.com/second
    apiUser: demo
    apiPassword: {LITERAL_CANARY}
"""


def _leaks(text: str) -> list[str]:
    return [c for c in CANARIES if c in text]


def _workspace(root: Path) -> tuple[Path, dict[str, str]]:
    manifests = copy_examples(root)
    (manifests / "quote" / "second.yaml").write_text(SECOND_QUOTES, encoding="utf-8")
    (manifests / "secrets").mkdir()
    (manifests / "secrets" / "accounting-key").write_text(FILE_CANARY + "\n", encoding="utf-8")
    accounting = manifests / "erp" / "demo-accounting.yaml"
    accounting.write_text(
        accounting.read_text(encoding="utf-8").replace(
            "${env:DEMO_ACCOUNTING_API_KEY:-demo-api-key}", "${file:../secrets/accounting-key}"
        ),
        encoding="utf-8",
    )
    env = {
        "DEMO_ERP_PASSWORD": ENV_CANARY,
        "DEMO_ERP_USER": ENV_CANARY + "-user",
        "DEMO_QUOTE_PASSWORD": ENV_CANARY,
    }
    return manifests, env


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


def _every_output(crm: Crm, manifests: Path, env: dict[str, str], out: Path) -> dict[str, str]:
    """Run every command and format; return what each wrote (stdout+stderr, files)."""
    full = {**crm.env, **env}
    m = str(manifests)
    outputs: dict[str, str] = {}

    def run(label: str, *args: str, environment: dict[str, str] = full) -> None:
        result = run_cli(*args, env=environment)
        outputs[label] = result.output
        assert "Traceback" not in result.output or "--debug" in args, result.output

    for fmt in ("text", "json", "github"):
        run(f"validate {fmt}", "validate", m, "--format", fmt)
    run("validate --no-env", "validate", m, "--no-env")
    for fmt in ("text", "markdown", "json"):
        run(f"plan {fmt}", "--debug", "plan", m, "--format", fmt, "--test-connections")
    planfile, comment = out / "plan.json", out / "comment.md"
    run("plan --out", "plan", m, "--out", str(planfile), "--markdown-out", str(comment))
    for fmt in ("text", "markdown", "json"):
        run(f"show {fmt}", "show", str(planfile), "--format", fmt)
    run("apply", "--debug", "apply", m, "--auto-approve")
    run("apply json", "apply", m, "--auto-approve", "--format", "json")
    run("apply stale plan", "--debug", "apply", str(planfile), "--auto-approve")
    report = out / "drift.md"
    for fmt in ("text", "markdown", "json"):
        run(f"drift {fmt}", "--debug", "drift", m, "--format", fmt, "--out", str(report))
    run("export", "--debug", "export", "--out", str(out / "export"))
    for fmt in ("text", "json"):
        run(f"catalog {fmt}", "--debug", "catalog", "--format", fmt)
    run("schema --from-crm", "schema", "--from-crm", "--out-dir", str(out / "schemas"))
    refused = {**full, "QUOTESYNC_ACCESS_TOKEN": TOKEN + "-wrong"}
    run("plan refused", "--debug", "plan", m, environment=refused)
    run("apply refused", "--debug", "apply", m, "--auto-approve", environment=refused)
    for path in sorted(out.rglob("*")):
        if path.is_file():
            # Exported product images are bytes; the canaries are ASCII either way.
            text = path.read_bytes().decode("utf-8", errors="replace")
            outputs[f"file {path.relative_to(out)}"] = text
    return outputs


def test_canaries_are_in_no_output_of_any_command(
    tmp_path: Path, logs: pytest.LogCaptureFixture
) -> None:
    manifests, env = _workspace(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with running_crm(tmp_path) as crm, fast_retries():
        outputs = _every_output(crm, manifests, env, out)
    leaks = {label: _leaks(text) for label, text in outputs.items() if _leaks(text)}
    assert leaks == {}
    assert not _leaks(logs.text)
    # The runs did take the error paths, and did show the secrets as masked:
    assert "(sensitive)" in outputs["plan text"]
    assert "connection test failed" in outputs["apply"]
    assert "stale" in outputs["apply stale plan"]
    assert "credentials refused (HTTP 401)" in outputs["plan refused"]
    assert any(label.startswith("file export/") for label in outputs)


class Echo:
    """A hostile CRM: every write and test answers an error echoing the whole request."""

    def __init__(self, app: WsgiApp, statuses: tuple[str, ...]) -> None:
        self.app = app
        self.statuses = statuses
        self.echoed = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = str(environ.get("PATH_INFO", ""))
        method = str(environ.get("REQUEST_METHOD"))
        agent_write = any(f"/{word}" in path for word in ("Save", "Test", "Toggle"))
        if not (agent_write or (method in ("POST", "PUT") and "/Agents/" not in path)):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length).decode("utf-8", "replace")
        headers = {k: str(v) for k, v in environ.items() if k.startswith("HTTP_")}
        status = self.statuses[self.echoed % len(self.statuses)]
        self.echoed += 1
        message = f"Bad request {body} sent with {headers}"
        payload = json.dumps({"Error": True, "ErrorType": "Echo", "ErrorMessage": message})
        if status.startswith("200"):  # an agent-style failure: 200 with a Message
            payload = json.dumps({"Message": message, "MessageDetail": body})
        data = payload.encode("utf-8")
        start_response(
            status, [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        )
        return [data]


@pytest.mark.parametrize(
    "statuses",
    [("400 Bad Request",), ("500 Internal Server Error",), ("200 OK",), ("404 Not Found",)],
    ids=["400", "500", "200 with Message", "404"],
)
def test_a_crm_that_echoes_requests_in_errors_leaks_nothing(
    tmp_path: Path, statuses: tuple[str, ...], logs: pytest.LogCaptureFixture
) -> None:
    manifests, env = _workspace(tmp_path)
    echo: list[Echo] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        echo.append(Echo(app, statuses))
        return echo[0]

    # Tiny retry waits (fast_retries): the 500 case is retried exactly as the CLI retries,
    # without ~45 s of backoff sleeps.
    with running_crm(tmp_path, wrap=wrap) as crm, fast_retries():
        full = {**crm.env, **env}
        plan = run_cli("--debug", "plan", str(manifests), "--test-connections", env=full)
        apply = run_cli("--debug", "apply", str(manifests), "--auto-approve", env=full)
        applied_json = run_cli(
            "apply", str(manifests), "--auto-approve", "--format", "json", env=full
        )
    assert echo[0].echoed > 2
    for result in (plan, apply, applied_json):
        assert result.exit_code == 1, result.output
        assert _leaks(result.output) == [], result.output
    assert "Bad request" in plan.output + apply.output  # the echo was shown, redacted
    assert not _leaks(logs.text)
