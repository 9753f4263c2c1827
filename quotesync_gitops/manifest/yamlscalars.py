"""Scalar values by the YAML 1.2 core schema, and which tags a manifest may carry.

Only ``true``/``false`` are booleans (``NO`` stays the string Norway needs), there are no
sexagesimal numbers (``12:00:00`` stays a string) and no timestamps (dates stay strings).
"""

from __future__ import annotations

import re
from typing import Any

CORE_TAG = "tag:yaml.org,2002:"
STR_TAG = CORE_TAG + "str"
#: Tags that only say "this is text / a mapping / a list": harmless, accepted.
PLAIN_TAGS = frozenset({"!", STR_TAG, CORE_TAG + "map", CORE_TAG + "seq"})
TYPED_TAGS = ("int", "float", "bool", "null")

_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip
_MAYBE_NOT_STRING = frozenset("0123456789+-.~nNtTfF")
#: Longest integer kept as an integer: any longer one is past the range of a float.
_MAX_INT_CHARS = 300


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain (unquoted) scalar."""
    if not text:
        return None
    if text[0] not in _MAYBE_NOT_STRING:
        return text
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.fullmatch(text):
        if len(text) > _MAX_INT_CHARS:
            # No field takes a number this large, and Python will not convert one of over
            # 4,300 digits (nor turn one of over 308 into a float): it is infinity, which
            # every number rule refuses with a message of its own.
            return float("-inf") if text.startswith("-") else float("inf")
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return _SPECIAL_FLOATS.get(text, text)


def typed(text: str, wanted: str) -> tuple[Any, bool]:
    """The value of a scalar tagged ``!!int``/``!!float``/``!!bool``/``!!null``, and whether
    the text fits the tag."""
    value = resolve_plain(text) if text else None
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if wanted == "float" and is_number:
        return float(value), True  # type: ignore[arg-type]
    fits = (
        (wanted == "int" and is_number and isinstance(value, int))
        or (wanted == "bool" and isinstance(value, bool))
        or (wanted == "null" and value is None)
    )
    return value, fits


def short_tag(tag: str) -> str:
    return "!!" + tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else tag
