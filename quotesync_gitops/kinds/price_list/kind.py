"""PriceList: a price list and its products (REST ``/api/v1/Pricelist``).

Price lists have no deleted flag: their soft delete is ``IsActive: false``, so an inactive
list counts as retired. Currency and validity cannot change after creation (a replace).
The products are compared and written by the product hot path (plan/products.py,
live/products.py); this module holds the list's own carrier, both ways.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypedDict

from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    ManifestSpec,
    Reference,
    Spec,
    WriteGuard,
    date_part,
    reference_at,
    text,
)
from quotesync_gitops.kinds.export_parts import ExportContext, given
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.secrets import reveal

if TYPE_CHECKING:
    from quotesync_gitops.changes import Change
    from quotesync_gitops.kinds.writing import ApplyContext


class PriceListSpec(TypedDict):
    """The price list's own fields (``products``, ``images`` and ``deleted`` beside)."""

    description: str
    currency: str
    currencyName: str
    validFrom: str
    validTo: str
    active: bool
    erpKey: str
    quoteConnection: str | None


def _head_of_carrier(row: Mapping[str, Any]) -> dict[str, object]:
    return {
        "name": text(row.get("Name")),
        "description": text(row.get("Description")),
        "active": bool(row.get("IsActive")),
        "validFrom": date_part(row.get("ValidFrom")),
        "validTo": date_part(row.get("ValidTo")),
    }


class PriceListKind(BaseKind):
    kind = Kind.PRICE_LIST
    tombstone_reason = "tombstone: deactivate (price lists have no deleted flag)"
    write_guard = WriteGuard(
        lambda c: c.iter_pricelists(),
        "Name",
        "PriceListId",
        read=lambda c, ident: c.get_pricelist(ident),
        head_of_carrier=_head_of_carrier,
    )
    rules = DiffRules(
        server_filled=frozenset({"erpKey", "currencyName"}),
        replace_fields=frozenset({"currency", "validFrom", "validTo"}),
    )

    def canonical(self, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
        return {
            "description": spec.get("description", ""),
            "currency": spec.get("currency", ""),
            "currencyName": spec.get("currencyName", ""),
            "validFrom": spec.get("validFrom", ""),
            "validTo": spec.get("validTo", ""),
            "active": spec.get("active", True),
            "erpKey": spec.get("erpKey", ""),
            "quoteConnection": spec.get("quoteConnection"),
            "products": products or {},
        }

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        return reference_at(spec, "quoteConnection", Kind.QUOTE_CONNECTION)

    def retired(self, spec: Mapping[str, object]) -> bool:
        """Set inactive: its soft delete (pruned, tombstoned, or the old list of a replace)."""
        return bool(spec.get("deleted")) or not spec.get("active")

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """Everything but the products (export writes them inline or as CSV).

        An ``erpKey`` the CRM assigned itself (``str(PriceListId)``, when saved without one)
        is a server id: left out, so another CRM assigns its own.
        """
        spec = resource.spec
        defaults = self.canonical({}, None)
        keys = ("description", "currency", "currencyName", "validFrom", "validTo", "active")
        out = given(spec, defaults, keys, always=("currency", "validFrom", "validTo"))
        if spec["erpKey"] and spec["erpKey"] != str(resource.ids.get("id", "")):
            out["erpKey"] = spec["erpKey"]
        return out | given(spec, defaults, ("quoteConnection",))

    def write(self, ac: ApplyContext, change: Change) -> None:
        # Imported on the first write, not with the kind: the writer brings in the HTTP client.
        from quotesync_gitops.kinds.price_list.write_images import write_price_list_with_images

        write_price_list_with_images(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        from quotesync_gitops.kinds.price_list.write import retire_price_list

        retire_price_list(ac, object_id, new_name)


KIND = PriceListKind()


def to_carrier(
    spec: Mapping[str, Any], name: str, *, price_list_id: int, quote_connection_id: int
) -> dict[str, Any]:
    """The ``PriceList`` carrier of the list's own fields (secrets revealed, the last step)."""
    body: dict[str, Any] = reveal(
        {
            "PriceListId": price_list_id,
            "ERPPriceListKey": spec.get("erpKey", ""),
            "QuoteConnectionId": quote_connection_id,
            "Name": name,
            "Description": spec.get("description", ""),
            "Currency": spec.get("currency", ""),
            "CurrencyName": spec.get("currencyName", ""),
            "ValidFrom": f"{spec['validFrom']}T00:00:00" if spec.get("validFrom") else None,
            "ValidTo": f"{spec['validTo']}T00:00:00" if spec.get("validTo") else None,
            "IsActive": bool(spec.get("active", True)),
        }
    )
    return body


def from_carrier(
    carrier: Mapping[str, Any], quote_names: Mapping[int, str]
) -> tuple[str, PriceListSpec]:
    """(name, the list's own canonical fields) of a ``PriceList`` as read;
    ``quote_names``: quote connection id → name."""
    quote_id = int(carrier.get("QuoteConnectionId") or 0)
    spec: PriceListSpec = {
        "description": text(carrier.get("Description")),
        "currency": text(carrier.get("Currency")),
        "currencyName": text(carrier.get("CurrencyName")),
        "validFrom": date_part(carrier.get("ValidFrom")),
        "validTo": date_part(carrier.get("ValidTo")),
        "active": bool(carrier.get("IsActive", False)),
        "erpKey": text(carrier.get("ERPPriceListKey")),
        "quoteConnection": quote_names.get(quote_id) if quote_id else None,
    }
    return text(carrier.get("Name")), spec
