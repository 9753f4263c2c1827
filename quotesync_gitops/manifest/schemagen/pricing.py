"""Schemas of the quote side: price lists, product-field settings, repository settings."""

from __future__ import annotations

from quotesync_gitops.manifest.schemagen.parts import (
    CURRENCY_PATTERN,
    DATE_PATTERN,
    DELETED,
    FIELD_NAME_PATTERN,
    URL_MAX,
    Schema,
    array,
    boolean,
    enum,
    envelope,
    integer,
    name,
    nullable,
    number,
    obj,
    pattern,
    ref,
    text,
    tombstone_rule,
)
from quotesync_gitops.model import CRM_KINDS

PRODUCT: Schema = obj(
    {
        "code": name("Product code / article number in the ERP system; unique in the price list."),
        "name": text("Product name shown on quote lines."),
        "description": text("Longer description, also the tooltip in product lists."),
        "priceUnit": text("Unit the price is given for (pcs, hour, month, ...)."),
        "quantityUnit": text("Unit quantities are counted in."),
        "listPrice": number("List price per price unit (UnitListPrice); discounts start from it."),
        "cost": number("Cost price per unit (UnitCost)."),
        "minimumPrice": number("Lowest price a salesperson may offer (UnitMinimumPrice)."),
        "vat": number("VAT as a percentage, 0 to 100.", minimum=0, maximum=100),
        "vatInfo": text("VAT text for quote documents (e.g. the VAT type)."),
        "inAssortment": boolean(
            "Whether the product is offered. false takes it out of the assortment (the soft "
            "delete of a product). Default true."
        ),
        "isSubscription": boolean("Whether the product is sold as a subscription. Default false."),
        "subscriptionUnit": text("Subscription unit (a list id or a text such as month)."),
        "defaultSubscriptionQuantity": number(
            "Number of subscription units suggested on new quote lines."
        ),
        "itemNumber": text("Line item number used to sort quote lines, e.g. 1.4.3."),
        "url": text("Web page with product information.", max_length=URL_MAX),
        "category": text("Product category (ProductCategoryKey)."),
        "family": text("Product family (ProductFamilyKey)."),
        "type": text("Product type (ProductTypeKey)."),
        "supplier": text("Supplier of the product."),
        "supplierCode": text("The supplier's own code for the product."),
        "rule": text("Names of calculation rules for the line, comma-separated."),
        "erpKey": text("Key of the product in the ERP system (ERPProductKey)."),
        "inStock": number("Number in stock; negative means on order."),
        "extraField1": text("Extra field 1, free text the quote document can show."),
        "extraField2": text("Extra field 2, free text the quote document can show."),
        "extraField3": text("Extra field 3, free text the quote document can show."),
        "extraField4": text("Extra field 4, free text the quote document can show."),
        "extraField5": text("Extra field 5, free text the quote document can show."),
    },
    description="A product of the price list, identified by its code.",
    required=("code",),
)


def price_list() -> Schema:
    date = "Date as YYYY-MM-DD."
    spec = obj(
        {
            "description": text("Description of the price list, also its tooltip."),
            "currency": pattern(
                "ISO 4217 currency code of all prices in the list, e.g. NOK, EUR, USD. "
                "Cannot change after creation.",
                CURRENCY_PATTERN,
            ),
            "currencyName": text(
                "Currency name shown to users, e.g. Norwegian krone. Empty leaves it to the CRM."
            ),
            "validFrom": pattern(
                f"First day the price list is valid (inclusive). {date}", DATE_PATTERN
            ),
            "validTo": pattern(
                f"Last day the price list is valid (inclusive). {date}", DATE_PATTERN
            ),
            "active": boolean("Whether the price list is in use. Default true."),
            "erpKey": text(
                "Key of the price list in the ERP system (ERPPriceListKey). Empty lets the CRM "
                "assign one."
            ),
            "quoteConnection": nullable(
                name("Name of the QuoteConnection the price list belongs to. Optional.")
            ),
            "products": array("Products of the price list.", ref("product", "A product.")),
            "productsFile": name(
                "CSV file with more products, relative to this manifest. Its header row uses "
                "the product field names (code, name, listPrice, ...)."
            ),
            "deleted": DELETED,
        },
        description="The price list.",
    ) | tombstone_rule(("currency", "validFrom", "validTo"))
    return envelope(
        "PriceList",
        "Price list and its products",
        "A price list: currency, validity, whether it is active, and its products (inline "
        "and/or from a CSV file next to the manifest).",
        spec,
        {"product": PRODUCT},
    )


LINE_FIELD: Schema = obj(
    {
        "shown": boolean("Show the field in the Configure product dialog (InUse)."),
        "label": text("Label shown for the field."),
        "tooltip": text("Tooltip shown for the field."),
        "editable": boolean("Whether users may edit the field."),
        "mandatory": boolean("Whether users must fill the field in."),
        "order": integer("Position of the field (Rank); lower comes first.", minimum=0),
    },
    description="Settings of one quote line field; only the settings given are managed.",
)


def product_field_settings() -> Schema:
    spec = obj(
        {
            "fields": {
                "type": "object",
                "description": (
                    "Quote line fields by their field name (Quantity, DiscountPercent, "
                    "UnitCost, ExtraField1, ...). Fields not listed are left as they are."
                ),
                "propertyNames": {"pattern": FIELD_NAME_PATTERN, "maxLength": 254},
                "additionalProperties": ref("lineField", "Settings of one quote line field."),
            },
            "deleted": DELETED,
        },
        description="The product-field settings.",
    )
    return envelope(
        "ProductFieldSettings",
        "Quote line product-field settings (one per repository)",
        "The Configure product settings of quote lines: per field whether it is shown, its "
        "label and tooltip, whether it is editable or mandatory, and its order.",
        spec,
        {"lineField": LINE_FIELD},
    )


def repository_settings() -> Schema:
    percent = {"minimum": 0.0, "maximum": 100.0}
    spec = obj(
        {
            "prune": array(
                "Kinds whose CRM objects that no manifest describes are soft-deleted by apply. "
                "Default [] (unmanaged objects are only reported).",
                enum("A kind that lives in the CRM.", [str(k) for k in CRM_KINDS]),
                unique=True,
            ),
            "allowDeletes": boolean(
                "Let apply soft-delete without --allow-deletes. Default false."
            ),
            "acknowledgeUnmanaged": array(
                "Live objects no manifest describes that this repository knows about (e.g. "
                "connectors installed with the tenant): plan lists them as acknowledged, drift "
                "does not count them, pruning leaves them alone. Drift still reports any "
                "unmanaged object not listed here. Default [].",
                obj(
                    {
                        "kind": enum(
                            "The object's kind (a kind that lives in the CRM).",
                            [str(k) for k in CRM_KINDS],
                        ),
                        "name": name("The object's name in the CRM, exactly as plan lists it."),
                        "note": text(
                            "Why it is left alone (for the people reading the repository).",
                            max_length=1000,
                        ),
                    },
                    description="One acknowledged object, by kind and name.",
                    required=("kind", "name"),
                ),
            ),
            "guards": obj(
                {
                    "maxDeletePercent": number(
                        "Stop apply when more than this percentage of one kind's objects "
                        "would be deleted. Default 30.",
                        **percent,
                    ),
                    "maxUpdatePercent": number(
                        "Stop apply when more than this percentage of one kind's objects "
                        "would be updated. Default 30.",
                        **percent,
                    ),
                    "minExisting": integer(
                        "Guards apply only to kinds with at least this many objects. Default 10.",
                        minimum=0,
                    ),
                },
                description="Safety limits for mass changes (overridden by --allow-mass-changes).",
            ),
            "deleted": DELETED,
        },
        description="The repository settings.",
    )
    return envelope(
        "RepositorySettings",
        "Settings of this manifest repository (one per repository)",
        "How the tool treats this repository: which kinds are pruned, and the safety guards "
        "for deletions and mass changes. Not stored in the CRM.",
        spec,
        {},
    )
