"""Two products of one code in a managed price list are reported, and nothing is written.

SuperOffice does not keep product codes unique. A person creating a product with a code
that apply is writing at the same moment, or a CRM that simply returns two rows of one
code, leaves quotesync unable to tell which product a manifest means. Plan, apply and drift
must say so at the price list's manifest line, naming both products, exit 1, and write
nothing; once a person gives the copy another code, apply goes on (and retires it).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.reliability.helpers import (
    WsgiApp,
    copy_examples,
    is_write,
    remaining_changes,
    run_cli,
    running_crm,
)

PRICE_LIST = "Standard NOK 2026"
CODE = "HW-1002"


class Writes:
    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.count = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if is_write(str(environ.get("REQUEST_METHOD")), str(environ.get("PATH_INFO", ""))):
            self.count += 1
        return self.app(environ, start_response)


def test_a_second_product_of_one_code_is_refused_by_plan_apply_and_drift(tmp_path: Path) -> None:
    manifests = copy_examples(tmp_path)
    writes: list[Writes] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        writes.append(Writes(app))
        return writes[0]

    with running_crm(tmp_path, wrap=wrap) as crm:
        assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
        with crm.client() as client:
            original = next(p for p in client.iter_products() if p["Code"] == CODE)
            copy = {k: v for k, v in original.items() if k != "ProductId"}
            copy["Name"] = "made by hand"
            created = client.create_product(copy)
        # The manifests also change something, so a plan would write if it could.
        path = manifests / "pricing" / "standard-nok-2026.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("description:", "description: New", 1),
            encoding="utf-8",
        )
        before = writes[0].count
        results = {
            "plan": run_cli("plan", str(manifests), env=crm.env),
            "apply": run_cli("apply", str(manifests), "--auto-approve", env=crm.env),
            "drift": run_cli("drift", str(manifests), env=crm.env),
        }
        assert writes[0].count == before, "something was written"
        for command, result in results.items():
            assert result.exit_code == 1, (command, result.output)
            assert "Traceback" not in result.output
            found = re.search(r"standard-nok-2026\.yaml:\d+:\d+: error: (.*)", result.output)
            assert found, (command, result.output)
            message = found.group(1)
            assert "more than one product with the same code" in message
            assert repr(CODE) in message
            assert str(original["ProductId"]) in message
            assert str(created["ProductId"]) in message
        # A person gives the copy another code: quotesync goes on (and converges).
        with crm.client() as client:
            client.update_product(created["ProductId"], {**created, "Code": "HW-1002-by-hand"})
        last = run_cli(
            "apply", str(manifests), "--auto-approve", "--allow-deletes", env=crm.env
        )  # the recoded copy is not in the manifest: it leaves the assortment
        assert last.exit_code == 0, last.output
        assert remaining_changes(crm, manifests) == []


class PersonRepeatsACode:
    """Right after apply creates product ``code``, a person creates another of that code."""

    def __init__(self, app: WsgiApp, code: str) -> None:
        self.app = app
        self.code = code
        self.done = False

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        import io
        import json

        if environ.get("REQUEST_METHOD") != "POST" or environ.get("PATH_INFO") != "/api/v1/Product":
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(raw)
        answer = list(self.app(environ, start_response))
        body = json.loads(raw)
        if not self.done and body.get("Code") == self.code:
            self.done = True
            again = {**environ, "wsgi.input": io.BytesIO(raw)}
            copy = b"".join(self.app(again, lambda *args: None))
            assert b"ProductId" in copy
        return answer


def test_a_code_repeated_while_apply_creates_a_new_list_is_refused_next(tmp_path: Path) -> None:
    """Apply cannot tell a person's later copy from a concurrent apply's (which that apply
    retires itself), so it leaves it; the next plan refuses the list, naming the code."""
    manifests = copy_examples(tmp_path)

    def wrap(app: WsgiApp) -> WsgiApp:
        return PersonRepeatsACode(app, CODE)

    with running_crm(tmp_path, wrap=wrap) as crm:
        applied = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert applied.exit_code == 0, applied.output
        for command in ("plan", "drift"):
            result = run_cli(command, str(manifests), env=crm.env)
            assert result.exit_code == 1, result.output
            assert "more than one product with the same code" in result.output
            assert repr(CODE) in result.output
