"""The systems behind the demo connectors: which credentials they accept right now.

A real connector's test asks the ERP system; when someone rotates a password there, the
credentials the CRM has stored stop working while the new ones pass. The emulator's demo
connectors accept the documented credentials (docs/emulator.md) until the "ERP side" is told
otherwise: ``POST /_emulator/erp-side`` ``{"system": ..., "credentials": {"password": ...}}``,
where ``system`` is an ERP sync connector's URL or a quote connector's name. Kept in the
tenant's database, so every test, stored or given, sees the same ERP.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from quotesync_gitops.emulator.connectors import (
    ERP_CONNECTORS,
    QUOTE_CONNECTORS,
    ErpConnectorDef,
    QuoteConnectorDef,
    TestResult,
    erp_connector_for_url,
)
from quotesync_gitops.emulator.http import bad_request

TABLES = ("erp_side",)

_DDL = """CREATE TABLE IF NOT EXISTS erp_side (
    system TEXT NOT NULL, field_key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (system, field_key))"""


def create(db: sqlite3.Connection) -> None:
    db.execute(_DDL)


def accepted(db: sqlite3.Connection, system: str) -> dict[str, str]:
    """What the system behind a connector accepts instead of its documented credentials."""
    rows = db.execute("SELECT field_key, value FROM erp_side WHERE system = ?", (system,))
    return {r["field_key"]: r["value"] for r in rows}


def _connector(name: str) -> ErpConnectorDef | QuoteConnectorDef:
    """The connector of a system: a registered demo URL (normalised) or a quote connector's
    name."""
    definition = erp_connector_for_url(name)
    if definition is not None:
        return definition
    if name in QUOTE_CONNECTORS:
        return QUOTE_CONNECTORS[name]
    known = [*ERP_CONNECTORS, *QUOTE_CONNECTORS]
    raise bad_request(f"'system' must be one of: {', '.join(known)}; not {name!r}.")


def _system(connector: ErpConnectorDef | QuoteConnectorDef) -> str:
    return connector.url if isinstance(connector, ErpConnectorDef) else connector.name


def configure(db: sqlite3.Connection, body: Any) -> dict[str, Any]:
    """Apply a ``/_emulator/erp-side`` request; answer the fields now overridden (no values:
    they are passwords)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("system"), str):
        raise bad_request('Send {"system": <connector URL or name>, "credentials": {...}}.')
    connector = _connector(body["system"])
    system = _system(connector)
    credentials = body.get("credentials")
    if not isinstance(credentials, Mapping) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in credentials.items()
    ):
        raise bad_request("'credentials' must map field keys to string values.")
    keys = [f.key for f in connector.config_fields]
    unknown = sorted(set(credentials) - set(keys))
    if unknown:
        raise bad_request(
            f"{', '.join(unknown)}: not a config field of {system}; its fields: "
            f"{', '.join(keys) or 'none'}."
        )
    for key, value in credentials.items():
        db.execute(
            "INSERT INTO erp_side VALUES (?, ?, ?) ON CONFLICT (system, field_key) "
            "DO UPDATE SET value = excluded.value",
            (system, key, value),
        )
    return {"system": system, "fields": sorted(accepted(db, system))}


def run_test(
    db: sqlite3.Connection,
    connector: ErpConnectorDef | QuoteConnectorDef,
    config: Mapping[str, str],
) -> TestResult:
    """The connector's test of ``config`` against its ERP system as it is now."""
    return connector.test(config, accepted(db, _system(connector)))
