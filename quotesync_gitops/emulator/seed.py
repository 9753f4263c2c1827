"""What a new tenant has: two registered ERP sync connectors, the MDO lists, the quote line
settings and a stopped sync engine. No connections, price lists or products."""

from __future__ import annotations

import sqlite3

from quotesync_gitops.emulator.connectors import DEMO_ACCOUNTING_URL, DEMO_ERP_URL
from quotesync_gitops.emulator.crm_catalog import MDO_LISTS, QUOTE_LINE_FIELDS

SEED_CONNECTORS = (("Demo ERP", DEMO_ERP_URL), ("Demo Accounting", DEMO_ACCOUNTING_URL))
DEFAULT_INTERVAL = "00:10:00"


def seed(db: sqlite3.Connection) -> None:
    db.executemany(
        "INSERT INTO erp_connector (display_name, url, deleted) VALUES (?, ?, 0)", SEED_CONNECTORS
    )
    db.executemany(
        "INSERT INTO mdo_item (list_name, id, name, full_name, tooltip, rank, deleted) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)",
        [
            (list_name, item.id, item.name, item.full_name, item.tooltip, rank)
            for list_name, items in MDO_LISTS.items()
            for rank, item in enumerate(items, start=1)
        ],
    )
    db.executemany(
        "INSERT INTO quote_line_config (field_name, label, tooltip, editable, in_use, mandatory,"
        " rank, restrict_edit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                f.field_name,
                f.label,
                f.tooltip,
                f.editable,
                f.in_use,
                f.mandatory,
                rank,
                f.restrict_edit,
            )
            for rank, f in enumerate(QUOTE_LINE_FIELDS, start=1)
        ],
    )
    db.execute(
        "INSERT INTO engine (id, is_running, interval) VALUES (1, 0, ?)", (DEFAULT_INTERVAL,)
    )
