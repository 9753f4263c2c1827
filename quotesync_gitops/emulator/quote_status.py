"""Quote agent: what quote connectors report about themselves: startup results, capabilities.

A real CRM initialises each quote connection's connector and keeps the answer; the emulator's
demo connectors "initialise" by running their connection test on the stored configuration, so
``GetConnectionStartupResponse`` is that test's ``PluginResponse`` (null for an unknown id) and
``GetConnectionStartupErrors`` lists the failing ones (soft-deleted connections are not started).
The demo connectors declare no optional capabilities: none are named, none can be provided.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from quotesync_gitops.emulator import config_values, erp_side
from quotesync_gitops.emulator.connectors import QUOTE_CONNECTORS, TestResult
from quotesync_gitops.emulator.http import Call, Handler, Response, get_int, get_str, ok
from quotesync_gitops.emulator.quote import CONFIG, plugin_response


def _startup(db: sqlite3.Connection, row: sqlite3.Row) -> dict[str, Any]:
    connector = QUOTE_CONNECTORS.get(row["connector_name"])
    if connector is None:
        result = TestResult(
            False,
            f"The quote connector '{row['connector_name']}' is not installed.",
            f"Installed: {', '.join(QUOTE_CONNECTORS)}.",
        )
    else:
        stored = config_values.plain(config_values.load(db, CONFIG, row["id"]))
        result = erp_side.run_test(db, connector, stored)
    return plugin_response(result)


def get_startup_response(call: Call) -> Response:
    connection_id = get_int(call.request.json_object(), "QuoteConnectionId")
    row = call.db.execute("SELECT * FROM quote_connection WHERE id = ?", (connection_id,))
    found = row.fetchone()
    return ok(None if found is None else _startup(call.db, found))


def get_startup_errors(call: Call) -> Response:
    rows = call.db.execute("SELECT * FROM quote_connection WHERE deleted = 0 ORDER BY rank, id")
    responses = [_startup(call.db, r) for r in rows]
    return ok([r for r in responses if not r["IsOk"]])


def get_capabilities(call: Call) -> Response:
    get_int(call.request.json_object(), "QuoteConnectionId")
    return ok([])


def can_provide_capability(call: Call) -> Response:
    body = call.request.json_object()
    get_int(body, "QuoteConnectionId")
    get_str(body, "CapabilityName")
    return ok(False)


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetConnectionStartupResponse": (get_startup_response, False),
    "GetConnectionStartupErrors": (get_startup_errors, False),
    "GetConnectorCapabilityNames": (get_capabilities, False),
    "GetConnectorCapabilities": (get_capabilities, False),
    "CanConnectorProvideCapability": (can_provide_capability, False),
}
