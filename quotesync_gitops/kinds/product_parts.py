"""The Product carrier's fields: what the reader (live/) and the writer (apply/) share.

Products belong to a price list (``kinds/price_list/``); their carrier mapping lives here,
below both stages, so neither has to import the other.
"""

from __future__ import annotations

#: canonical product field -> Product carrier field
PRODUCT_FIELDS: dict[str, str] = {
    "code": "Code",
    "name": "Name",
    "description": "Description",
    "priceUnit": "PriceUnit",
    "quantityUnit": "QuantityUnit",
    "listPrice": "UnitListPrice",
    "cost": "UnitCost",
    "minimumPrice": "UnitMinimumPrice",
    "vat": "VAT",
    "vatInfo": "VATInfo",
    "inAssortment": "InAssortment",
    "isSubscription": "IsSubscription",
    "subscriptionUnit": "SubscriptionUnit",
    "defaultSubscriptionQuantity": "DefaultSubscriptionQuantity",
    "itemNumber": "ItemNumber",
    "url": "Url",
    "category": "ProductCategoryKey",
    "family": "ProductFamilyKey",
    "type": "ProductTypeKey",
    "supplier": "Supplier",
    "supplierCode": "SupplierCode",
    "rule": "Rule",
    "erpKey": "ERPProductKey",
    "inStock": "InStock",
    "extraField1": "ExtraField1",
    "extraField2": "ExtraField2",
    "extraField3": "ExtraField3",
    "extraField4": "ExtraField4",
    "extraField5": "ExtraField5",
}
PRODUCT_NUMBERS = frozenset(
    {"listPrice", "cost", "minimumPrice", "vat", "defaultSubscriptionQuantity", "inStock"}
)
PRODUCT_BOOLEANS = frozenset({"inAssortment", "isSubscription"})
