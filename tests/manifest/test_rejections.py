"""Every rejection path of `quotesync validate`: a broken manifest under fixtures/, the exit
code, and each problem exactly as the user reads it (file:line:col: error: message)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.manifest.helpers import copy_fixture, diagnostics, quotesync

PRODUCT_FIELDS = (
    "code, name, description, priceUnit, quantityUnit, listPrice, cost, minimumPrice, vat, "
    "vatInfo, inAssortment, isSubscription, subscriptionUnit, defaultSubscriptionQuantity, "
    "itemNumber, url, category, family, type, supplier, supplierCode, rule, erpKey, inStock, "
    "extraField1, extraField2, extraField3, extraField4, extraField5"
)

CASES: dict[str, list[str]] = {
    "syntax-error.yaml": [
        "syntax-error.yaml:7:1: error: YAML syntax error: did not find expected ',' or ']' "
        "(while parsing a flow sequence that starts at line 6)",
    ],
    "duplicate-key.yaml": [
        "duplicate-key.yaml:5:3: error: duplicate key 'name' in this mapping (first at line 4); "
        "YAML would silently keep only the last one",
    ],
    "not-a-mapping.yaml": [
        "not-a-mapping.yaml:1:1: error: a manifest document must be a mapping with apiVersion, "
        "kind, metadata and spec, but this one is a list",
    ],
    "unknown-api-version.yaml": [
        "unknown-api-version.yaml:1:13: error: unknown apiVersion 'quotesync.io/v2'; "
        "expected quotesync.io/v1",
    ],
    "unknown-kind.yaml": [
        "unknown-kind.yaml:2:7: error: unknown kind 'ErpConection'; did you mean "
        "'ErpConnection'? Known kinds: ErpConnector, ErpConnection, QuoteConnection, "
        "SyncSettings, PriceList, ProductFieldSettings, RepositorySettings",
    ],
    "unknown-field.yaml": [
        "unknown-field.yaml:7:3: error: unknown field 'descripton' in spec; did you mean "
        "'description'?",
    ],
    "wrong-type.yaml": [
        "wrong-type.yaml:7:11: error: spec.active must be true or false, but it is text; "
        "write true or false (yes/no/on/off are text in YAML 1.2)",
    ],
    "missing-required.yaml": [
        "missing-required.yaml:5:1: error: spec is missing the required field 'connector'",
    ],
    "bad-enum.yaml": [
        "bad-enum.yaml:11:72: error: spec.actors.Customer.mappings[0].direction must be one "
        "of: toCrm, toErp, both, none, not 'sideways'",
    ],
    "name-too-long.yaml": [
        "name-too-long.yaml:4:9: error: metadata.name is too long (255 characters): the CRM "
        "allows at most 254",
    ],
    "config-value-too-long.yaml": [
        "config-value-too-long.yaml:8:18: error: spec.config.endpointUrl is too long "
        "(1030 characters): the CRM allows at most 1023",
    ],
    "url-too-long.yaml": [
        "url-too-long.yaml:6:8: error: spec.url is too long (1030 characters): the CRM allows "
        "at most 1023",
    ],
    "scope-invalid.yaml": [
        "scope-invalid.yaml:7:10: error: spec.scope must be 'all' or a mapping with allUsers "
        "and/or users and/or groups",
    ],
    "interval-format.yaml": [
        "interval-format.yaml:6:13: error: spec.interval must be a time span written HH:MM:SS, "
        "such as 00:15:00, not '15 minutes'",
    ],
    "python-tag.yaml": [
        "python-tag.yaml:6:8: error: YAML tag !!python/object/apply:os.system is not allowed: "
        "manifests hold plain values (text, numbers, true/false, lists and mappings) without tags",
        "python-tag.yaml:6:8: error: spec.url must be text, but it is a list",
    ],
    "duplicate-name-across-files": [
        "duplicate-name-across-files/b.yaml:5:9: error: ErpConnector 'Demo ERP' is declared "
        "twice (first at duplicate-name-across-files/a.yaml:4:9); names must be unique per kind",
    ],
    "singleton-twice.yaml": [
        "singleton-twice.yaml:11:9: error: only one SyncSettings may be declared, and 'default' "
        "already is (at line 4)",
    ],
    "quote-connection-dangling.yaml": [
        "quote-connection-dangling.yaml:7:18: error: spec.erpConnection names ErpConnection "
        "'Missing ERP', which is not declared in the manifests (none is declared)",
    ],
    "quote-connection-to-tombstone.yaml": [
        "quote-connection-to-tombstone.yaml:14:18: error: spec.erpConnection names "
        "ErpConnection 'Old ERP', which is declared as deleted (deleted: true at line 4); "
        "remove the reference or restore it",
    ],
    "priority-unknown-and-twice.yaml": [
        "priority-unknown-and-twice.yaml:15:7: error: spec.priority[1] names ErpConnection "
        "'Accounting', which is not declared in the manifests (declared: ERP)",
        "priority-unknown-and-twice.yaml:16:7: error: 'ERP' appears twice in the priority list "
        "(first at line 14)",
    ],
    "field-order-unmapped.yaml": [
        "field-order-unmapped.yaml:13:32: error: fieldOrder names 'nmae', which is not mapped "
        "in Customer.mappings; only mapped fields can be ordered; did you mean 'name'?",
    ],
    "list-mapping-problems.yaml": [
        "list-mapping-problems.yaml:17:21: error: ERP list item 'NO' is mapped twice in this "
        "list mapping (first at line 16); each ERP list item maps to one CRM list item",
        "list-mapping-problems.yaml:19:17: error: list mapping for Customer/category, but "
        "'category' is not mapped in Customer.mappings; list mappings need a mapped field",
    ],
    "duplicate-erp-field.yaml": [
        "duplicate-erp-field.yaml:12:22: error: ERP field 'customerNo' is mapped twice in "
        "Customer (first at line 11)",
        "duplicate-erp-field.yaml:15:22: error: ERP field 'country' has two default values in "
        "Customer (first at line 14)",
    ],
    "connector-tombstone.yaml": [
        "connector-tombstone.yaml:13:14: error: spec.connector names ErpConnector 'Retired "
        "Connector', which is declared as deleted (deleted: true at line 4); remove the "
        "reference or restore it",
    ],
    "prune-invalid.yaml": [
        "prune-invalid.yaml:6:22: error: spec.prune[1] must be one of: ErpConnector, "
        "ErpConnection, QuoteConnection, SyncSettings, PriceList, ProductFieldSettings, "
        "not 'Product'",
    ],
    "price-list-dates-currency.yaml": [
        "price-list-dates-currency.yaml:6:13: error: 'XYZ' is not an ISO 4217 currency code; "
        "use a code such as NOK, SEK, DKK, EUR, GBP or USD",
        "price-list-dates-currency.yaml:7:14: error: validFrom '2026-02-30' is not a real date",
    ],
    "price-list-date-order.yaml": [
        "price-list-date-order.yaml:8:12: error: validTo (2026-01-31) is before validFrom "
        "(2026-06-01); the price list would never be valid",
    ],
    "duplicate-product-codes": [
        "duplicate-product-codes/prices.yaml:11:14: error: product code 'A-1' is listed twice "
        "in this price list (first at line 10)",
        "duplicate-product-codes/products.csv:3:1: error: product code 'B-2' is listed twice in "
        "this price list (first at duplicate-product-codes/prices.yaml:12:14)",
    ],
    "csv-problems": [
        "csv-problems/products.csv:1:34: error: unknown product field 'colour' in the header; "
        f"expected one of: {PRODUCT_FIELDS}",
        "csv-problems/products.csv:3:15: error: listPrice: '12;50' is not a number; write "
        "numbers like 1234.50 (no spaces or commas; a decimal comma only in a ;-separated file)",
        "csv-problems/products.csv:4:16: error: inAssortment: 'maybe' is not true or false",
    ],
    "products-file-missing.yaml": [
        "products-file-missing.yaml:9:17: error: productsFile 'nowhere.csv': no such file "
        "(nowhere.csv); the path is relative to this manifest's folder",
    ],
    "inline-product-problems.yaml": [
        "inline-product-problems.yaml:12:18: error: spec.products[0].listPrice must be a "
        "number, but it is text",
        "inline-product-problems.yaml:13:7: error: unknown product field 'vatt' in "
        "spec.products[0]; did you mean 'vat'?",
        "inline-product-problems.yaml:14:7: error: spec.products[1] is missing the required "
        "field 'code'",
    ],
    "secret-in-name.yaml": [
        "secret-in-name.yaml:6:14: error: spec.connector cannot come from ${env:} or "
        "${file:}: such values are secret, and this is a name or key the tool matches on; "
        "write it out or use ${var:NAME}",
    ],
    "three-problems.yaml": [
        "three-problems.yaml:7:11: error: spec.active must be true or false, but it is a number",
        "three-problems.yaml:8:3: error: unknown field 'colour' in spec; expected one of: "
        "connector, description, active, scope, config, actors, listMappings, deleted",
        "three-problems.yaml:11:17: error: spec.actors.Customer.crmActor must be one of: "
        "Contact, Person, Project, Sale, not 'Account'",
    ],
}


@pytest.mark.parametrize("fixture", sorted(CASES))
def test_broken_manifest_is_rejected_with_exact_positions(fixture: str, workdir: Path) -> None:
    copy_fixture(fixture, workdir)

    result = quotesync("validate", fixture)

    assert result.exit_code == 1, result.output
    assert diagnostics(result) == CASES[fixture]
    errors = len(CASES[fixture])
    assert result.stdout.splitlines()[-1].startswith(f"{errors} problem")


def test_undefined_references_each_get_their_own_problem(workdir: Path) -> None:
    copy_fixture("undefined-references.yaml", workdir)

    result = quotesync("validate", "undefined-references.yaml")

    missing = workdir / "secrets" / "missing.txt"
    assert result.exit_code == 1
    assert diagnostics(result) == [
        "undefined-references.yaml:4:9: error: variable STAGE is not defined (${var:STAGE}); "
        "pass --var STAGE=VALUE or a --var-file that defines it",
        "undefined-references.yaml:8:15: error: environment variable "
        "QUOTESYNC_TEST_UNSET_VARIABLE is not set (${env:QUOTESYNC_TEST_UNSET_VARIABLE}); "
        "set it, or give a default with ${env:QUOTESYNC_TEST_UNSET_VARIABLE:-default}",
        f"undefined-references.yaml:9:13: error: ${{file:secrets/missing.txt}}: no such file "
        f"({missing})",
        "undefined-references.yaml:10:13: error: ${nope:x} is not a valid reference; write "
        "${env:NAME}, ${env:NAME:-default}, ${file:PATH} or ${var:NAME}, or $${ for a "
        "literal ${",
    ]


def test_file_reference_outside_the_repository(workdir: Path) -> None:
    (workdir / "repo").mkdir()
    copy_fixture("file-outside.yaml", workdir / "repo")
    (workdir / "outside-secret.txt").write_text("hunter2\n")

    refused = quotesync("validate", "repo")
    allowed = quotesync("validate", "repo", "--allow-files-outside")

    assert refused.exit_code == 1
    assert diagnostics(refused) == [
        "repo/file-outside.yaml:8:15: error: ${file:../outside-secret.txt} points outside the "
        f"repository ({workdir / 'repo'}); keep referenced files inside it, or pass "
        "--allow-files-outside",
    ]
    assert allowed.exit_code == 0, allowed.output
    assert "hunter2" not in refused.output + allowed.output


def test_an_empty_environment_variable_counts_as_unset(workdir: Path) -> None:
    # CI systems pass a secret that was never configured as an empty string.
    copy_fixture("undefined-references.yaml", workdir)

    result = quotesync(
        "validate", "undefined-references.yaml", env={"QUOTESYNC_TEST_UNSET_VARIABLE": ""}
    )

    assert result.exit_code == 1
    assert (
        "undefined-references.yaml:8:15: error: environment variable "
        "QUOTESYNC_TEST_UNSET_VARIABLE is empty (${env:QUOTESYNC_TEST_UNSET_VARIABLE}); "
        "set it, or give a default with ${env:QUOTESYNC_TEST_UNSET_VARIABLE:-default}"
    ) in diagnostics(result)
