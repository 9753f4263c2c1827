"""Run connectors' connection tests with the desired configuration.

Used by `plan --test-connections` (so a reviewer sees a broken credential before merge)
and by apply (which refuses a connection whose test fails).
"""

from __future__ import annotations

from collections.abc import Iterable

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.errors import CrmError
from quotesync_gitops.kinds.connection_parts import config_of, config_to_carrier
from quotesync_gitops.model import Kind, LiveState, Resource
from quotesync_gitops.plan.model import TestResult
from quotesync_gitops.secrets import UNREADABLE, secret_values

ERP_TEST_FAILED = (
    "The ERP connector reported that the connection does not work with this configuration "
    "(TestConnectionByConfig answered false)."
)


def test_config(resource: Resource) -> dict[str, str]:
    """Request-ready config for a test: every value as it would be saved (secrets revealed);
    a password the CRM keeps but will not hand back is left out."""
    config = config_of(resource)
    known = {k: v for k, v in config.items() if v is not UNREADABLE}
    return config_to_carrier(known, keep_passwords=False)


def test_erp_connection(client: CrmClient, connection_id: int, resource: Resource) -> TestResult:
    client.hide_values(secret_values(resource.spec))  # a server may echo the test request
    try:
        ok = client.erp_test_connection_by_config(connection_id, test_config(resource))
    except CrmError as exc:
        return TestResult(resource.kind, resource.name, False, str(exc))
    return TestResult(resource.kind, resource.name, ok, "" if ok else ERP_TEST_FAILED)


def test_quote_connection(client: CrmClient, resource: Resource) -> TestResult:
    connector = str(resource.spec.get("connector", ""))
    client.hide_values(secret_values(resource.spec))  # a server may echo the test request
    try:
        answer = client.quote_test_connection(connector, test_config(resource))
    except CrmError as exc:
        return TestResult(resource.kind, resource.name, False, str(exc))
    ok = bool(answer.get("IsOk"))
    explanation = str(answer.get("UserExplanation") or answer.get("TechExplanation") or "")
    return TestResult(resource.kind, resource.name, ok, explanation)


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
