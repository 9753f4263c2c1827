"""`quotesync schema --from-crm`: JSON Schemas narrowed to a tenant's catalogs, which the
example manifests pass and typos fail, as an editor would underline them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import quotesync_gitops
from quotesync_gitops.manifest.yamlparse import parse_yaml
from tests.e2e.conftest import Workspace


def _errors(schema: dict[str, Any], document: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(schema)
    return [e.message for e in validator.iter_errors(document)]


def _documents(path: Path) -> list[Any]:
    """As the tool reads them (YAML 1.2: ``NO`` stays text)."""
    parsed = parse_yaml(path.read_text(encoding="utf-8"))
    return [d.value for d in parsed.documents if d.value]


def _load(path: Path) -> Any:
    [document] = _documents(path)
    return document


def test_narrowed_schemas_accept_the_examples_and_refuse_typos(
    applied: Workspace, tmp_path: Path
) -> None:
    out = tmp_path / "schemas"
    result = applied.run("schema", "--from-crm", "--out-dir", str(out))
    assert result.exit_code == 0, result.output
    schemas = {p.name.split(".")[0]: json.loads(p.read_text()) for p in out.glob("*.json")}
    # One per manifest kind plus the combined manifest schema: the packaged set, less the plan's.
    packaged = Path(quotesync_gitops.__file__).parent / "schemas"
    assert set(schemas) == {p.name.split(".")[0] for p in packaged.glob("*.json")} - {"plan"}
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted(applied.manifests.rglob("*.yaml")):
        for document in _documents(path):
            assert _errors(schemas[document["kind"]], document) == [], path
            assert _errors(schemas["manifest"], document) == [], path

    erp = _load(applied.manifests / "erp/demo-erp-production.yaml")
    erp["spec"]["scope"]["users"] = ["KARLA"]
    erp["spec"]["config"]["companyNumbr"] = "1"
    erp["spec"]["actors"]["Customer"]["mappings"][0]["erpField"] = "custNo"
    found = " | ".join(_errors(schemas["ErpConnection"], erp))
    assert "{'users': ['KARLA']" in found  # scope: all, or users the CRM has
    assert "'companyNumbr' is not one of" in found
    assert "'custNo' is not one of" in found
    assert _errors(schemas["manifest"], erp)
    prices = _load(applied.manifests / "pricing/standard-nok-2026.yaml")
    prices["spec"]["currency"] = "CHF"
    assert "'CHF' is not one of" in " ".join(_errors(schemas["PriceList"], prices))


def test_from_crm_prints_one_kind_and_refuses_what_it_cannot_narrow(ws: Workspace) -> None:
    result = ws.run("schema", "PriceList", "--from-crm")
    assert result.exit_code == 0, result.output
    currency = json.loads(result.output)["properties"]["spec"]["properties"]["currency"]
    assert currency["enum"] == ["DKK", "EUR", "GBP", "NOK", "SEK", "USD"]
    for args, words in (
        (("schema", "--from-crm"), "needs a KIND"),
        (("schema", "plan", "--from-crm"), "does not depend on the CRM"),
        (("schema", "--out-dir", "x"), "use it with --from-crm"),
    ):
        refused = ws.run(*args)
        assert refused.exit_code == 1, refused.output
        assert words in refused.output


@pytest.mark.parametrize("kind", ["SyncSettings", "ErpConnector", "RepositorySettings"])
def test_kinds_without_catalog_names_come_back_unchanged_but_for_the_note(
    ws: Workspace, kind: str
) -> None:
    narrowed = json.loads(ws.run("schema", kind, "--from-crm").output)
    shipped = json.loads(ws.run("schema", kind).output)
    assert {**narrowed, "description": ""} == {**shipped, "description": ""}
