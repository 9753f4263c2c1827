"""MDO lists: the REST resource ``/api/v1/MDOList`` and the MDO agent (``/Agents/MDO/...``).

Served for the lists this tool resolves (users, groups, and the CRM lists that list mappings
name). An unknown list is a 404 from REST and ``null`` from the agent, as agents answer what
they cannot find.
``AdditionalInfo`` and history arguments are accepted and change nothing: the emulator's lists
are flat and keep no per-user history. ``SearchValue`` keeps items whose name contains it.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from quotesync_gitops.emulator.http import (
    Call,
    Handler,
    Response,
    Route,
    get_int,
    get_str,
    not_found,
    ok,
    route,
)
from quotesync_gitops.emulator.rights import with_rights

# --- the REST resource -----------------------------------------------------------------------


def mdo_list_names(call: Call) -> Response:
    rows = call.db.execute("SELECT DISTINCT list_name FROM mdo_item ORDER BY list_name")
    return ok([r[0] for r in rows])


def mdo_items(db: sqlite3.Connection, list_name: str) -> list[dict[str, Any]] | None:
    """The ``MDOListItem``s of a list in rank order (names ignore case); None when no such list."""
    name = list_name.lower()
    rows = db.execute(
        "SELECT * FROM mdo_item WHERE list_name = ? ORDER BY rank, id", (name,)
    ).fetchall()
    if not rows:
        return None
    return [
        with_rights(
            {
                "Id": r["id"],
                "Name": r["name"],
                "ToolTip": r["tooltip"],
                "Deleted": bool(r["deleted"]),
                "Rank": r["rank"],
                "Type": name,
                "ChildItems": [],
                "IconHint": "",
                "ColorBlock": 0,
                "ExtraInfo": "",
                "StyleHint": "",
                "FullName": r["full_name"],
            }
        )
        for r in rows
    ]


def mdo_list(call: Call) -> Response:
    items = mdo_items(call.db, call.params["listname"])
    if items is None:
        raise not_found(f"There is no MDO list named '{call.params['listname']}'.")
    return ok(items)


# --- the agent --------------------------------------------------------------------------------


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

ROUTES: list[Route] = [
    route("GET", "/api/v1/MDOList", mdo_list_names, writes=False),
    route("GET", "/api/v1/MDOList/{listname}", mdo_list, writes=False),
]
