"""The plan shows the whole change: a new object's values, what a replace creates and what
becomes of the old object, counts that match what apply writes; and apply shows the plan it
carries out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from quotesync_gitops.cli import apply_cmd
from tests.e2e.conftest import Workspace, edit, plan_json

NOK = "Standard NOK 2026"


def _change(plan: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in plan["changes"] if c["name"] == name)


def _values(change: dict[str, Any]) -> dict[str, Any]:
    assert all(f["before"] is None for f in change["fields"]), change
    return {f["path"]: f["after"] for f in change["fields"]}


def _counts(plan: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(c["kind"], c["action"]): c["count"] for c in plan["summary"]["byKindAndAction"]}


def test_new_price_list_shows_every_product_value_in_all_formats(ws: Workspace) -> None:
    plan = plan_json(ws)
    nok = _change(plan, NOK)
    assert nok["action"] == "create"
    assert _values(nok)["currency"] == "NOK"
    laptop = next(c for c in nok["children"] if c["name"] == f"{NOK}/HW-1001")
    values = _values(laptop)
    assert values["name"] == 'Laptop 14" Business'
    assert values["listPrice"] == 14990.0
    assert values["cost"] == 11200.0
    assert values["vat"] == 25.0
    assert values["inStock"] == 42.0
    assert "url" not in values  # empty text is left out
    assert [f["path"] for f in laptop["fields"]][:5] == [
        "name",
        "listPrice",
        "cost",
        "minimumPrice",
        "vat",
    ]
    text = ws.plan().output
    block = text[text.index(f"PriceList/{NOK}") :]
    block = block[block.index("Product/HW-1001") : block.index("Product/HW-1002")]
    assert "listPrice:" in block and "(none) → 14990.0" in block
    markdown = ws.plan("--format", "markdown").output
    assert "<code>listPrice</code>: <code>14990.0</code>" in markdown


def test_new_product_in_an_existing_list_shows_its_values(applied: Workspace) -> None:
    manifest = applied.manifests / "pricing" / "standard-nok-2026.yaml"
    edit(
        manifest,
        "  products:\n",
        "  products:\n    - {code: NEW-1, name: Cable kit, listPrice: 129, cost: 40, vat: 25}\n",
    )
    plan = plan_json(applied)
    nok = _change(plan, NOK)
    assert nok["action"] == "update"
    [new] = nok["children"]
    assert new["action"] == "create"
    values = _values(new)
    assert (values["name"], values["listPrice"], values["cost"], values["vat"]) == (
        "Cable kit",
        129.0,
        40.0,
        25.0,
    )
    assert _counts(plan) == {("Product", "create"): 1}


def test_replace_shows_the_new_list_and_the_old_lists_fate_and_apply_does_that(
    applied: Workspace,
) -> None:
    with applied.client() as client:
        old = next(p for p in client.iter_pricelists() if p["Name"] == NOK)
    manifest = applied.manifests / "pricing" / "standard-nok-2026.yaml"
    edit(manifest, "currency: NOK", "currency: SEK")
    plan = plan_json(applied)
    change = _change(plan, NOK)
    assert change["action"] == "replace"
    retired = f"{NOK} (replaced #{old['PriceListId']})"
    assert change["retire"] == [
        {"path": "name", "before": NOK, "after": retired, "sensitive": False},
        {"path": "active", "before": True, "after": False, "sensitive": False},
    ]
    # Every product is written into the new list: the plan says so, and counts them.
    assert len(change["children"]) == 6 and change["unchangedChildren"] == 0
    assert {c["action"] for c in change["children"]} == {"create"}
    assert _counts(plan) == {("PriceList", "replace"): 1, ("Product", "create"): 6}
    text = applied.plan().output
    assert f'name:   "{NOK}" → "{retired}"' in text
    assert "active: true → false" in text
    assert "Plan: 6 to create (6 products), 0 to update" in text and "1 to replace" in text
    markdown = applied.plan("--format", "markdown").output
    assert "the old one becomes <code>Standard NOK 2026 (replaced &#35;" in markdown

    result = applied.apply()
    assert result.exit_code == 0, result.output
    assert "Apply complete: 6 created (6 products), 1 replaced." in result.output
    with applied.client() as client:
        lists = {p["Name"]: p for p in client.iter_pricelists()}
        products = [p for p in client.iter_products() if p["ERPPriceListKey"]]
    assert lists[retired]["IsActive"] is False and lists[retired]["Currency"] == "NOK"
    assert lists[NOK]["IsActive"] is True and lists[NOK]["Currency"] == "SEK"
    new_key = lists[NOK]["ERPPriceListKey"]
    assert sum(1 for p in products if p["ERPPriceListKey"] == new_key) == 6
    # The retired list is the tool's own doing: neither a change nor drift.
    assert applied.plan("--detailed-exitcode").exit_code == 0
    drift = applied.run("drift", str(applied.manifests))
    assert drift.exit_code == 0, drift.output
    assert retired not in drift.output


def test_a_pruned_price_list_is_not_drift(applied: Workspace) -> None:
    settings = applied.manifests / "settings" / "repository.yaml"
    edit(settings, "prune: []", "prune: [PriceList]")
    (applied.manifests / "pricing" / "services-eur-2026.yaml").unlink()
    result = applied.apply("--allow-deletes")
    assert result.exit_code == 0, result.output
    with applied.client() as client:
        services = next(p for p in client.iter_pricelists() if p["Name"] == "Services EUR 2026")
    assert services["IsActive"] is False
    drift = applied.run("drift", str(applied.manifests))
    assert drift.exit_code == 0, drift.output
    assert "Services EUR 2026" not in drift.output
    assert applied.plan("--detailed-exitcode").exit_code == 0


def test_apply_prints_the_plan_it_carries_out_even_with_auto_approve(ws: Workspace) -> None:
    result = ws.apply()
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Changes apply would make" in out
    assert out.index("Plan: 36 to create (31 products)") < out.index("Apply complete")
    assert "Apply complete: 36 created (31 products), 2 updated." in out


def test_apply_json_holds_the_plan_and_product_counts(ws: Workspace) -> None:
    result = ws.apply("--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["plan"]["summary"]["changes"] == 7
    assert data["products"] == {"created": 31}


def test_markdown_of_thousands_of_new_products_stays_under_githubs_limit(ws: Workspace) -> None:
    folder = ws.manifests / "pricing"
    rows = ["code,name,description,listPrice,cost,vat"] + [
        f"BULK-{i:05d},Bulk product {i},A product with a long description number {i},{i}.5,1,25"
        for i in range(3000)
    ]
    (folder / "bulk.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "bulk.yaml").write_text(
        "apiVersion: quotesync.io/v1\nkind: PriceList\nmetadata:\n  name: Bulk NOK\n"
        "spec:\n  currency: NOK\n  validFrom: '2026-01-01'\n  validTo: '2026-12-31'\n"
        "  productsFile: bulk.csv\n",
        encoding="utf-8",
    )
    markdown = ws.plan("--format", "markdown", "--full-plan-at", "the plan.json artifact").output
    assert len(markdown) <= 65_000
    assert "Plan: 3037 to create (3031 products)" in markdown
    assert "| Product | 3031 |" in markdown
    assert "<code>BULK-00000</code>" in markdown
    assert "<code>listPrice</code>: <code>0.5</code>" in markdown
    assert "**This comment is shortened**" in markdown and "the plan.json artifact" in markdown
    plan = plan_json(ws)
    bulk = _change(plan, "Bulk NOK")
    assert len(bulk["children"]) == 3000
    assert _values(bulk["children"][2999])["listPrice"] == 2999.5


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(apply_cmd, "on_terminal", lambda: True)


@pytest.mark.usefixtures("at_a_terminal")
def test_asked_apply_shows_the_plan_first_and_no_writes_nothing(ws: Workspace) -> None:
    result = ws.run("apply", str(ws.manifests), input="n\n")
    assert result.exit_code == 1, result.output
    out = result.output
    assert out.index("Plan: 36 to create") < out.index("Apply these changes?")
    assert "Nothing applied." in out
    with ws.client() as client:
        assert client.erp_get_all_connections(include_deleted=True) == []


@pytest.mark.usefixtures("at_a_terminal")
def test_asked_apply_with_json_keeps_stdout_for_the_result(ws: Workspace) -> None:
    result = ws.run("apply", str(ws.manifests), "--format", "json", input="y\n")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True and data["products"] == {"created": 31}
    assert "Apply these changes?" in result.stderr and "Plan: 36 to create" in result.stderr
