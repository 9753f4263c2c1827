"""REST price lists and products, and OData paging, filtering, ordering and selection."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from quotesync_gitops.emulator import start_in_thread
from tests.emulator.conftest import Api

PRODUCTS = 2000


@dataclass(frozen=True)
class Catalogue:
    api: Api
    main: dict[str, Any]
    other: dict[str, Any]


def _error(response: httpx.Response, status: int, error_type: str | None = None) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"Error", "ErrorType", "ErrorMessage"} and body["Error"] is True
    if error_type is not None:
        assert body["ErrorType"] == error_type
    return str(body["ErrorMessage"])


def test_price_list_key_defaults_to_the_id(api: Api) -> None:
    first = api.new_price_list()
    assert first["ERPPriceListKey"] == str(first["PriceListId"])
    keyed = api.new_price_list("Keyed", ERPPriceListKey="erp-7")
    assert keyed["ERPPriceListKey"] == "erp-7"
    assert (first["ValidFrom"], first["ValidTo"]) == ("2025-01-01T00:00:00", "2025-12-31T00:00:00")
    assert first["_Links"]["Self"].endswith(f"/api/v1/Pricelist/{first['PriceListId']}")
    duplicate = api.http.post(
        "/api/v1/Pricelist",
        json={
            "Name": "Dup",
            "Currency": "NOK",
            "ValidFrom": "2025-01-01",
            "ValidTo": "2025-12-31",
            "ERPPriceListKey": "erp-7",
        },
    )
    assert "ERPPriceListKey 'erp-7'" in _error(duplicate, 400)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"Currency": "EUR"}, "Currency"),
        ({"ValidFrom": "2025-02-01"}, "ValidFrom"),
        ({"ValidTo": "2026-12-31T00:00:00"}, "ValidTo"),
    ],
)
def test_currency_and_validity_cannot_change(api: Api, change: dict[str, str], field: str) -> None:
    price_list = api.new_price_list()
    url = f"/api/v1/Pricelist/{price_list['PriceListId']}"
    message = _error(
        api.http.put(url, json={**price_list, **change}), 400, "PriceListImmutableField"
    )
    assert f"{field} of a price list cannot be changed after creation" in message
    assert api.http.get(url).json() == price_list


def test_price_list_updates_and_soft_delete_by_is_active(api: Api) -> None:
    price_list = api.new_price_list()
    url = f"/api/v1/Pricelist/{price_list['PriceListId']}"
    same_date_other_form = {
        **price_list,
        "ValidFrom": "2025-01-01",
        "IsActive": False,
        "Description": "Retired",
    }
    updated = api.http.put(url, json=same_date_other_form).json()
    assert (updated["IsActive"], updated["Description"]) == (False, "Retired")
    assert _error(api.http.put(url, json={"Name": "n" * 255}), 400).startswith("Name is too long")
    assert _error(api.http.put(url, json={"IsActive": "no"}), 400, "BadRequest")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"Name": "X", "Currency": "XYZ"}, "Unknown currency 'XYZ'"),
        ({"Name": "", "Currency": "NOK"}, "needs a Name"),
        (
            {"Name": "X", "Currency": "NOK", "ValidFrom": "2025-05-01", "ValidTo": "2025-01-01"},
            "ValidTo is before ValidFrom",
        ),
        ({"Name": "X", "Currency": "NOK", "ValidFrom": "someday"}, "is not a date"),
        ({"Name": "X", "Currency": "NOK", "QuoteConnectionId": 4}, "Quote connection 4"),
    ],
)
def test_price_list_rejections(api: Api, body: dict[str, Any], expected: str) -> None:
    assert expected in _error(api.http.post("/api/v1/Pricelist", json=body), 400)
    assert api.http.get("/api/v1/Pricelist").json()["value"] == []


def test_products_belong_to_a_price_list_by_key(api: Api) -> None:
    price_list = api.new_price_list()
    key = price_list["ERPPriceListKey"]
    orphan = api.http.post("/api/v1/Product", json={"Name": "X", "ERPPriceListKey": "nope"})
    assert "No price list has the ERPPriceListKey 'nope'" in _error(orphan, 400)
    product = api.http.post(
        "/api/v1/Product",
        json={
            "Name": "Widget",
            "Code": "W-1",
            "ERPPriceListKey": key,
            "UnitListPrice": 10,
            "VAT": 25.0,
            "InAssortment": True,
        },
    ).json()
    url = f"/api/v1/Product/{product['ProductId']}"
    assert (product["UnitListPrice"], product["InAssortment"]) == (10.0, True)
    updated = api.http.put(url, json={"InAssortment": False, "UnitCost": 4.5}).json()
    assert (updated["InAssortment"], updated["UnitCost"], updated["Name"]) == (False, 4.5, "Widget")
    listed = api.http.get(f"/api/v1/Pricelist/{price_list['PriceListId']}/Products").json()
    assert [p["Code"] for p in listed["value"]] == ["W-1"]
    assert api.http.delete(url).status_code == 204
    _error(api.http.get(url), 404, "NotFound")
    assert api.http.delete(f"/api/v1/Pricelist/{price_list['PriceListId']}").status_code == 204
    _error(api.http.get(f"/api/v1/Pricelist/{price_list['PriceListId']}"), 404)


def test_defaults(api: Api) -> None:
    default_list = api.http.get("/api/v1/Pricelist/default").json()
    assert (default_list["PriceListId"], default_list["IsActive"]) == (0, True)
    default_product = api.http.get("/api/v1/Product/default").json()
    assert (default_product["ProductId"], default_product["InAssortment"]) == (0, True)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Catalogue]:
    """One server for the read-only paging tests: two price lists, the first holding PRODUCTS
    products, the second three (X1..X3)."""
    running = start_in_thread(tmp_path_factory.mktemp("catalogue") / "crm.sqlite")
    with httpx.Client(base_url=running.url, timeout=10.0) as http:
        api = Api(http)
        main = api.new_price_list("Main")
        other = api.new_price_list("Other")
        for i in range(PRODUCTS):
            response = api.http.post(
                "/api/v1/Product",
                json={
                    "Name": f"Product {i}",
                    "Code": f"P{i:05d}",
                    "ERPPriceListKey": main["ERPPriceListKey"],
                    "UnitListPrice": float(i % 100),
                    "InAssortment": i % 10 != 0,
                },
            )
            assert response.status_code == 200
        for code in ("X1", "X2", "X3"):
            api.http.post(
                "/api/v1/Product",
                json={"Name": code, "Code": code, "ERPPriceListKey": other["ERPPriceListKey"]},
            )
        yield Catalogue(api, main, other)
    running.stop()


def test_keyset_paging_returns_each_product_exactly_once(catalogue: Catalogue) -> None:
    api = catalogue.api
    url = f"/api/v1/Pricelist/{catalogue.main['PriceListId']}/Products"
    seen: list[str] = []
    last = 0
    pages = 0
    while True:
        page = api.http.get(
            url, params={"$filter": f"ProductId gt {last}", "$orderBy": "ProductId", "$top": 500}
        ).json()
        pages += 1
        seen += [row["Code"] for row in page["value"]]
        if "odata.nextLink" not in page:
            break
        last = page["value"][-1]["ProductId"]
    assert pages == PRODUCTS // 500
    assert len(seen) == PRODUCTS and len(set(seen)) == PRODUCTS
    assert not any(code.startswith("X") for code in seen)


def test_next_links_cover_everything_once_and_top_is_capped(catalogue: Catalogue) -> None:
    api = catalogue.api
    page = api.http.get("/api/v1/Product", params={"$top": 5000, "$select": "ProductId"}).json()
    assert len(page["value"]) == 1000  # capped
    ids = [row["ProductId"] for row in page["value"]]
    while "odata.nextLink" in page:
        page = httpx.get(page["odata.nextLink"]).json()
        ids += [row["ProductId"] for row in page["value"]]
    assert len(ids) == PRODUCTS + 3 and len(set(ids)) == len(ids)
    assert ids == sorted(ids)


def test_filter_select_and_order(catalogue: Catalogue) -> None:
    api = catalogue.api

    def rows(**params: Any) -> list[dict[str, Any]]:
        response = api.http.get("/api/v1/Product", params=params)
        assert response.status_code == 200, response.text
        return list(response.json()["value"])

    key = catalogue.main["ERPPriceListKey"]
    found = rows(**{"$filter": f"ERPPriceListKey eq '{key}' and Code eq 'P00042'"})
    assert [r["Name"] for r in found] == ["Product 42"]
    assert len(found[0]) > 30  # every carrier field
    selected = rows(**{"$filter": "Code eq 'X2'", "$select": "Code,Name"})
    assert selected == [{"Code": "X2", "Name": "X2"}]
    newest = rows(**{"$orderBy": "ProductId desc", "$top": 2, "$select": "Code"})
    assert newest == [{"Code": "X3"}, {"Code": "X2"}]
    cheap_out = rows(
        **{"$filter": "UnitListPrice lt 1 and InAssortment eq false", "$select": "Code"}
    )
    assert len(cheap_out) == PRODUCTS // 100
    either = rows(**{"$filter": "(Code eq 'X1' or Code eq 'X3') and not (Name eq 'X3')"})
    assert [r["Code"] for r in either] == ["X1"]
    starts = rows(**{"$filter": "startswith(Code,'X')", "$select": "Code"})
    assert [r["Code"] for r in starts] == ["X1", "X2", "X3"]
    assert len(rows(**{"$filter": "Name begins 'Product 199'"})) == 11
    quoted = rows(**{"$filter": "Name eq 'it''s'"})
    assert quoted == []
    skipped = rows(**{"$filter": "Code begins 'X'", "$skip": 1, "$select": "Code"})
    assert skipped == [{"Code": "X2"}, {"Code": "X3"}]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"$filter": "Colour eq 'red'"}, "unknown field 'Colour'"),
        ({"$filter": "Code eq"}, "ends too early"),
        ({"$filter": "Code like 'x'"}, "unknown operator 'like'"),
        ({"$filter": "ProductId gt 'abc'"}, "takes a number"),
        ({"$filter": "Code eq 'x' )"}, "unexpected ')'"),
        ({"$orderBy": "Colour"}, "cannot sort by 'Colour'"),
        ({"$orderBy": "Code sideways"}, "cannot sort by"),
        ({"$select": "Code,Colour"}, "unknown field 'Colour'"),
        ({"$top": "many"}, "$top must be a whole number"),
        ({"$skip": "-1"}, "$skip must not be negative"),
    ],
)
def test_bad_odata_options_are_a_400(api: Api, params: dict[str, str], expected: str) -> None:
    assert expected in _error(api.http.get("/api/v1/Product", params=params), 400)


def test_price_list_listing_uses_carrier_names(api: Api) -> None:
    api.new_price_list("A")
    api.new_price_list("B", Currency="EUR")
    page = api.http.get("/api/v1/Pricelist", params={"$filter": "Currency eq 'EUR'"}).json()
    assert [(p["Name"], p["Currency"], p["ERPPriceListKey"]) for p in page["value"]] == [
        ("B", "EUR", "2")
    ]


def test_error_answers_say_what_would_be_right(api: Api) -> None:
    near = _error(api.http.get("/api/v1/Product", params={"$filter": "Cod eq 'x'"}), 400)
    assert near == "$filter: unknown field 'Cod'; did you mean 'Code'?"
    listed = _error(api.http.get("/api/v1/Product", params={"$select": "Zzz"}), 400)
    assert listed.startswith("$select: unknown field 'Zzz'; the fields are: ProductId, ")
    wrong = _error(api.http.post("/api/v1/Pricelist", json={"Name": "P", "IsActive": "yes"}), 400)
    assert wrong == "'IsActive' has the wrong type: it takes true or false, not str."
    typo = _error(api.http.post("/api/v1/Agents/ErpSync/GetAllConections", json={}), 404)
    assert typo.endswith("Did you mean /api/v1/Agents/ErpSync/GetAllConnections?")


def test_a_mapping_without_an_actor_type_says_which_are_allowed(api: Api) -> None:
    answer = api.http.post(
        "/api/v1/Agents/ErpSync/SaveActorTypeMapping", json={"Mapping": {"ErpConnectionId": 1}}
    ).json()
    assert answer["Message"].startswith("Mapping.ActorTypeErp must be one of Customer, Supplier")
    assert answer["Message"].endswith("; it is missing.")
