"""MDO agent (``/api/v1/Agents/MDO/...``): the lists behind ``/api/v1/MDOList``, the agent way.

Served for the lists this tool resolves (users, groups, and the CRM lists that list mappings
name). An unknown list answers ``null``, as agents answer what they cannot find.
``AdditionalInfo`` and history arguments are accepted and change nothing: the emulator's lists
are flat and keep no per-user history. ``SearchValue`` keeps items whose name contains it.
"""

from __future__ import annotations

from typing import Any

from quotesync_gitops.emulator.http import Call, Handler, Response, get_int, get_str, ok
from quotesync_gitops.emulator.rest import mdo_items


def _items(call: Call, name_key: str = "Name") -> list[dict[str, Any]] | None:
    body = call.request.json_object()
    items = mdo_items(call.db, get_str(body, name_key))
    if items is None:
        return None
    search = get_str(body, "SearchValue").casefold()
    return [i for i in items if search in i["Name"].casefold()]


def get_list(call: Call) -> Response:
    return ok(_items(call))


def get_selectable_list(call: Call) -> Response:
    items = _items(call)
    if items is None:
        return ok(None)
    return ok(
        [
            {**i, "Selected": False, "LastChanged": "0001-01-01T00:00:00", "Hidden": False}
            for i in items
        ]
    )


def get_list_item(call: Call) -> Response:
    wanted = get_int(call.request.json_object(), "Id")
    items = _items(call, "ListName") or []
    return ok(next((i for i in items if i["Id"] == wanted), None))


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetList": (get_list, False),
    "GetSimpleList": (get_list, False),
    "GetListWithHistory": (get_list, False),
    "GetListWithRestriction": (get_list, False),
    "GetSelectableList": (get_selectable_list, False),
    "GetSelectableSimpleList": (get_selectable_list, False),
    "GetSelectableListWithHistory": (get_selectable_list, False),
    "GetSelectableListWithRestriction": (get_selectable_list, False),
    "GetListItem": (get_list_item, False),
}
