"""PriceList: a price list and its products (REST ``/api/v1/Pricelist``).

Price lists have no deleted flag: their soft delete is ``IsActive: false``, so an inactive
list counts as retired. Currency and validity cannot change after creation (a replace).
The products are compared and written by the product hot path (plan/products.py,
kinds/live_products.py); this module holds the list's own carrier, both ways, and its check
against the CRM's currencies; ``read.py`` is its live read (``images.py``: its products'
images, read only for the products a manifest manages one of, and by export).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypedDict, cast

from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    Found,
    ManifestSpec,
    Reference,
    Spec,
    WriteGuard,
    date_part,
    reference_at,
    text,
)
from quotesync_gitops.kinds.export_parts import ExportContext, given
from quotesync_gitops.kinds.product_parts import ImageSpec, ProductSpec
from quotesync_gitops.model import ImageFile, Kind, LiveContext, LiveState, Resource
from quotesync_gitops.secrets import reveal
from quotesync_gitops.suggest import did_you_mean

if TYPE_CHECKING:
    from quotesync_gitops.kinds.reading import LiveRead

if TYPE_CHECKING:
    from quotesync_gitops.changes import Change
    from quotesync_gitops.kinds.writing import ApplyContext


class PriceListHeader(TypedDict):
    """The price list's own fields (``products``, ``images`` and ``deleted`` beside): its
    carrier's, both ways."""

    description: str
    currency: str
    currencyName: str
    validFrom: str
    validTo: str
    active: bool
    erpKey: str
    quoteConnection: str | None


class PriceListImages(TypedDict, total=False):
    #: only when some inline product gives ``image:``: by code, for exactly those
    images: Mapping[str, ImageSpec]


class PriceListFields(PriceListHeader, PriceListImages):
    """What ``canonical()`` gives (``deleted`` is added beside it)."""

    #: by product code (live: read lazily, kinds/live_products.py)
    products: Mapping[str, ProductSpec]


class PriceListSpec(PriceListFields):
    """A PriceList's canonical spec (docs/design.md)."""

    deleted: bool


def spec_of(resource: Resource) -> PriceListSpec:
    """A PriceList resource's spec, typed: the one narrowing of this kind's specs."""
    # Built by canonical() (plus "deleted", and "images" from the manifest) or by the live
    # reader from from_carrier() below and the products: that shape.
    return cast(PriceListSpec, resource.spec)


def _head_of_carrier(row: Mapping[str, Any]) -> dict[str, object]:
    return {
        "name": text(row.get("Name")),
        "description": text(row.get("Description")),
        "active": bool(row.get("IsActive")),
        "validFrom": date_part(row.get("ValidFrom")),
        "validTo": date_part(row.get("ValidTo")),
    }


def desired_images(resource: Resource) -> Mapping[str, ImageFile | None]:
    """A desired PriceList's images by code: the manifest's files (None: no image)."""
    # manifest/images.py builds every desired image as an ImageFile; only the live side
    # (images.py) holds plain descriptions, and it is never read through this.
    return cast(Mapping[str, ImageFile | None], spec_of(resource).get("images") or {})


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
    export_folder = "pricing"
    fallback_stem = "price-list"

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> PriceListFields:
        return {
            "description": spec.get("description", ""),
            "currency": spec.get("currency", ""),
            "currencyName": spec.get("currencyName", ""),
            "validFrom": spec.get("validFrom", ""),
            "validTo": spec.get("validTo", ""),
            "active": spec.get("active", True),
            "erpKey": spec.get("erpKey", ""),
            "quoteConnection": spec.get("quoteConnection"),
            # products: already canonical (manifest/products.py), ProductSpecs by code
            "products": cast(Mapping[str, ProductSpec], products or {}),
        }

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        return reference_at(spec, "quoteConnection", Kind.QUOTE_CONNECTION)

    def retired(self, spec: Mapping[str, object]) -> bool:
        """Set inactive: its soft delete (pruned, tombstoned, or the old list of a replace)."""
        return bool(spec.get("deleted")) or not spec.get("active")

    def fetch(self, read: LiveRead) -> Callable[[], Any] | None:
        from quotesync_gitops.kinds.price_list import read as reader  # the HTTP client

        return reader.fetch(read)

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        from quotesync_gitops.kinds.price_list import read as reader

        reader.add(state, fetched, read)

    def crm_checks(self, resource: Resource, ctx: LiveContext, live: Resource | None) -> Found:
        currency = str(resource.spec.get("currency", ""))
        if ctx.currencies and currency and currency not in ctx.currencies:
            hint = did_you_mean(currency, ctx.currencies, listing="it has")
            yield ("currency",), f"the CRM has no currency {currency!r}{hint}", "value"

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """Everything but the products (export writes them inline or as CSV).

        An ``erpKey`` the CRM assigned itself (``str(PriceListId)``, when saved without one)
        is a server id: left out, so another CRM assigns its own.
        """
        spec = spec_of(resource)
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
    spec: PriceListHeader, name: str, *, price_list_id: int, quote_connection_id: int
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
) -> tuple[str, PriceListHeader]:
    """(name, the list's own canonical fields) of a ``PriceList`` as read;
    ``quote_names``: quote connection id → name."""
    quote_id = int(carrier.get("QuoteConnectionId") or 0)
    spec: PriceListHeader = {
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
