"""What the CRM itself knows: its sync fields per actor, its MDO lists, quote line settings.

These are seeded into a new database (MDO lists, quote line configuration) or used as fixed
reference data (CRM field keys), like the built-in parts of a new SuperOffice tenant.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CrmField:
    """A CRM field an ERP field can be mapped to."""

    key: str
    display_name: str
    list_name: str = ""  # the MDO list behind a list field


CRM_FIELDS: dict[str, tuple[CrmField, ...]] = {
    "Contact": (
        CrmField("contact.name", "Company name"),
        CrmField("contact.orgnr", "VAT no."),
        CrmField("contact.number1", "Number"),
        CrmField("contact.number2", "Code"),
        CrmField("contact.department", "Department"),
        CrmField("contact.phone", "Phone"),
        CrmField("contact.email", "E-mail"),
        CrmField("contact.url", "Web site"),
        CrmField("contact.address1", "Postal address"),
        CrmField("contact.zipcode", "Postcode"),
        CrmField("contact.city", "City"),
        CrmField("contact.country", "Country", "country"),
        CrmField("contact.business", "Business", "business"),
        CrmField("contact.category", "Category", "category"),
    ),
    "Person": (
        CrmField("person.firstname", "First name"),
        CrmField("person.lastname", "Last name"),
        CrmField("person.email", "E-mail"),
        CrmField("person.phone", "Phone"),
        CrmField("person.title", "Title"),
    ),
    "Project": (
        CrmField("project.name", "Project name"),
        CrmField("project.number", "Project number"),
        CrmField("project.status", "Status", "projectstatus"),
        CrmField("project.startdate", "Start date"),
    ),
    "Sale": (
        CrmField("sale.heading", "Heading"),
        CrmField("sale.amount", "Amount"),
        CrmField("sale.saledate", "Sale date"),
    ),
}

#: The CRM actor an ERP actor type maps to unless told otherwise.
DEFAULT_CRM_ACTOR: dict[str, str] = {
    "Customer": "Contact",
    "Supplier": "Contact",
    "Partner": "Contact",
    "Person": "Person",
    "Employee": "Person",
    "Project": "Project",
    "Sale": "Sale",
}

ERP_ACTOR_TYPES = tuple(DEFAULT_CRM_ACTOR)
CRM_ACTOR_TYPES = tuple(CRM_FIELDS)


def crm_field(crm_actor: str, key: str) -> CrmField | None:
    return next((f for f in CRM_FIELDS.get(crm_actor, ()) if f.key == key), None)


@dataclass(frozen=True)
class MdoItem:
    """An item of an MDO list."""

    id: int
    name: str
    full_name: str = ""
    tooltip: str = ""


def _items(*names: str) -> tuple[MdoItem, ...]:
    return tuple(MdoItem(i, name) for i, name in enumerate(names, start=1))


MDO_LISTS: dict[str, tuple[MdoItem, ...]] = {
    "associate": (
        MdoItem(1, "ADM0", "System Administrator"),
        MdoItem(2, "ANNA", "Anna Berg"),
        MdoItem(3, "BJORN", "Bjørn Dahl"),
        MdoItem(4, "CARLA", "Carla Eriksen"),
        MdoItem(5, "DAVID", "David Foss"),
    ),
    "usergroup": _items("Sales", "Support", "Finance", "Management"),
    "country": _items("Norway", "Sweden", "Denmark", "United Kingdom", "Germany", "United States"),
    "currency": _items("NOK", "SEK", "DKK", "EUR", "GBP", "USD"),
    "business": _items("IT", "Manufacturing", "Retail", "Consulting"),
    "category": _items("Customer", "Prospect", "Partner", "Supplier"),
    "projectstatus": _items("Planning", "In progress", "Completed"),
}

#: Ids used for the ``CrmList`` of a list mapping (an MDOListItem naming the list).
MDO_LIST_IDS: dict[str, int] = {name: i for i, name in enumerate(MDO_LISTS, start=1)}


@dataclass(frozen=True)
class QuoteLineField:
    """A quote line field and how the CRM configures it."""

    field_name: str
    label: str
    tooltip: str
    editable: bool
    in_use: bool
    mandatory: bool
    restrict_edit: bool = False


QUOTE_LINE_FIELDS: tuple[QuoteLineField, ...] = (
    QuoteLineField("Code", "Code", "Product code", False, True, False, restrict_edit=True),
    QuoteLineField("Name", "Name", "Product name", False, True, False, restrict_edit=True),
    QuoteLineField("Description", "Description", "Product description", True, True, False),
    QuoteLineField("Quantity", "Quantity", "Number of units", True, True, True),
    QuoteLineField("QuantityUnit", "Unit", "Unit of the quantity", False, True, False),
    QuoteLineField("UnitListPrice", "List price", "Price per unit", False, True, False),
    QuoteLineField("UnitCost", "Cost", "Cost per unit", False, False, False),
    QuoteLineField(
        "UnitMinimumPrice", "Minimum price", "Lowest price per unit", False, False, False
    ),
    QuoteLineField("DiscountPercent", "Discount %", "Discount in percent", True, True, False),
    QuoteLineField("VAT", "VAT", "Value added tax", False, True, False),
    QuoteLineField("TotalPrice", "Total", "Total price of the line", False, True, False),
    QuoteLineField("ItemNumber", "Item no.", "Item number in the ERP", False, False, False),
    QuoteLineField("ProductCategoryKey", "Category", "Product category", False, False, False),
    QuoteLineField("ExtraField1", "Extra field 1", "Free text", True, False, False),
    QuoteLineField("ExtraField2", "Extra field 2", "Free text", True, False, False),
)
