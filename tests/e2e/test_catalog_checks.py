"""Plan checks manifests against the CRM's catalogs: every problem at the offending key's own
FILE:LINE:COL, with a did-you-mean from the catalog, all of them in one run, offline problems
included; and neither plan nor apply writes anything when there is one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import Workspace

ERP_FILE = "erp/demo-erp-production.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _at(ws: Workspace, file: str, needle: str, nth: int = 1) -> str:
    """``FILE:LINE:COL`` of the ``nth`` occurrence of ``needle`` (as the CLI shows paths)."""
    path = ws.manifests / file
    lines = path.read_text(encoding="utf-8").splitlines()
    seen = 0
    for number, line in enumerate(lines, start=1):
        column = line.find(needle)
        if column >= 0:
            seen += 1
            if seen == nth:
                return f"{path}:{number}:{column + 1}"
    raise AssertionError(f"{needle!r} not in {path}")


def _crm_snapshot(ws: Workspace) -> Any:
    """Everything the CRM holds that apply could write (to prove nothing was written)."""
    with ws.client() as client:
        connections = client.erp_get_all_connections(include_deleted=True)
        ids = [int(c["ErpConnectionId"]) for c in connections]
        return json.dumps(
            {
                "connections": connections,
                "config": [client.erp_get_connection_config_fields(i) for i in ids],
                "lists": [client.erp_get_list_mappings(i) for i in ids],
                "quote": client.quote_get_installed_connections(),
                "lines": client.quote_get_line_configurations(),
                "pricelists": list(client.iter_pricelists()),
            },
            sort_keys=True,
            default=str,
        )


TYPOS: dict[str, tuple[str, str, str, str, str]] = {
    # name: (file, old, new, needle at the offending key, expected words)
    "crm list item": (
        ERP_FILE,
        "{erpItem: DK, crmItem: Denmark}",
        "{erpItem: DK, crmItem: Danmark}",
        "Danmark",
        "CRM list 'country' has no item 'Danmark'; did you mean 'Denmark'?",
    ),
    "erp list item": (
        ERP_FILE,
        "{erpItem: GB, crmItem: United Kingdom}",
        "{erpItem: UK, crmItem: United Kingdom}",
        "UK",
        "ERP list of Customer/country has no item 'UK'",
    ),
    "user": (
        ERP_FILE,
        "users: [ANNA]",
        "users: [ANNA, KARLA]",
        "KARLA",
        "user 'KARLA', who does not exist in the CRM; did you mean 'CARLA'?",
    ),
    "config key": (
        ERP_FILE,
        'companyNumber: "1"',
        'companyNumbr: "1"',
        "companyNumbr",
        "no configuration field 'companyNumbr'; did you mean 'companyNumber'?",
    ),
    "config type": (
        "erp/demo-accounting.yaml",
        "clientId: acme",
        "clientId: acme\n    region: eu\n    bogusFlag: x",
        "bogusFlag",
        "no configuration field 'bogusFlag'",
    ),
    "integer config": (
        ERP_FILE,
        'companyNumber: "1"',
        'companyNumber: "one"',
        '"one"',
        "'companyNumber' is a Integer field: 'one' is not a whole number",
    ),
    "erp field": (
        ERP_FILE,
        "{erpField: projectNo, crmField: project.number, direction: both}",
        "{erpField: projectNum, crmField: project.number, direction: both}",
        "projectNum",
        "actor Project has no ERP field 'projectNum'; did you mean 'projectNo'?",
    ),
    "erp default list value": (
        ERP_FILE,
        "value: B",
        "value: Z",
        "Z",
        "default value 'Z' of Customer/category is not an item of its ERP list; its items "
        "are: A, B, C",
    ),
    "actor type": (
        "erp/demo-accounting.yaml",
        "  actors:\n",
        "  actors:\n    Project:\n      crmActor: Project\n",
        "Project:",
        "the connector offers no ERP actor type Project",
    ),
    "currency": (
        "pricing/standard-nok-2026.yaml",
        "currency: NOK",
        "currency: CHF",
        "CHF",
        "the CRM has no currency 'CHF'",
    ),
    "quote line field": (
        "settings/product-fields.yaml",
        "    UnitCost:",
        "    UnitCosts:",
        "UnitCosts",
        "no quote line field 'UnitCosts'; did you mean 'UnitCost'?",
    ),
    "connector change": (
        ERP_FILE,
        "connector: Demo ERP",
        "connector: Demo Accounting",
        "Demo Accounting",
        "the connector of an existing connection cannot be changed (it is 'Demo ERP')",
    ),
    "connector": (
        "quote/erp-quotes.yaml",
        "connector: DemoErpQuote",
        "connector: DemoErpQuot",
        "DemoErpQuot",
        "no connector named 'DemoErpQuot'; did you mean 'DemoErpQuote'?",
    ),
}


@pytest.mark.parametrize("typo", sorted(TYPOS))
def test_each_typo_is_refused_at_its_key_and_nothing_is_written(
    applied: Workspace, typo: str
) -> None:
    file, old, new, needle, words = TYPOS[typo]
    _edit(applied.manifests / file, old, new)
    before = _crm_snapshot(applied)
    result = applied.plan()
    assert result.exit_code == 1, result.output
    where = _at(applied, file, needle)
    assert f"{where}: error: " in result.output, result.output
    line = next(x for x in result.output.splitlines() if x.startswith(where))
    assert words in line, line
    applied_now = applied.apply()
    assert applied_now.exit_code == 1, applied_now.output
    assert where in applied_now.output
    assert _crm_snapshot(applied) == before


def test_all_problems_come_in_one_run_with_the_offline_ones(applied: Workspace) -> None:
    for typo in ("crm list item", "user", "currency", "quote line field", "erp field"):
        file, old, new, _, _ = TYPOS[typo]
        _edit(applied.manifests / file, old, new)
    # an offline problem in another file: a schema error
    _edit(applied.manifests / "erp/demo-accounting.yaml", "direction: toCrm}", "direction: up}")
    result = applied.plan()
    assert result.exit_code == 1, result.output
    for typo in ("crm list item", "user", "currency", "quote line field", "erp field"):
        file, _, _, needle, words = TYPOS[typo]
        assert f"{_at(applied, file, needle)}: error: " in result.output, (typo, result.output)
        assert words in result.output
    assert _at(applied, "erp/demo-accounting.yaml", "up}") in result.output


def test_a_mandatory_erp_field_needs_a_direction_before_activation(applied: Workspace) -> None:
    manifest = applied.manifests / ERP_FILE
    _edit(
        manifest,
        "{erpField: customerNo, crmField: contact.number1, direction: both}",
        "{erpField: customerNo, crmField: contact.number1, direction: none}",
    )
    result = applied.plan()
    assert result.exit_code == 1, result.output
    where = _at(applied, ERP_FILE, "none}")
    assert f"{where}: error: " in result.output
    assert "Customer/customerNo is mandatory" in result.output
    _edit(manifest, "active: true", "active: false")
    assert applied.plan().exit_code == 0


def test_a_secret_default_value_is_never_shown_in_a_problem(applied: Workspace) -> None:
    _edit(applied.manifests / ERP_FILE, "value: B", "value: ${env:CATEGORY}")
    result = applied.plan(env={"CATEGORY": "canary-zz-9"})
    assert result.exit_code == 1, result.output
    assert "canary-zz-9" not in result.output
    assert "default value (sensitive) of Customer/category" in result.output


def test_a_new_connection_says_which_checks_wait_for_its_creation(ws: Workspace) -> None:
    result = ws.plan()
    assert result.exit_code == 0, result.output
    assert "ErpConnection 'Demo ERP – Production' is new: its actor types" in result.output


def test_an_unknown_crm_field_gets_a_warning_at_its_line_with_a_did_you_mean(
    applied: Workspace,
) -> None:
    # The API publishes no catalog of CRM field keys: plan warns from the keys the CRM's
    # mappings use, and apply refuses the actor mapping, writing nothing
    # (tests/e2e/test_apply_all_or_nothing.py).
    _edit(
        applied.manifests / ERP_FILE,
        "crmField: contact.email, direction: both",
        "crmField: contact.emial, direction: both",
    )
    result = applied.plan()
    assert result.exit_code == 0, result.output
    where = _at(applied, ERP_FILE, "contact.emial")
    assert f"{where}: warning: " in result.output
    assert "did you mean 'contact.email'?" in result.output
