"""``TableRight`` and ``FieldProperties``: what a real server adds to every carrier it answers.

SuperOffice's documents list both on each carrier (``SuperOffice.CRM.Security.TableRight``,
``FieldProperty``), and its TypeScript client converts them on every answer (see its test data,
``__tests__/TableRights.json``). The emulator's caller is an administrator: full table rights,
every field updatable. Field types are .NET's names, derived from the value answered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any

#: Full rights, spelt as the server's flags enum serialises them.
TABLE_RIGHT_FULL = "Select, Update, Insert, Delete"
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")
_NOT_FIELDS = {"TableRight", "FieldProperties", "_Links"}


def _field_type(value: Any) -> tuple[str, int]:
    if isinstance(value, bool):
        return "System.Boolean", 1
    if isinstance(value, int):
        return "System.Int32", 4
    if isinstance(value, float):
        return "System.Double", 8
    if isinstance(value, str):
        return ("System.DateTime", 16) if _DATE_TIME.fullmatch(value) else ("System.String", 0)
    if isinstance(value, list):
        return ("System.Int32[]" if all(type(v) is int for v in value) else "System.Object[]"), 0
    return "System.Object", 0


@cache  # one entry per field type, shared by every answer (answers are only serialised)
def _entry(field_type: tuple[str, int]) -> dict[str, Any]:
    return {
        "FieldRight": {"Mask": "Update", "Reason": ""},
        "FieldType": field_type[0],
        "FieldLength": field_type[1],
    }


def with_rights(carrier: Mapping[str, Any]) -> dict[str, Any]:
    """``carrier`` with ``TableRight`` and one ``FieldProperties`` entry per field."""
    properties = {
        name: _entry(_field_type(value))
        for name, value in carrier.items()
        if name not in _NOT_FIELDS
    }
    return {
        **carrier,
        "TableRight": {"Mask": TABLE_RIGHT_FULL, "Reason": ""},
        "FieldProperties": properties,
    }
