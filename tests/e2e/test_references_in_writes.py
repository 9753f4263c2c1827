"""References (${env:}, ${file:}, ${var:}) work in every spec value apply writes.

Regression: an ``${env:}`` in an ERP default value, a description, a product name or a
quote-line label passed validate and plan, then apply crashed midway with "Object of type
Secret is not JSON serializable" after it had created some objects.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Workspace

CANARY = "canary-Qv7-d3fault"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


PLACES = {
    "erp connector url (env)": (
        "erp/connectors.yaml",
        "url: https://connectors.example.com/demo-erp\n",
        "url: ${env:REF_URL}\n",
    ),
    "erp default value": (
        "erp/demo-erp-production.yaml",
        "value: B",
        "value: B\n        - erpField: email\n          value: ${env:REF_VALUE}",
    ),
    "erp description": (
        "erp/demo-erp-production.yaml",
        "description: Customers, suppliers and projects from the production ERP company",
        "description: ${env:REF_VALUE}",
    ),
    "product name": (
        "pricing/standard-nok-2026.yaml",
        'name: Laptop 14" Business',
        "name: ${env:REF_VALUE}",
    ),
    "quote-line label": (
        "settings/product-fields.yaml",
        "label: Delivery note",
        "label: ${env:REF_VALUE}",
    ),
    "quote connection description (file)": (
        "quote/erp-quotes.yaml",
        "description: Prices and stock from the production ERP",
        "description: ${file:../ref.txt}",
    ),
    "price list description (var)": (
        "pricing/standard-nok-2026.yaml",
        "description: Standard prices for hardware and licences, 2026",
        "description: ${var:listText}",
    ),
}


@pytest.mark.parametrize("place", sorted(PLACES))
def test_apply_writes_a_reference_and_converges(ws: Workspace, place: str) -> None:
    file, old, new = PLACES[place]
    (ws.manifests / "ref.txt").write_text(CANARY + "\n", encoding="utf-8")
    _edit(ws.manifests / file, old, new)
    env = {"REF_VALUE": CANARY, "REF_URL": "https://connectors.example.com/demo-erp/"}
    args = ("--var", f"listText={CANARY}")
    result = ws.run("apply", str(ws.manifests), "--auto-approve", *args, env=env)
    assert result.exit_code == 0, result.output
    assert "not JSON serializable" not in result.output
    again = ws.run("plan", str(ws.manifests), "--detailed-exitcode", *args, env=env)
    assert again.exit_code == 0, again.output
    if "var" not in place:  # ${env:}/${file:} values are secrets: never shown
        assert CANARY not in result.output + again.output
