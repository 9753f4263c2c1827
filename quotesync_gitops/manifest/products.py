"""Products of a price list: a fast row validator derived from the product schema.

A price list may hold 100,000 products, so products are not run through jsonschema one by
one: each row is checked against a table of field types and limits read from the ``product``
definition of ``PriceList.schema.json`` (the same rules, a hundred times faster), and turned
into its canonical dict on the way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal, get_args

from quotesync_gitops.manifest.schema_check import kind_schema
from quotesync_gitops.manifest.wording import expected_types, kind_of, suggestion, type_hint
from quotesync_gitops.model import Anchor
from quotesync_gitops.secrets import Secret

#: Problems reported per price list before the rest are only counted.
MAX_PRODUCT_PROBLEMS = 100


#: A product column's JSON Schema type (the PriceList schema's ``$defs.product``).
ColumnType = Literal["string", "number", "boolean"]
COLUMN_TYPES: tuple[ColumnType, ...] = get_args(ColumnType)


def column_type(value: object) -> ColumnType:
    """A product column's schema type, checked once when the schema is read."""
    for known in COLUMN_TYPES:
        if value == known:
            return known
    raise ValueError(f"product column type {value!r} is not one of {', '.join(COLUMN_TYPES)}")


@dataclass(frozen=True)
class ProductField:
    name: str
    type: ColumnType
    min_length: int = 0
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None


#: Product keys that are files, not product fields (``image``: manifest.images).
FILE_KEYS = frozenset({"image"})


@cache
def product_fields() -> dict[str, ProductField]:
    definition = kind_schema("PriceList")["$defs"]["product"]
    return {
        name: ProductField(
            name,
            column_type(rule["type"]),
            int(rule.get("minLength", 0)),
            rule.get("maxLength"),
            rule.get("minimum"),
            rule.get("maximum"),
        )
        for name, rule in definition["properties"].items()
        if name not in FILE_KEYS
    }


@cache
def product_template() -> dict[str, Any]:
    """A product with every field at its default (strings "", numbers 0.0)."""
    defaults = {"string": "", "number": 0.0, "boolean": False}
    out = {name: defaults[f.type] for name, f in product_fields().items()}
    out["inAssortment"] = True
    return out


def required_fields() -> tuple[str, ...]:
    return tuple(kind_schema("PriceList")["$defs"]["product"].get("required", ()))


@dataclass(frozen=True)
class RowProblem:
    field: str | None  # None: the row as a whole
    message: str
    at: Anchor = "value"


def check_value(f: ProductField, value: Any, label: str) -> tuple[Any, str | None]:
    """(canonical value, problem) of one product field written in YAML."""
    if f.type == "string":
        if isinstance(value, Secret):
            return value, length_problem(f, value.reveal(), label, secret=True)
        if isinstance(value, str):
            return value, length_problem(f, value, label, secret=False)
    elif f.type == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return number_value(f, float(value), label)
    elif isinstance(value, bool):
        return value, None
    words = expected_types(f.type)
    return None, f"{label} must be {words}, but it is {kind_of(value)}" + type_hint(value, f.type)


def length_problem(f: ProductField, text: str, label: str, *, secret: bool) -> str | None:
    if len(text) < f.min_length:
        return f"{label} must not be empty"
    if f.max_length is not None and len(text) > f.max_length:
        size = "" if secret else f" ({len(text)} characters)"
        return f"{label} is too long{size}: the CRM allows at most {f.max_length}"
    return None


def number_value(f: ProductField, number: float, label: str) -> tuple[Any, str | None]:
    if not math.isfinite(number):
        return None, f"{label} must be a finite number"
    if f.minimum is not None and number < f.minimum:
        return None, f"{label} must be at least {f.minimum:g}, not {number:g}"
    if f.maximum is not None and number > f.maximum:
        return None, f"{label} must be at most {f.maximum:g}, not {number:g}"
    return round(number, 6), None


def check_product(item: Any, index: int) -> tuple[dict[str, Any] | None, list[RowProblem]]:
    """Canonical product of inline entry ``spec.products[index]``, or None with its problems.

    The common case (a string or a number that fits) is decided inline; anything else goes
    through :func:`check_value`, which words the problem.
    """
    label = f"spec.products[{index}]"
    if not isinstance(item, dict):
        return None, [
            RowProblem(
                None,
                f"{label} must be a mapping with code, name, listPrice, ..., "
                f"but it is {kind_of(item)}",
            )
        ]
    fields = product_fields()
    out = product_template().copy()
    problems: list[RowProblem] = []
    for key, value in item.items():
        f = fields.get(key)
        if f is None:
            problems.append(
                RowProblem(
                    key, f"unknown product field {key!r} in {label}{suggestion(key, fields)}", "key"
                )
            )
            continue
        kind = type(value)
        if f.type == "string" and kind is str:
            if f.min_length <= len(value) <= (f.max_length or len(value)):
                out[key] = value
                continue
        elif f.type == "number" and (kind is float or kind is int):
            number = float(value)
            if (
                math.isfinite(number)
                and (f.minimum is None or number >= f.minimum)
                and (f.maximum is None or number <= f.maximum)
            ):
                out[key] = number if number.is_integer() else round(number, 6)
                continue
        canonical, problem = check_value(f, value, f"{label}.{key}")
        if problem is not None:
            problems.append(RowProblem(key, problem))
        else:
            out[key] = canonical
    for name in required_fields():
        if name not in item:
            problems.append(RowProblem(None, f"{label} is missing the required field {name!r}"))
    return (None if problems else out), problems
