"""The examples validate as they are, and load into the canonical specs of docs/design.md."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from quotesync_gitops.manifest import LoadResult, load_manifests
from quotesync_gitops.model import Kind
from quotesync_gitops.secrets import Secret
from tests.manifest.helpers import EXAMPLES, REPO, quotesync

EXAMPLE_FILES = sorted(str(p.relative_to(EXAMPLES)) for p in EXAMPLES.rglob("*.yaml"))


@pytest.fixture(scope="module")
def loaded() -> LoadResult:
    return load_manifests([EXAMPLES], env={})


def spec(result: LoadResult, kind: str, name: str) -> dict[str, Any]:
    resource = result.desired.get(kind, name)
    assert resource is not None, f"{kind} {name} missing"
    return dict(resource.spec)


def test_examples_validate_from_the_repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    for name in [n for n in os.environ if n.startswith("DEMO_")]:
        monkeypatch.delenv(name)

    result = quotesync("validate", "examples/manifests")

    assert result.exit_code == 0, result.output
    assert result.stdout == f"11 resources in {len(EXAMPLE_FILES)} files, valid\n"


def test_examples_validate_without_env_and_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)

    result = quotesync("validate", "examples/manifests", "--no-env", "--format", "json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"version": 1, "valid": True, "diagnostics": []}


def test_every_example_starts_with_a_schema_modeline() -> None:
    for name in EXAMPLE_FILES:
        first = (EXAMPLES / name).read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=../../../schemas/"), name
        schema = (EXAMPLES / name).parent / first.split("$schema=")[1]
        assert schema.is_file(), name


def test_erp_connection_is_canonical(loaded: LoadResult) -> None:
    erp = spec(loaded, Kind.ERP_CONNECTION, "Demo ERP – Production")

    assert erp["scope"] == {"allUsers": False, "users": ["ANNA"], "groups": ["Finance", "Sales"]}
    assert erp["config"]["password"] == Secret("demo-password")
    assert erp["config"]["username"] == Secret("demo")
    assert erp["config"]["companyNumber"] == "1"
    assert erp["active"] is True and erp["deleted"] is False
    customer = erp["actors"]["Customer"]
    assert customer["enabled"] is True
    assert customer["mappings"]["name"] == {
        "crmField": "contact.name",
        "direction": "both",
        "showInSearch": True,
        "showInTab": True,
    }
    assert customer["defaults"]["country"] == {"value": "NO", "askUser": True, "mandatory": False}
    assert customer["fieldOrder"][:2] == ["customerNo", "name"]
    assert erp["listMappings"]["Customer/country"]["NO"] == "Norway"
    assert erp["listMappings"]["Customer/category"] == {
        "A": "Customer",
        "B": "Prospect",
        "C": "Partner",
    }
    mandatory = {"Customer": "customerNo", "Supplier": "supplierNo", "Project": "projectNo"}
    for actor, field in mandatory.items():
        assert erp["actors"][actor]["mappings"][field]["direction"] != "none"


def test_other_kinds_are_canonical(loaded: LoadResult) -> None:
    accounting = spec(loaded, Kind.ERP_CONNECTION, "Demo Accounting")
    quote = spec(loaded, Kind.QUOTE_CONNECTION, "ERP Quotes")
    sync = spec(loaded, Kind.SYNC_SETTINGS, "default")
    fields = spec(loaded, Kind.PRODUCT_FIELD_SETTINGS, "default")
    repository = spec(loaded, Kind.REPOSITORY_SETTINGS, "default")

    assert accounting["scope"] == {"allUsers": True, "users": [], "groups": []}
    assert accounting["listMappings"] == {}
    assert accounting["actors"]["Customer"]["fieldOrder"] == []
    assert quote == {
        "connector": "DemoErpQuote",
        "erpName": "Demo ERP",
        "erpConnection": "Demo ERP – Production",
        "description": "Prices and stock from the production ERP",
        "scope": {"allUsers": False, "users": [], "groups": ["Sales"]},
        "config": {
            "baseUrl": "https://erp.example.com/quote",
            "apiUser": "demo",
            "apiPassword": Secret("demo-password"),
        },
        "deleted": False,
    }
    assert sync == {
        "priority": ["Demo ERP – Production", "Demo Accounting"],
        "automaticSync": True,
        "interval": "00:15:00",
        "deleted": False,
    }
    assert fields["fields"]["UnitCost"] == {"shown": True, "label": "Cost", "editable": False}
    assert "Code" not in fields["fields"] and "Name" not in fields["fields"]
    assert repository["guards"] == {
        "maxDeletePercent": 20.0,
        "maxUpdatePercent": 50.0,
        "minExisting": 10,
    }
    assert loaded.desired.settings.max_delete_percent == 20.0
    assert loaded.desired.settings.prune == frozenset()


def test_price_lists_hold_full_products_by_code(loaded: LoadResult) -> None:
    standard = spec(loaded, Kind.PRICE_LIST, "Standard NOK 2026")
    services = spec(loaded, Kind.PRICE_LIST, "Services EUR 2026")

    assert standard["currency"] == "NOK" and standard["validTo"] == "2026-12-31"
    assert standard["quoteConnection"] is None and standard["erpKey"] == ""
    assert len(standard["products"]) == 6
    laptop = standard["products"]["HW-1001"]
    assert len(laptop) == 29
    assert laptop["listPrice"] == 14990.0 and isinstance(laptop["listPrice"], float)
    assert laptop["inAssortment"] is True and laptop["isSubscription"] is False
    assert laptop["supplier"] == "" and laptop["defaultSubscriptionQuantity"] == 0.0
    assert standard["products"]["HW-1099"]["inAssortment"] is False
    assert len(services["products"]) == 25
    assert services["products"]["TRV-501"]["listPrice"] == 0.45
    assert services["products"]["TRN-202"]["isSubscription"] is True


def test_fingerprints_cover_manifests_products_csv_and_images(loaded: LoadResult) -> None:
    csv = EXAMPLES / "pricing" / "services-products.csv"
    image = EXAMPLES / "pricing" / "images" / "hw-1001.png"
    shown = {Path(name).name: digest for name, digest in loaded.desired.files.items()}

    assert len(loaded.desired.files) == len(EXAMPLE_FILES) + 2
    assert shown["services-products.csv"] == hashlib.sha256(csv.read_bytes()).hexdigest()
    assert shown["hw-1001.png"] == hashlib.sha256(image.read_bytes()).hexdigest()


def test_sources_point_at_the_names(loaded: LoadResult) -> None:
    resource = loaded.desired.get(Kind.PRICE_LIST, "Services EUR 2026")

    assert resource is not None and resource.source is not None
    assert resource.source.file.endswith("pricing/services-eur-2026.yaml")
    assert (resource.source.line, resource.source.column) == (8, 9)


def test_sale_type_settings_load_only_the_settings_given(loaded: LoadResult) -> None:
    assert spec(loaded, Kind.SALE_TYPE_QUOTE_SETTINGS, "Hardware") == {
        "allowQuoteAlternatives": True,
        "defaultQuoteValidity": 45,
        "quoteLinesTemplate": "Quote lines (grouped)",
        "confirmationLinesTemplate": "Order confirmation lines",
        "maxDiscountPercent": 15,
        "minEarningPercent": None,
        "deleted": False,
    }


def test_a_product_image_loads_as_its_digest_beside_the_products(loaded: LoadResult) -> None:
    standard = spec(loaded, Kind.PRICE_LIST, "Standard NOK 2026")
    data = (EXAMPLES / "pricing" / "images" / "hw-1001.png").read_bytes()
    digest = hashlib.sha256(data).hexdigest()

    assert standard["images"] == {"HW-1001": f"image/png, {len(data):,} bytes, sha256 {digest}"}
    assert standard["images"]["HW-1001"].path.endswith("pricing/images/hw-1001.png")
    assert "image" not in standard["products"]["HW-1001"]
    assert set(standard["images"]) == {"HW-1001"}  # the other products' images are not managed
