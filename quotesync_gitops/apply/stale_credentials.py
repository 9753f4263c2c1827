"""Did the ERP side rotate a password? Ask the connector about what the CRM has stored.

The CRM never hands a stored password back, so a password changed in the ERP (and put in
the CI secret) is invisible to a comparison. ``plan --test-connections`` already tests each
connection with the manifest's values; when those pass, this asks the connector about the
credentials the CRM has stored: ERP connections through ``TestConnectionById`` (the test of
the saved configuration), quote connections through ``GetConnectionStartupResponse`` (the
connector's initialisation with it: the Quote agent has no test of a saved connection).
Stored failing while the manifest's pass is the usual sign of a rotation: the connections
found are handed to the planner (``build_plan(stored_fail=...)``), which plans their secrets
written again, the same masked lines a raised ``secretsVersion`` gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmError
from quotesync_gitops.model import DesiredState, Kind, LiveState
from quotesync_gitops.plan.model import TestResult

STORED_FAIL_TEST: dict[str, str] = {
    Kind.ERP_CONNECTION: "TestConnectionById",
    Kind.QUOTE_CONNECTION: "GetConnectionStartupResponse",
}

STORED_CREDENTIALS_FAIL = (
    "the manifest's configuration passes, but the credentials the CRM has stored fail "
    "({call}): the ERP side was probably rotated, so the plan writes the manifest's secrets "
    "again"
)


def _stored_pass(client: CrmClient, kind: str, connection_id: int) -> bool:
    if kind == Kind.ERP_CONNECTION:
        return client.erp_test_connection_by_id(connection_id)
    return bool(client.quote_get_connection_startup_response(connection_id).get("IsOk"))


def find_stale_credentials(
    client: CrmClient, desired: DesiredState, live: LiveState, tests: Iterable[TestResult]
) -> tuple[list[TestResult], frozenset[str]]:
    """(the tests, with the stale ones saying so; addresses whose stored credentials fail
    while the manifest's pass). A connection not in the CRM yet, or soft-deleted (a restore
    writes everything anyway), is not asked; a stored test the CRM cannot answer is taken
    as passing (the manifest's test said what matters)."""
    results: list[TestResult] = []
    stale: set[str] = set()
    for test in tests:
        existing = live.get(test.kind, test.name)
        wanted = desired.get(test.kind, test.name)
        call = STORED_FAIL_TEST.get(test.kind)
        if not test.ok or call is None or existing is None or existing.deleted or wanted is None:
            results.append(test)
            continue
        try:
            stored_ok = _stored_pass(client, test.kind, int(existing.ids["id"]))
        except CrmError:
            stored_ok = True
        if stored_ok:
            results.append(test)
            continue
        stale.add(f"{test.kind}/{test.name}")
        results.append(replace(test, explanation=STORED_CREDENTIALS_FAIL.format(call=call)))
    return results, frozenset(stale)
