"""The Product carrier's fields: what the reader (live/) and the writer (apply/) share.

Products belong to a price list (``kinds/price_list/``); their carrier mapping lives here,
below both stages, so neither has to import the other.
"""

from __future__ import annotations

from collections.abc import Mapping

from quotesync_gitops.model import ImageFile
from quotesync_gitops.secrets import Secret

#: A canonical product value: text (a secret when the manifest takes it from ``${env:}``),
#: a number (a float rounded to 6 places: PRODUCT_NUMBERS) or a flag (PRODUCT_BOOLEANS).
ProductValue = str | Secret | float | bool
#: A canonical product (docs/design.md's PRODUCT): every key of PRODUCT_FIELDS. A mapping
#: keyed by field name rather than a TypedDict: the hot path builds and compares products by
#: iterating PRODUCT_FIELDS, and its values are typed by the two sets below.
ProductSpec = Mapping[str, ProductValue]
#: A product image (docs/design.md, ``images``): the manifest's file (an ImageFile, a str),
#: the live image's description (a str), or None (no image).
ImageSpec = ImageFile | str | None

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
