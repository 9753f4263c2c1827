"""Turn SuperOffice carriers into canonical specs (docs/design.md).

Pure functions: no HTTP here, so the same normalisation serves plan, drift and export, and
can be tested without a CRM. Every function returns exactly the shape the manifest loader
produces for the same object, so equal specs mean "no change".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The CRM's text and date rules are the kinds' (kinds/base.py); readers use them from here.
from quotesync_gitops.kinds.base import date_part as date_part
from quotesync_gitops.kinds.base import text as text
from quotesync_gitops.kinds.connection_parts import PASSWORD_MASK as PASSWORD_MASK
from quotesync_gitops.kinds.product_parts import (
    PRODUCT_BOOLEANS,
    PRODUCT_FIELDS,
    PRODUCT_NUMBERS,
    ProductValue,
)
from quotesync_gitops.model import FieldInfo


def number(value: Any) -> float:
    """Numbers compare as floats rounded to 6 places (1, 1.0 and "1.000" are one value)."""
    if value is None or value == "":
        return 0.0
    return round(float(value), 6)


def interval(value: Any) -> str | None:
    """TimeSpan "HH:MM:SS" (maybe with days "d.HH:MM:SS" or fractions) → "HH:MM:SS"."""
    raw = text(value)
    if not raw:
        return None
    days = 0
    if "." in raw.split(":")[0]:
        day_part, raw = raw.split(".", 1)
        days = int(day_part)
    parts = raw.split(".")[0].split(":")
    hours, minutes, seconds = (int(p) for p in [*parts, "0", "0"][:3])
    return f"{hours + 24 * days:02d}:{minutes:02d}:{seconds:02d}"


def product(carrier: Mapping[str, Any]) -> dict[str, ProductValue]:
    out: dict[str, ProductValue] = {}
    for key, carrier_key in PRODUCT_FIELDS.items():
        value = carrier.get(carrier_key)
        if key in PRODUCT_NUMBERS:
            out[key] = number(value)
        elif key in PRODUCT_BOOLEANS:
            out[key] = bool(value) if value is not None else key == "inAssortment"
        else:
            out[key] = text(value)
    return out


def field_info(meta: Mapping[str, Any]) -> FieldInfo:
    return FieldInfo(
        key=text(meta.get("FieldKey")),
        field_type=text(meta.get("FieldType")) or "Text",
        access=text(meta.get("Access")) or "Normal",
        default=text(meta.get("DefaultValue")),
        max_length=int(meta.get("MaxLength") or 0),
        list_name=text(meta.get("ListName")),
        rank=int(meta.get("Rank") or 0),
    )
