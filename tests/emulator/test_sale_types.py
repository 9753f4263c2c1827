"""The emulator's List agent (sale types, document templates) over HTTP, against ListAgent's
own document, and the rules a reconciler must live with: a save replaces the whole entity."""

from __future__ import annotations

from typing import Any

from tests.emulator.conftest import Api
from tests.support.contract import assert_matches

LIST = "ListAgent"
S = "SuperOffice.CRM.Services."


def list_call(api: Api, method: str, body: Any = None, **params: Any) -> Any:
    response = api.agent("List", method, body, **params)
    assert response.status_code == 200, response.text
    return response.json()


def sale_type(api: Api, name: str) -> dict[str, Any]:
    rows = list_call(api, "GetAllSaleTypeEntities", {"IncludeDeleted": False})
    return dict(next(r for r in rows if r["Name"] == name))


def test_answers_match_the_documented_carriers(api: Api) -> None:
    rows = list_call(api, "GetAllSaleTypeEntities", {"IncludeDeleted": True})
    assert [r["Name"] for r in rows] == ["Standard", "Hardware", "Consulting", "Subscription"]
    assert_matches(LIST, S + "SaleTypeEntity", rows, many=True)
    one = list_call(api, "GetSaleTypeEntity", saleTypeEntityId=rows[1]["SaleTypeId"])
    assert one == rows[1]
    assert_matches(LIST, S + "SaleTypeEntity", one)
    assert_matches(LIST, S + "SaleTypeEntity", list_call(api, "CreateDefaultSaleTypeEntity"))
    templates = list_call(api, "GetAllDocumentTemplates", {"IncludeDeleted": False})
    assert_matches(LIST, S + "DocumentTemplateEntity", templates, many=True)
    assert {t["QuoteDocType"] for t in templates} >= {"QuoteLines", "ConfirmationLines"}


def test_a_save_replaces_the_whole_entity(api: Api) -> None:
    """What makes read-modify-write necessary: fields left out take their defaults."""
    hardware = sale_type(api, "Hardware")
    assert hardware["Stages"] and hardware["HasGuide"]

    full = dict(hardware, AllowQuoteAlternatives=True)
    saved = list_call(api, "SaveSaleTypeEntity", full)
    assert saved == dict(hardware, AllowQuoteAlternatives=True)
    assert_matches(LIST, S + "SaleTypeEntity", saved)

    partial = {"SaleTypeId": hardware["SaleTypeId"], "Name": "Hardware", "MaxDiscountPercent": 5}
    wiped = list_call(api, "SaveSaleTypeEntity", partial)
    assert wiped["Stages"] == [] and wiped["HasGuide"] is False
    assert wiped["AllowQuoteAlternatives"] is False


def test_templates_must_be_of_the_right_quote_type(api: Api) -> None:
    templates = {
        t["Name"]: t for t in list_call(api, "GetAllDocumentTemplates", {"IncludeDeleted": False})
    }
    standard = sale_type(api, "Standard")
    confirmation = templates["Order confirmation lines"]["DocumentTemplateId"]

    refused = list_call(api, "SaveSaleTypeEntity", dict(standard, QuoteLinesTemplate=confirmation))
    assert "ConfirmationLines template, not QuoteLines" in refused["Message"]
    missing = list_call(api, "SaveSaleTypeEntity", dict(standard, ConfirmationLinesTemplate=999))
    assert "no document template with id 999" in missing["Message"]
    assert sale_type(api, "Standard") == standard  # nothing stored


def test_limits_and_names_are_checked(api: Api) -> None:
    standard = sale_type(api, "Standard")
    assert (
        "between 0 and 100"
        in list_call(api, "SaveSaleTypeEntity", dict(standard, MaxDiscountPercent=101))["Message"]
    )
    assert (
        "needs a Name" in list_call(api, "SaveSaleTypeEntity", dict(standard, Name=" "))["Message"]
    )
    bad = api.agent("List", "SaveSaleTypeEntity", dict(standard, DefaultQuoteValidity="30"))
    assert bad.status_code == 400
    assert sale_type(api, "Standard") == standard
