"""Apply never half-writes a resource: a new ERP connection is checked against its catalog
right after it is created (inactive), and on any problem is left soft-deleted with every
problem at its manifest line; an existing one that the CRM refuses keeps what it had."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmRejected
from tests.e2e.conftest import Workspace
from tests.e2e.test_catalog_checks import _at, _edit

NEW = "New ERP"
NEW_FILE = "erp/new-erp.yaml"
NEW_MANIFEST = """\
apiVersion: quotesync.io/v1
kind: ErpConnection
metadata:
  name: New ERP
spec:
  connector: Demo ERP
  config:
    endpointUrl: https://erp.example.com/api
    companyNumber: "1"
    username: demo
    password: ${env:DEMO_ERP_PASSWORD:-demo-password}
  actors:
    Customer:
      crmActor: Contact
      mappings:
        - {erpField: customerNo, crmField: contact.number1, direction: both}
        - {erpField: name, crmField: contact.name, direction: both}
        - {erpField: country, crmField: contact.country, direction: toCrm}
        - {erpField: custmerGroup, crmField: contact.email, direction: toCrm}
      defaults:
        - {erpField: country, value: XX}
  listMappings:
    - actor: Customer
      erpField: country
      items:
        - {erpItem: NO, crmItem: Norway}
        - {erpItem: DK, crmItem: Danmark}
        - {erpItem: UK, crmItem: United Kingdom}
"""


def _rows(ws: Workspace, name: str) -> list[dict[str, Any]]:
    with ws.client() as client:
        rows = client.erp_get_all_connections(include_deleted=True)
    return [r for r in rows if r["DisplayName"] == name]


def _new(ws: Workspace) -> Path:
    path = ws.manifests / NEW_FILE
    path.write_text(NEW_MANIFEST, encoding="utf-8")
    return path


def test_a_new_connection_with_problems_is_left_soft_deleted_with_each_at_its_line(
    ws: Workspace,
) -> None:
    path = _new(ws)
    plan = ws.plan()
    assert plan.exit_code == 0, plan.output
    assert f"ErpConnection {NEW!r} is new" in plan.output  # which checks wait

    first = ws.apply()
    assert first.exit_code == 1, first.output
    assert f"{_at(ws, NEW_FILE, 'custmerGroup')}: " in first.output
    assert "did you mean 'customerNo'?" in first.output
    assert "left soft-deleted and inactive" in first.output
    [row] = _rows(ws, NEW)
    assert row["Deleted"] is True and row["Active"] is False
    again = ws.plan()
    assert again.exit_code == 1 and _at(ws, NEW_FILE, "custmerGroup") in again.output

    _edit(path, "erpField: custmerGroup", "erpField: email")
    second = ws.apply()
    assert second.exit_code == 1, second.output
    problems = {
        _at(ws, NEW_FILE, "XX"): "default value 'XX' of Customer/country is not an item",
        _at(ws, NEW_FILE, "Danmark"): "has no item 'Danmark'; did you mean 'Denmark'?",
        _at(ws, NEW_FILE, "UK"): "ERP list of Customer/country has no item 'UK'",
    }
    for where, words in problems.items():
        line = next(x for x in second.output.splitlines() if where in x)
        assert words in line, line
    [row] = _rows(ws, NEW)
    assert row["Deleted"] is True and row["Active"] is False
    named = ws.plan()  # the next plan names the problems at their lines
    assert named.exit_code == 1, named.output
    for where in problems:
        assert f"{where}: error: " in named.output

    _edit(path, "value: XX", 'value: "NO"')
    _edit(path, "crmItem: Danmark", "crmItem: Denmark")
    _edit(path, "erpItem: UK", "erpItem: GB")
    fixed = ws.apply()
    assert fixed.exit_code == 0, fixed.output
    assert ws.plan("--detailed-exitcode").exit_code == 0
    [row] = _rows(ws, NEW)  # restored, never a second one
    assert row["Deleted"] is False and row["Active"] is True


def _connection_state(ws: Workspace, name: str) -> str:
    [row] = [r for r in _rows(ws, name) if not r["Deleted"]]
    ident = int(row["ErpConnectionId"])
    with ws.client() as client:
        mappings = [client.erp_get_actor_type_mapping(ident, a) for a in ("Customer", "Supplier")]
        fields = [fm["ErpFieldId"] for m in mappings for fm in m["FieldMappings"]]
        state = {
            "row": row,
            "config": client.erp_get_connection_config_fields(ident),
            "mappings": mappings,
            "defaults": [client.erp_get_default_value_info(f) for f in fields],
            "lists": client.erp_get_list_mappings(ident),
        }
    return json.dumps(state, sort_keys=True, default=str)


def test_a_refused_crm_field_writes_nothing_of_an_existing_connection(
    applied: Workspace,
) -> None:
    name = "Demo ERP – Production"
    file = "erp/demo-erp-production.yaml"
    manifest = applied.manifests / file
    before = _connection_state(applied, name)
    # A config change, a description, a Customer default value and a Supplier mapping with
    # a CRM field key that does not exist: the API has no catalog of CRM field keys, so
    # only SaveActorTypeMapping can tell. Customer's mappings are saved first (actors go
    # in order), then Supplier's are refused: Customer's are put back, nothing else written.
    _edit(manifest, 'companyNumber: "1"', 'companyNumber: "2"')
    _edit(manifest, "value: B", "value: C")
    _edit(manifest, "description: Customers", "description: Changed customers")
    _edit(manifest, "contact.email, direction: toCrm}", "contact.emial, direction: toCrm}")
    result = applied.apply()
    assert result.exit_code == 1, result.output
    assert "Unknown CRM field 'contact.emial'" in result.output
    assert "nothing was written" in result.output
    assert _at(applied, file, "mappings:", nth=2) in result.output  # Supplier's mappings
    assert _connection_state(applied, name) == before


# --- price lists: the CRM refusing a product or a new list (a refusal at the client) --------

LIST = "Standard NOK 2026"
LIST_FILE = "pricing/standard-nok-2026.yaml"


def _refuse(
    monkeypatch: pytest.MonkeyPatch, method: str, refused: Callable[[dict[str, Any]], bool]
) -> None:
    """The CRM refuses these bodies (as SuperOffice answers a ValidationError)."""
    real = getattr(CrmClient, method)

    def refusing(self: CrmClient, body: dict[str, Any], **kwargs: Any) -> Any:
        if refused(body):
            raise CrmRejected(
                "the CRM refused: ValidationError",
                operation=f"{method} (test)",
                crm_message="ValidationError",
            )
        return real(self, body, **kwargs)

    monkeypatch.setattr(CrmClient, method, refusing)


def _lists(ws: Workspace) -> list[dict[str, Any]]:
    with ws.client() as client:
        return [p for p in client.iter_pricelists() if p["Name"].startswith(LIST)]


def test_a_refused_product_is_reported_with_exactly_what_was_written(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    _refuse(monkeypatch, "create_product", lambda body: body.get("Code") == "HW-1002")
    result = ws.apply()
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if x.startswith(f"failed: PriceList/{LIST}"))
    [created] = _lists(ws)
    assert f"written before the failure: the new price list #{created['PriceListId']}" in line
    assert "5 of 6 product(s)" in line, line
    monkeypatch.undo()
    assert ws.apply().exit_code == 0
    assert ws.plan("--detailed-exitcode").exit_code == 0
    assert len(_lists(ws)) == 1


def test_a_replacement_the_crm_refuses_puts_the_old_list_back(
    applied: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    [before] = _lists(applied)
    _edit(applied.manifests / LIST_FILE, "currency: NOK", "currency: EUR")
    _refuse(monkeypatch, "create_pricelist", lambda body: body.get("Name") == LIST)
    result = applied.apply()
    assert result.exit_code == 1, result.output
    assert "nothing was written: the old list was put back" in result.output
    [after] = _lists(applied)
    assert (after["PriceListId"], after["Name"], after["IsActive"]) == (
        before["PriceListId"],
        LIST,
        True,
    )
    monkeypatch.undo()
    assert applied.apply().exit_code == 0
    assert applied.plan("--detailed-exitcode").exit_code == 0
