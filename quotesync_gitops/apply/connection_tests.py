"""Run connectors' connection tests with the desired configuration, for
`plan --test-connections` (so a reviewer sees a broken credential before merge).

The test of one connection is its kind's (``kinds/erp_connection/write.py``,
``kinds/quote_connection/write.py``): the writer runs it too, and refuses a connection
whose test fails.
"""

from __future__ import annotations

from collections.abc import Iterable

from quotesync_gitops.changes import TestResult
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds.erp_connection.guard import test_erp_connection
from quotesync_gitops.kinds.quote_connection.write import test_quote_connection
from quotesync_gitops.model import Kind, LiveState, Resource


def run_connection_tests(
    client: CrmClient,
    prepared: Iterable[Resource],
    live: LiveState,
    *,
    targets: Iterable[str] = (),
) -> list[TestResult]:
    """Test every desired (non-tombstone) connection with its desired configuration
    (``prepared``: the desired resources as the planner prepared them)."""
    wanted = set(targets)
    results: list[TestResult] = []
    for resource in prepared:
        if resource.deleted or (wanted and f"{resource.kind}/{resource.name}" not in wanted):
            continue
        if resource.kind == Kind.QUOTE_CONNECTION:
            results.append(test_quote_connection(client, resource))
        elif resource.kind == Kind.ERP_CONNECTION:
            existing = live.get(Kind.ERP_CONNECTION, resource.name)
            if existing is None:
                results.append(
                    TestResult(
                        resource.kind,
                        resource.name,
                        True,
                        "not tested yet: SuperOffice tests an ERP connection by its id, so apply "
                        "tests it right after creating it inactive",
                    )
                )
                continue
            results.append(test_erp_connection(client, int(existing.ids["id"]), resource))
    return sorted(results, key=lambda t: (t.kind, t.name))
