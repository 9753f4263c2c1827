"""Schema of SaleTypeQuoteSettings: the quote settings of one sale type."""

from __future__ import annotations

from quotesync_gitops.manifest.schemagen.parts import (
    Schema,
    boolean,
    envelope,
    integer,
    name,
    nullable,
    obj,
)

#: DefaultQuoteValidity, MaxDiscountPercent... are int32 in ListAgent.swagger2.json.
INT32_MAX = 2**31 - 1


def _percent(description: str) -> Schema:
    return nullable(integer(description, minimum=0, maximum=100))


def sale_type_quote_settings() -> Schema:
    spec = obj(
        {
            "allowQuoteAlternatives": boolean(
                "Whether quotes on sales of this type may have several alternatives "
                "(AllowQuoteAlternatives)."
            ),
            "defaultQuoteValidity": integer(
                "Days a quote on a sale of this type is valid, counted from when it is sent "
                "(DefaultQuoteValidity).",
                minimum=0,
                maximum=INT32_MAX,
            ),
            "quoteLinesTemplate": nullable(
                name(
                    "Name of the document template that lays out the product lines of the "
                    "quote; it must be a QuoteLines template. null: none."
                )
            ),
            "confirmationLinesTemplate": nullable(
                name(
                    "Name of the document template that lays out the product lines of the "
                    "order confirmation; it must be a ConfirmationLines template. null: none."
                )
            ),
            "maxDiscountPercent": _percent(
                "Quotes that give more total discount than this percentage need approval "
                "(MaxDiscountPercent with MaxDiscountPercentSet). null: no limit."
            ),
            "minEarningPercent": _percent(
                "Quotes that earn less than this percentage of their total need approval "
                "(MinEarningPercent with MinEarningPercentSet). null: no limit."
            ),
            "groupQuoteLinesBy": integer(
                "Field the quote lines are grouped by (GroupQuoteLinesBy), as the number the "
                "CRM stores; 0 is the CRM's default. The API documents it only as a number.",
                minimum=0,
                maximum=INT32_MAX,
            ),
            "sortGroupLinesBy": integer(
                "Field the lines in a group are sorted by (SortGroupLinesBy), as the number the "
                "CRM stores; 0 is the CRM's default.",
                minimum=0,
                maximum=INT32_MAX,
            ),
            "deleted": boolean(
                "Tombstone. The CRM cannot delete quote settings: true (or removing the "
                "manifest) only stops managing them; nothing is written."
            ),
        },
        description=(
            "The quote settings of the sale type. Only the settings given are managed; the "
            "others, and everything else about the sale type, are left as they are."
        ),
    )
    return envelope(
        "SaleTypeQuoteSettings",
        "Quote settings of one sale type",
        "The quote settings of an existing sale type, named by metadata.name: alternatives, "
        "validity, the quote-lines and confirmation-lines templates, the approval limits, and "
        "the grouping and sorting of quote lines.",
        spec,
        {},
    )
