"""Lookups the ERP sync endpoint modules share: connections, their connector, their fields."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence

from quotesync_gitops.emulator.connectors import ErpConnectorDef, erp_connector_for_url
from quotesync_gitops.emulator.crm_catalog import DEFAULT_CRM_ACTOR
from quotesync_gitops.emulator.http import AgentMessage


def connector_row(db: sqlite3.Connection, connector_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM erp_connector WHERE id = ?", (connector_id,)
    ).fetchone()
    return row


def connection_row(db: sqlite3.Connection, connection_id: int) -> sqlite3.Row | None:
    row: sqlite3.Row | None = db.execute(
        "SELECT * FROM erp_connection WHERE id = ?", (connection_id,)
    ).fetchone()
    return row


def definition_of_connector(db: sqlite3.Connection, connector_id: int) -> ErpConnectorDef | None:
    """The demo connector behind a registered connector; None when unknown or unreachable."""
    row = connector_row(db, connector_id)
    return None if row is None else erp_connector_for_url(row["url"])


def unreachable(db: sqlite3.Connection, connector_id: int) -> AgentMessage:
    row = connector_row(db, connector_id)
    where = "an unknown connector" if row is None else f"the connector at {row['url']}"
    return AgentMessage(
        f"Could not reach {where}.",
        "The connector did not answer (connection refused); check the connector URL.",
    )


def ensure_fields(db: sqlite3.Connection, connection_id: int, definition: ErpConnectorDef) -> None:
    """Create actor and field rows the connector offers (ErpFieldId stays stable after that).

    Called on every mapping read, so the common case (all rows there) is one SELECT; the
    actor rows are always created together with their fields."""
    have = set(
        db.execute(
            "SELECT actor_type, field_key FROM erp_field WHERE connection_id = ?",
            (connection_id,),
        ).fetchall()
    )
    wanted = {(actor, f.key) for actor, fields in definition.actors.items() for f in fields}
    if wanted <= {(row[0], row[1]) for row in have}:
        return
    for actor, fields in definition.actors.items():
        db.execute(
            "INSERT OR IGNORE INTO erp_actor (connection_id, actor_type, is_active, crm_actor) "
            "VALUES (?, ?, 0, ?)",
            (connection_id, actor, DEFAULT_CRM_ACTOR[actor]),
        )
        top = db.execute(
            "SELECT COALESCE(MAX(rank), 0) FROM erp_field WHERE connection_id = ? "
            "AND actor_type = ?",
            (connection_id, actor),
        ).fetchone()[0]
        for offset, erp_field in enumerate(fields, start=1):
            db.execute(
                "INSERT OR IGNORE INTO erp_field (connection_id, actor_type, field_key, rank) "
                "VALUES (?, ?, ?, ?)",
                (connection_id, actor, erp_field.key, top + offset),
            )


def load_ids(raw: str) -> list[int]:
    return [int(i) for i in json.loads(raw)]


def check_access_ids(
    db: sqlite3.Connection, associate_ids: Sequence[int], group_ids: Sequence[int]
) -> None:
    """Scope ids must name existing users (``associate``) and groups (``usergroup``)."""
    for list_name, ids, label in (
        ("associate", associate_ids, "user"),
        ("usergroup", group_ids, "user group"),
    ):
        known = {
            r[0] for r in db.execute("SELECT id FROM mdo_item WHERE list_name = ?", (list_name,))
        }
        missing = sorted(set(ids) - known)
        if missing:
            raise AgentMessage(
                f"Unknown {label} id(s): {', '.join(map(str, missing))}.",
                f"See GET /api/v1/MDOList/{list_name} for the valid ids.",
            )
