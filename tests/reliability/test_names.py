"""Names the CRM would trim on save are refused before anything reaches the CRM.

SuperOffice removes leading and trailing spaces of names when it saves them. An ERP
connection named ``"Prod "`` would be saved as ``"Prod"``, never be found again, and every
apply would create another active, configured copy. Every name quotesync matches the CRM by
is checked in one place (``manifest/names.py``) that validate, plan and apply share: each
refuses with ``FILE:LINE:COL``, a did-you-mean, exit 1, and writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.helpers import (
    WsgiApp,
    copy_examples,
    is_write,
    read_inventory,
    run_cli,
    running_crm,
)

#: (file under examples/manifests, text to replace, replacement, the name as written)
CASES = {
    "ErpConnector name": (
        "erp/connectors.yaml",
        "name: Demo Accounting",
        'name: "Demo Accounting "',
    ),
    "ErpConnection name": (
        "erp/demo-erp-production.yaml",
        "name: Demo ERP – Production",
        'name: "Demo ERP – Production "',
    ),
    "QuoteConnection name": ("quote/erp-quotes.yaml", "name: ERP Quotes", "name: ' ERP Quotes'"),
    "PriceList name": (
        "pricing/standard-nok-2026.yaml",
        "name: Standard NOK 2026",
        'name: "\\tStandard NOK 2026"',
    ),
    "a reference to a connection": (
        "quote/erp-quotes.yaml",
        "erpConnection: Demo ERP – Production",
        'erpConnection: "Demo ERP – Production "',
    ),
    "a reference to a connector": (
        "erp/demo-accounting.yaml",
        "connector: Demo Accounting",
        'connector: "Demo Accounting  "',
    ),
    "an inline product code": (
        "pricing/standard-nok-2026.yaml",
        "code: HW-1002",
        'code: "HW-1002 "',
    ),
    "a product code in CSV": ("pricing/services-products.csv", "CON-101,", " CON-101,"),
    "a name of spaces only": ("quote/erp-quotes.yaml", "name: ERP Quotes", 'name: "   "'),
}


class Writes:
    """Counts the requests that would change the CRM."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app
        self.count = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if is_write(str(environ.get("REQUEST_METHOD")), str(environ.get("PATH_INFO", ""))):
            self.count += 1
        return self.app(environ, start_response)


@pytest.mark.parametrize("case", sorted(CASES))
def test_untrimmed_names_are_refused_by_validate_plan_and_apply(tmp_path: Path, case: str) -> None:
    file, old, new = CASES[case]
    manifests = copy_examples(tmp_path)
    path = manifests / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    writes: list[Writes] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        writes.append(Writes(app))
        return writes[0]

    with running_crm(tmp_path, wrap=wrap) as crm:
        with crm.client() as client:
            before = read_inventory(client)
        results = {
            command: run_cli(*args, str(manifests), env=crm.env)
            for command, args in (
                ("validate", ("validate",)),
                ("plan", ("plan",)),
                ("apply", ("apply", "--auto-approve")),
            )
        }
        with crm.client() as client:
            after = read_inventory(client)
    for command, result in results.items():
        assert result.exit_code == 1, (command, result.output)
        assert "Traceback" not in result.output
        shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
        found = re.search(rf"{re.escape(str(shown))}:(\d+):(\d+): error: (.*)", result.output)
        assert found, (command, result.output)
        message = found.group(3)
        if "spaces only" in case:
            assert "is blank" in message
        else:
            assert "starts or ends with spaces" in message
            assert "did you mean" in message
    assert writes[0].count == 0
    assert after == before


def test_a_name_with_inner_spaces_is_kept(tmp_path: Path) -> None:
    """Only the ends are trimmed by the CRM: a name with spaces inside is fine."""
    manifests = copy_examples(tmp_path)
    path = manifests / "quote" / "erp-quotes.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("name: ERP Quotes", "name: ERP  Quotes  Two"),
        encoding="utf-8",
    )
    result = run_cli("validate", str(manifests))
    assert result.exit_code == 0, result.output
