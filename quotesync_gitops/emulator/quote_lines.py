"""Quote agent: the "Configure product" settings (``QuoteLineConfiguration``).

Fields with ``RestrictEdit`` (Code, Name) cannot be made editable or mandatory; ``RestrictEdit``
itself is fixed by the CRM and ignored on save.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from quotesync_gitops.emulator.http import (
    AgentMessage,
    Call,
    Handler,
    Response,
    check_length,
    get_bool,
    get_int,
    get_list,
    get_object,
    get_str,
    ok,
)
from quotesync_gitops.emulator.rights import with_rights


def _carrier(row: sqlite3.Row) -> dict[str, Any]:
    return with_rights(
        {
            "QuoteLineConfigurationId": row["id"],
            "FieldName": row["field_name"],
            "Label": row["label"],
            "Tooltip": row["tooltip"],
            "Editable": bool(row["editable"]),
            "InUse": bool(row["in_use"]),
            "Mandatory": bool(row["mandatory"]),
            "Rank": row["rank"],
            "RestrictEdit": bool(row["restrict_edit"]),
        }
    )


def get_all(call: Call) -> Response:
    rows = call.db.execute("SELECT * FROM quote_line_config ORDER BY rank, id")
    return ok([_carrier(r) for r in rows])


def get_in_use(call: Call) -> Response:
    """The fields shown on quote lines (``InUse``), in rank order."""
    rows = call.db.execute("SELECT * FROM quote_line_config WHERE in_use = 1 ORDER BY rank, id")
    return ok([_carrier(r) for r in rows])


def get_one(call: Call) -> Response:
    config_id = get_int(call.request.json_object(), "QuoteLineConfigurationId")
    row = call.db.execute("SELECT * FROM quote_line_config WHERE id = ?", (config_id,)).fetchone()
    return ok(None if row is None else _carrier(row))


def get_by_field_name(call: Call) -> Response:
    """By ``FieldName``, matched without regard to case; null when there is no such field."""
    name = get_str(call.request.json_object(), "FieldName")
    row = call.db.execute(
        "SELECT * FROM quote_line_config WHERE lower(field_name) = lower(?)", (name,)
    ).fetchone()
    return ok(None if row is None else _carrier(row))


def _save_one(db: sqlite3.Connection, config: dict[str, Any]) -> dict[str, Any]:
    config_id = get_int(config, "QuoteLineConfigurationId")
    field_name = get_str(config, "FieldName")
    if config_id:
        row = db.execute("SELECT * FROM quote_line_config WHERE id = ?", (config_id,)).fetchone()
    else:
        row = db.execute(
            "SELECT * FROM quote_line_config WHERE field_name = ?", (field_name,)
        ).fetchone()
    if row is None:
        raise AgentMessage(
            f"Unknown quote line field '{field_name or config_id}'.",
            "Read the fields with GetAllQuoteLineConfigurations.",
        )
    label = get_str(config, "Label", row["label"])
    tooltip = get_str(config, "Tooltip", row["tooltip"])
    check_length("Label", label)
    check_length("Tooltip", tooltip)
    editable = get_bool(config, "Editable", bool(row["editable"]))
    mandatory = get_bool(config, "Mandatory", bool(row["mandatory"]))
    if row["restrict_edit"] and (
        (editable and not row["editable"]) or (mandatory and not row["mandatory"])
    ):
        raise AgentMessage(
            f"The quote line field '{row['field_name']}' cannot be made editable or mandatory.",
            "The CRM restricts editing of this field (RestrictEdit).",
        )
    rank = get_int(config, "Rank", row["rank"])
    db.execute(
        "UPDATE quote_line_config SET label = ?, tooltip = ?, editable = ?, in_use = ?, "
        "mandatory = ?, rank = ? WHERE id = ?",
        (
            label,
            tooltip,
            int(editable),
            int(get_bool(config, "InUse", bool(row["in_use"]))),
            int(mandatory),
            rank if rank > 0 else row["rank"],
            row["id"],
        ),
    )
    saved = db.execute("SELECT * FROM quote_line_config WHERE id = ?", (row["id"],)).fetchone()
    return _carrier(saved)


def save_one(call: Call) -> Response:
    config = get_object(call.request.json_object(), "QuoteLineConfiguration")
    if config is None:
        raise AgentMessage("SaveQuoteLineConfiguration needs a QuoteLineConfiguration.")
    return ok(_save_one(call.db, config))


def save_many(call: Call) -> Response:
    configs = get_list(call.request.json_object(), "QuoteLineConfigurations")
    if any(not isinstance(c, dict) for c in configs):
        raise AgentMessage("Each quote line configuration must be an object.")
    return ok([_save_one(call.db, c) for c in configs])


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetAllQuoteLineConfigurations": (get_all, False),
    "GetInUseQuoteLineConfigurations": (get_in_use, False),
    "GetQuoteLineConfiguration": (get_one, False),
    "GetQuoteLineConfigurationFromFieldName": (get_by_field_name, False),
    "SaveQuoteLineConfiguration": (save_one, True),
    "SaveQuoteLineConfigurations": (save_many, True),
}
