from __future__ import annotations

import pytest

from tests.support.contract import assert_matches, schema_names


def test_contract_helper_accepts_a_valid_connection() -> None:
    assert_matches(
        "ErpSyncAgent",
        "SuperOffice.CRM.Services.ErpConnection",
        {"ErpConnectionId": 1, "DisplayName": "x", "Active": True, "ConfigFields": {"a": "b"}},
    )


def test_contract_helper_rejects_wrong_types() -> None:
    with pytest.raises(AssertionError, match="ErpConnection"):
        assert_matches(
            "ErpSyncAgent",
            "SuperOffice.CRM.Services.ErpConnection",
            {"ErpConnectionId": "one", "ConfigFields": {"a": 1}},
        )


def test_contract_helper_validates_arrays_and_swagger2() -> None:
    assert "SuperOffice.CRM.Services.QuoteConnection" in schema_names("QuoteAgent")
    assert_matches(
        "QuoteAgent",
        "SuperOffice.CRM.Services.QuoteConnection",
        [{"QuoteConnectionId": 3}],
        many=True,
    )
    with pytest.raises(AssertionError):
        assert_matches(
            "QuoteAgent", "SuperOffice.CRM.Services.QuoteConnection", [{"Deleted": "no"}], many=True
        )


def test_contract_helper_rejects_undocumented_properties() -> None:
    body = {"ErpConnectionId": 1, "Nickname": "x"}
    with pytest.raises(AssertionError, match="Nickname"):
        assert_matches("ErpSyncAgent", "SuperOffice.CRM.Services.ErpConnection", body)
    assert_matches("ErpSyncAgent", "SuperOffice.CRM.Services.ErpConnection", body, strict=False)
