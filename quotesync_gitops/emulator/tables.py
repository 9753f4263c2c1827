"""Columns of the price list and product tables, and how they map to carrier field names.

One definition feeds the DDL (real columns, so a keyset page over 100,000 products is an indexed
range scan), the carriers, and the OData ``$filter`` / ``$orderBy`` / ``$select`` translation.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

ColumnKind = Literal["int", "str", "float", "bool", "date"]


@dataclass(frozen=True)
class Column:
    """A column of a table and the carrier field it holds."""

    carrier: str  # carrier field name (PascalCase, as in the API documents)
    name: str  # SQL column
    kind: ColumnKind

    @property
    def sql_type(self) -> str:
        return {"int": "INTEGER", "float": "REAL", "bool": "INTEGER"}.get(self.kind, "TEXT")

    @property
    def empty(self) -> Any:
        return {"int": 0, "float": 0.0, "bool": False}.get(self.kind, "")

    def to_carrier(self, value: Any) -> Any:
        if value is None:
            return self.empty
        if self.kind == "bool":
            return bool(value)
        if self.kind == "float":
            return float(value)
        return value


@dataclass(frozen=True)
class Table:
    """A table whose first column is its key."""

    name: str
    columns: tuple[Column, ...]

    @property
    def key(self) -> Column:
        return self.columns[0]

    def by_carrier(self, name: str) -> Column | None:
        lowered = name.lower()
        return next((c for c in self.columns if c.carrier.lower() == lowered), None)

    def unknown_field(self, name: str) -> str:
        """Why ``name`` is refused, with the nearest field or the list of them."""
        names = [c.carrier for c in self.columns]
        import difflib  # a suggestion is rare: not imported at start-up

        near = difflib.get_close_matches(name, names, n=1)
        hint = f"did you mean '{near[0]}'?" if near else f"the fields are: {', '.join(names)}."
        return f"unknown field '{name}'; {hint}"

    def ddl(self) -> str:
        cols = [f"{self.key.name} INTEGER PRIMARY KEY AUTOINCREMENT"]
        cols += [f"{c.name} {c.sql_type} NOT NULL" for c in self.columns[1:]]
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({', '.join(cols)})"

    def carrier(self, row: Any, columns: tuple[Column, ...] | None = None) -> dict[str, Any]:
        return {c.carrier: c.to_carrier(row[c.name]) for c in (columns or self.columns)}


def _c(carrier: str, kind: ColumnKind, name: str | None = None) -> Column:
    if name is None:
        name = "".join("_" + ch.lower() if ch.isupper() else ch for ch in carrier).lstrip("_")
    return Column(carrier, name, kind)


PRICE_LIST = Table(
    "price_list",
    (
        _c("PriceListId", "int", "id"),
        _c("ERPPriceListKey", "str", "erp_key"),
        _c("QuoteConnectionId", "int", "quote_connection_id"),
        _c("Name", "str"),
        _c("Description", "str"),
        _c("Currency", "str"),
        _c("CurrencyName", "str", "currency_name"),
        _c("ValidFrom", "date", "valid_from"),
        _c("ValidTo", "date", "valid_to"),
        _c("IsActive", "bool", "is_active"),
    ),
)

PRODUCT = Table(
    "product",
    (
        _c("ProductId", "int", "id"),
        _c("ERPProductKey", "str", "erp_product_key"),
        _c("ERPPriceListKey", "str", "erp_price_list_key"),
        _c("Name", "str"),
        _c("Description", "str"),
        _c("Code", "str"),
        _c("PriceUnit", "str"),
        _c("QuantityUnit", "str"),
        _c("IsSubscription", "bool"),
        _c("SubscriptionUnit", "str"),
        _c("DefaultSubscriptionQuantity", "float"),
        _c("ItemNumber", "str"),
        _c("Url", "str"),
        _c("ProductCategoryKey", "str"),
        _c("ProductFamilyKey", "str"),
        _c("ProductTypeKey", "str"),
        _c("VAT", "float", "vat"),
        _c("VATInfo", "str", "vat_info"),
        _c("UnitCost", "float"),
        _c("UnitMinimumPrice", "float"),
        _c("UnitListPrice", "float"),
        _c("InAssortment", "bool"),
        _c("Supplier", "str"),
        _c("SupplierCode", "str"),
        _c("Rights", "str"),
        _c("Rule", "str"),
        _c("RawExtraInfo", "str"),
        _c("ExtraField1", "str", "extra_field1"),
        _c("ExtraField2", "str", "extra_field2"),
        _c("ExtraField3", "str", "extra_field3"),
        _c("ExtraField4", "str", "extra_field4"),
        _c("ExtraField5", "str", "extra_field5"),
        _c("InStock", "float"),
    ),
)
