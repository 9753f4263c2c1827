"""The List agent calls (sale types, document templates): documented paths, request bodies
that match ListAgent.swagger2.json, and answers checked at the boundary."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from quotesync_gitops.crm.errors import CrmProtocolError
from tests.crm.helpers import json_response, make_client
from tests.support.contract import API_DIR, assert_matches

CARRIERS = "SuperOffice.WebApi.v1.Carriers.ListCarriers."
ENTITY = {
    "SaleTypeId": 2,
    "Name": "Hardware",
    "Tooltip": "",
    "Rank": 2,
    "DurationUnit": "Day",
    "SaleDuration": 60,
    "SaleTypeCatId": 0,
    "Deleted": False,
    "HasGuide": True,
    "HasStakeholders": False,
    "IsAutoAdvance": False,
    "AllowQuoteAlternatives": True,
    "DefaultQuoteValidity": 30,
    "QuoteLinesTemplate": 1,
    "ConfirmationLinesTemplate": 3,
    "MaxDiscountPercentSet": True,
    "MinEarningPercentSet": False,
    "MaxDiscountPercent": 15,
    "MinEarningPercent": 0,
    "GroupQuoteLinesBy": 0,
    "SortGroupLinesBy": 0,
    "Stages": [{"Id": 1, "Name": "Lead", "Selected": True}],
}
TEMPLATE = {"DocumentTemplateId": 1, "Name": "Quote lines", "QuoteDocType": "QuoteLines"}


def answer(request: httpx.Request) -> httpx.Response:
    name = request.url.path.rsplit("/", 1)[1]
    if name == "GetAllSaleTypeEntities":
        return json_response([ENTITY])
    if name == "GetAllDocumentTemplates":
        return json_response([TEMPLATE])
    return json_response(ENTITY)


def documented_paths() -> set[str]:
    doc = json.loads(Path(API_DIR / "ListAgent.swagger2.json").read_text(encoding="utf-8"))
    return set(doc["paths"])


def test_calls_post_documented_bodies_to_documented_paths() -> None:
    client, recorder = make_client(answer)

    assert client.list_get_all_sale_types() == [ENTITY]
    assert client.list_get_sale_type(2) == ENTITY
    assert client.list_save_sale_type(ENTITY) == ENTITY
    assert client.list_get_all_document_templates() == [TEMPLATE]

    assert all(r.method == "POST" for r in recorder.requests)
    assert {p.removeprefix("/Cust12345") for p in recorder.paths()} <= documented_paths()
    all_types, one, save, templates = recorder.bodies()
    assert_matches("ListAgent", CARRIERS + "GetAllSaleTypeEntitiesRequest", all_types)
    assert all_types == {"IncludeDeleted": False}
    assert one is None  # the id travels in the query, as documented
    assert recorder.requests[1].url.params["saleTypeEntityId"] == "2"
    assert_matches("ListAgent", "SuperOffice.CRM.Services.SaleTypeEntity", save)
    assert save == ENTITY  # the whole entity, unwrapped
    assert_matches("ListAgent", CARRIERS + "GetAllDocumentTemplatesRequest", templates)


@pytest.mark.parametrize(
    ("field", "value"),
    [("SaleTypeId", "2"), ("MaxDiscountPercent", "15"), ("AllowQuoteAlternatives", 1)],
)
def test_answers_of_the_wrong_type_are_refused(field: str, value: object) -> None:
    broken = {**ENTITY, field: value}
    client, _ = make_client(lambda _request: json_response([broken]))

    with pytest.raises(CrmProtocolError, match=f"SaleTypeEntity\\[0\\].{field} should be"):
        client.list_get_all_sale_types()
