"""List agent calls (``POST /api/v1/Agents/List/<Method>``), see ListAgent.swagger2.json.

Only what the quote settings of sale types need: the sale types as entities, one sale type,
its save, and the document templates (quote-lines and confirmation-lines templates are named
by id in a sale type).
"""

from __future__ import annotations

from typing import Any

from quotesync_gitops.crm.core import CrmCore
from quotesync_gitops.crm.shapes import BOOL, ID, INT, STR, Carrier, list_of, object_of

AGENT = "List"

SALE_TYPE_ENTITY = Carrier(
    "SaleTypeEntity",
    {
        "SaleTypeId": ID,
        "Name": STR,
        "Deleted": BOOL,
        "AllowQuoteAlternatives": BOOL,
        "DefaultQuoteValidity": INT,
        "QuoteLinesTemplate": INT,
        "ConfirmationLinesTemplate": INT,
        "MaxDiscountPercentSet": BOOL,
        "MinEarningPercentSet": BOOL,
        "MaxDiscountPercent": INT,
        "MinEarningPercent": INT,
        "GroupQuoteLinesBy": INT,
        "SortGroupLinesBy": INT,
    },
)
DOCUMENT_TEMPLATE = Carrier(
    "DocumentTemplateEntity",
    {"DocumentTemplateId": ID, "Name": STR, "QuoteDocType": STR, "Deleted": BOOL},
)


def _sale_type(sale_type_id: int) -> str:
    return f"sale type #{sale_type_id}"


class ListCalls(CrmCore):
    """Sale types (their quote settings) and document templates."""

    def list_get_all_sale_types(self) -> list[dict[str, Any]]:
        """``GetAllSaleTypeEntities {IncludeDeleted: false}``: sale types in use."""
        return self._agent(
            AGENT,
            "GetAllSaleTypeEntities",
            list_of(SALE_TYPE_ENTITY),
            {"IncludeDeleted": False},
        )

    def list_get_sale_type(self, sale_type_id: int) -> dict[str, Any]:
        """``GetSaleTypeEntity?saleTypeEntityId=`` (the id in the query, as documented)."""
        return self._agent(
            AGENT,
            "GetSaleTypeEntity",
            object_of(SALE_TYPE_ENTITY),
            params={"saleTypeEntityId": sale_type_id},
            subject=_sale_type(sale_type_id),
        )

    def list_save_sale_type(self, entity: dict[str, Any]) -> dict[str, Any]:
        """``SaveSaleTypeEntity``: the body is the whole entity, which replaces the stored one.

        Only updates are sent (quotesync never creates sale types), so a retry is safe.
        """
        sale_type_id = int(entity.get("SaleTypeId") or 0)
        return self._agent(
            AGENT,
            "SaveSaleTypeEntity",
            object_of(SALE_TYPE_ENTITY),
            entity,
            subject=_sale_type(sale_type_id),
            idempotent=sale_type_id > 0,
            creating=sale_type_id <= 0,
        )

    def list_get_all_document_templates(self) -> list[dict[str, Any]]:
        """``GetAllDocumentTemplates {IncludeDeleted: false}``."""
        return self._agent(
            AGENT,
            "GetAllDocumentTemplates",
            list_of(DOCUMENT_TEMPLATE),
            {"IncludeDeleted": False},
        )
