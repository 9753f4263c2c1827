"""Products of a price list, compared by code.

Price lists hold tens of thousands of products, so the common case (unchanged) must be
cheap: a quick equality first — the live reader's ``unchanged`` check against the carrier
as read, when the live products offer one, else whole-product dict equality — and a
field-by-field diff only for those that differ.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from quotesync_gitops.kinds import price_list
from quotesync_gitops.kinds.product_parts import ProductSpec
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.plan.model import Action, Change, FieldChange
from quotesync_gitops.secrets import plain

PRODUCT_KIND = Kind.PRODUCT

#: A new product's values are listed these first (what a reviewer checks), then the rest in
#: canonical order; empty text and absent values are left out, ``code`` is the label.
_FIRST_SHOWN = ("name", "listPrice", "cost", "minimumPrice", "vat")


def product_values(product: ProductSpec) -> tuple[FieldChange, ...]:
    """Every value a new product is created with, as ``(none) → value`` field changes."""
    keys = [k for k in _FIRST_SHOWN if k in product]
    keys += [k for k in product if k not in _FIRST_SHOWN and k != "code"]
    return tuple(
        FieldChange(key, None, product[key])
        for key in keys
        if product[key] is not None and not (isinstance(product[key], str) and not product[key])
    )


def created_product(list_name: str, code: str, product: ProductSpec) -> Change:
    """The create of one product of price list ``list_name``, with its values."""
    return Change(
        PRODUCT_KIND,
        f"{list_name}/{code}",
        Action.CREATE,
        fields=product_values(product),
        code=code,
    )


@runtime_checkable
class QuickCompare(Protocol):
    """Live products that can tell which products changed without building canonical ones."""

    def changed(self, wanted: Mapping[str, ProductSpec]) -> list[str]:
        """Codes of ``wanted`` that are new or differ from the live product."""
        ...


def diff_products(want: Resource, have: Resource) -> tuple[tuple[Change, ...], int]:
    """Product changes inside a price list, and how many products stay as they are.

    A product the manifest no longer lists is taken out of the assortment (the soft delete
    of a product); one already out of the assortment is left alone.
    """
    wanted = price_list.spec_of(want).get("products", {})
    live = price_list.spec_of(have).get("products", {})
    live_ids: dict[str, int] = have.ids.get("productIds", {})
    changes: list[Change] = []
    candidates = live.changed(wanted) if isinstance(live, QuickCompare) else list(wanted)
    unchanged = len(wanted) - len(candidates)
    created = 0
    for code in candidates:
        product = wanted[code]
        current = live.get(code)
        if current is None:
            created += 1
            changes.append(created_product(want.name, code, product))
        elif current == product or not (
            fields := tuple(
                FieldChange(key, before, value)
                for key, value in product.items()
                if (before := current.get(key)) != value
                and plain(before) != plain(value)  # a secret equals its clear value
            )
        ):
            unchanged += 1
        else:
            changes.append(
                Change(
                    PRODUCT_KIND,
                    f"{want.name}/{code}",
                    Action.UPDATE,
                    fields=fields,
                    live_ids={"id": live_ids.get(code, 0)},
                    code=code,
                )
            )
    # The live products the manifest no longer lists: some only when the live list holds
    # more than the codes it shares with the manifest (every new code is a candidate).
    gone = live.keys() - wanted.keys() if len(live) > len(wanted) - created else ()
    for code in gone:
        current = live[code]
        if current.get("inAssortment", True):
            changes.append(
                Change(
                    PRODUCT_KIND,
                    f"{want.name}/{code}",
                    Action.DELETE,
                    reason="not in the price list's manifest: taken out of the assortment",
                    live_ids={"id": live_ids.get(code, 0)},
                    code=code,
                )
            )
        else:
            unchanged += 1
    changes.sort(key=lambda c: c.name)
    return tuple(changes), unchanged
