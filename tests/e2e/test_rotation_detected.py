"""A password rotated on the ERP side: ``--test-connections`` finds it and plans it.

Over real HTTP on 127.0.0.1 against the served emulator (with credentials). The ERP side
changes its password through the emulator (``/_emulator/erp-side``) and the CI secret gets
the new one; the CRM still holds the old one. ``plan --test-connections`` proposes writing
the connection's secrets again (masked, with the reason), ``apply`` of that plan (saved or
direct) tests the manifest's values and writes them, and the next plan is clean. Both
passwords are canaries: no output and no file may hold either.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.emulator import Credentials, RunningServer, start_in_thread
from quotesync_gitops.model import LiveContext, Resource
from quotesync_gitops.plan.planner import STORED_FAIL_REASON
from quotesync_gitops.target import open_client
from tests.e2e.conftest import Workspace

AUTH = {"QUOTESYNC_TICKET": "t-rot", "QUOTESYNC_APP_TOKEN": "app-rot"}
ERP_URL = "https://connectors.example.com/demo-erp"
ERP = "ErpConnection/Demo ERP – Production"
QUOTE = "QuoteConnection/ERP Quotes"
OLD_ERP, NEW_ERP = "old-erp-Pw4kX9", "new-erp-Zq7mR2"
OLD_QUOTE, NEW_QUOTE = "old-quote-Lt3vB8", "new-quote-Hc6nW1"
CANARIES = (OLD_ERP, NEW_ERP, OLD_QUOTE, NEW_QUOTE)
#: The CI secrets: before, and after one rotation.
OLD = {"DEMO_ERP_PASSWORD": OLD_ERP, "DEMO_QUOTE_PASSWORD": OLD_QUOTE}
NEW_FOR_ERP = {**OLD, "DEMO_ERP_PASSWORD": NEW_ERP}
NEW_FOR_QUOTE = {**OLD, "DEMO_QUOTE_PASSWORD": NEW_QUOTE}


@dataclass
class Tenant:
    """The workspace, served over HTTP, with everything applied using the OLD passwords."""

    ws: Workspace
    server: RunningServer
    seen: list[str]
    #: What the CI secrets hold now.
    ci: dict[str, str]

    def erp_side(self, system: str, **credentials: str) -> None:
        """The ERP behind a connector now accepts these credentials (and no others)."""
        answer = httpx.post(
            f"{self.server.url}/_emulator/erp-side",
            json={"system": system, "credentials": credentials},
            headers={"Authorization": "SOTicket t-rot", "SO-AppToken": "app-rot"},
        )
        assert answer.status_code == 200, answer.text

    def run(self, *args: str, env: dict[str, str]) -> Result:
        result = self.ws.run(*args, env={**AUTH, **env})
        self.seen.append(result.output)
        return result

    def plan(self, *args: str) -> Result:
        return self.run("plan", str(self.ws.manifests), *args, env=self.ci)

    def apply(self, *args: str) -> Result:
        return self.run("apply", str(self.ws.manifests), "--auto-approve", *args, env=self.ci)

    def client(self) -> CrmClient:
        return open_client(self.server.url, AUTH)

    def ids(self) -> dict[str, int]:
        with self.client() as client:
            erp = {c["DisplayName"]: c for c in client.erp_get_all_connections()}
            quote = {c["DisplayName"]: c for c in client.quote_get_installed_connections()}
        return {
            ERP: int(erp["Demo ERP – Production"]["ErpConnectionId"]),
            QUOTE: int(quote["ERP Quotes"]["QuoteConnectionId"]),
        }

    def stored_pass(self, address: str) -> bool:
        connection_id = self.ids()[address]
        with self.client() as client:
            if address == ERP:
                return client.erp_test_connection_by_id(connection_id)
            return bool(client.quote_get_connection_startup_response(connection_id)["IsOk"])

    def erp_active(self) -> bool:
        with self.client() as client:
            return bool(client.erp_get_connection(self.ids()[ERP])["Active"])

    def assert_no_canary(self, *files: Path) -> None:
        texts = [*self.seen, *(f.read_text(encoding="utf-8") for f in files)]
        leaked = [c for c in CANARIES for text in texts if c in text]
        assert leaked == []


@pytest.fixture
def tenant(ws: Workspace, tmp_path: Path) -> Iterator[Tenant]:
    server = start_in_thread(
        tmp_path / "served.sqlite", credentials=Credentials(ticket="t-rot", app_token="app-rot")
    )
    ws.crm = server.url
    found = Tenant(ws, server, [], OLD)
    try:
        found.erp_side(ERP_URL, password=OLD_ERP)
        found.erp_side("DemoErpQuote", apiPassword=OLD_QUOTE)
        applied = found.apply()
        assert applied.exit_code == 0, applied.output
        assert found.stored_pass(ERP) and found.stored_pass(QUOTE) and found.erp_active()
        yield found
    finally:
        server.stop()


def _changes(output: str) -> dict[str, dict[str, Any]]:
    return {f"{c['kind']}/{c['name']}": c for c in json.loads(output)["changes"]}


def _tests(output: str) -> dict[str, dict[str, Any]]:
    return {f"{t['kind']}/{t['name']}": t for t in json.loads(output)["tests"]}


def test_a_password_rotated_on_the_erp_side_is_planned_applied_and_then_clean(
    tenant: Tenant, tmp_path: Path
) -> None:
    tenant.erp_side(ERP_URL, password=NEW_ERP)
    tenant.ci = NEW_FOR_ERP
    assert not tenant.stored_pass(ERP)

    untested = tenant.plan("--detailed-exitcode", "--format", "json")
    assert untested.exit_code == 0, untested.output  # nothing is tested, nothing proposed
    assert json.loads(untested.output)["tests"] == []

    planned = tenant.plan("--test-connections", "--detailed-exitcode", "--format", "json")
    assert planned.exit_code == 2, planned.output
    changes = _changes(planned.output)
    assert list(changes) == [ERP]
    change = changes[ERP]
    assert change["action"] == "update" and change["reason"] == STORED_FAIL_REASON
    fields = {f["path"]: f for f in change["fields"]}
    assert fields["config.password"] == {
        "path": "config.password",
        "before": "(sensitive)",
        "after": "(sensitive)",
        "sensitive": True,
    }
    assert all(f["sensitive"] for f in change["fields"])  # only secrets are written again
    test = _tests(planned.output)[ERP]
    assert test["ok"] and "stored fail (TestConnectionById)" in test["explanation"]

    for fmt in ("text", "markdown"):
        shown = tenant.plan("--test-connections", "--detailed-exitcode", "--format", fmt)
        assert shown.exit_code == 2, shown.output
        assert "config.password" in shown.output and "(sensitive)" in shown.output
        assert "the credentials the CRM has stored fail the connection test" in shown.output

    planfile, comment = tmp_path / "rotation.plan.json", tmp_path / "comment.md"
    saved = tenant.plan(
        "--test-connections", "--out", str(planfile), "--markdown-out", str(comment)
    )
    assert saved.exit_code == 0, saved.output
    assert list(_changes(planfile.read_text(encoding="utf-8"))) == [ERP]
    assert STORED_FAIL_REASON in comment.read_text(encoding="utf-8")
    shown = tenant.run("show", str(planfile), env={})
    assert shown.exit_code == 0 and STORED_FAIL_REASON in shown.output
    assert not tenant.stored_pass(ERP)  # planning wrote nothing

    applied = tenant.run("apply", str(planfile), env=tenant.ci)
    assert applied.exit_code == 0, applied.output
    assert "Apply complete: 1 updated." in applied.output
    assert tenant.stored_pass(ERP) and tenant.erp_active()

    clean = tenant.plan("--test-connections", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    assert "No changes" in clean.output
    tenant.assert_no_canary(planfile, comment)


def test_apply_with_test_connections_rotates_a_quote_connection(tenant: Tenant) -> None:
    tenant.erp_side("DemoErpQuote", apiPassword=NEW_QUOTE)
    tenant.ci = NEW_FOR_QUOTE
    assert not tenant.stored_pass(QUOTE)

    untested = tenant.apply()
    assert untested.exit_code == 0, untested.output
    assert "No changes" in untested.output and not tenant.stored_pass(QUOTE)

    planned = tenant.plan("--test-connections", "--detailed-exitcode", "--format", "json")
    assert planned.exit_code == 2, planned.output
    change = _changes(planned.output)[QUOTE]
    assert change["reason"] == STORED_FAIL_REASON
    assert [f["path"] for f in change["fields"]] == ["config.apiPassword"]
    assert "(GetConnectionStartupResponse)" in _tests(planned.output)[QUOTE]["explanation"]

    applied = tenant.apply("--test-connections", "--format", "json")
    assert applied.exit_code == 0, applied.output
    result = json.loads(applied.output)
    assert [c["name"] for c in result["plan"]["changes"]] == ["ERP Quotes"]
    assert tenant.stored_pass(QUOTE)

    clean = tenant.plan("--test-connections", "--detailed-exitcode")
    assert clean.exit_code == 0, clean.output
    tenant.assert_no_canary()


def test_both_failing_is_a_failed_test_and_no_change(tenant: Tenant) -> None:
    tenant.erp_side(ERP_URL, password=NEW_ERP)  # rotated, but the CI secret still has OLD
    planned = tenant.plan("--test-connections", "--format", "json")
    assert planned.exit_code == 1, planned.output
    assert json.loads(planned.output)["changes"] == []
    test = _tests(planned.output)[ERP]
    assert not test["ok"] and "TestConnectionByConfig answered false" in test["explanation"]
    text = tenant.plan("--test-connections")
    assert text.exit_code == 1 and "FAILED  ErpConnection/Demo ERP – Production" in text.output

    refused = tenant.apply("--test-connections")
    assert refused.exit_code == 1, refused.output
    assert "apply refused, nothing was changed: connection test failed" in refused.output
    tenant.erp_side(ERP_URL, password=OLD_ERP)
    assert tenant.stored_pass(ERP)  # the CRM still holds what it held
    tenant.assert_no_canary()


def test_stored_credentials_that_pass_are_no_change(tenant: Tenant) -> None:
    fine = tenant.plan("--test-connections", "--detailed-exitcode", "--format", "json")
    assert fine.exit_code == 0, fine.output
    assert all(t["ok"] and not t["explanation"].startswith("the manifest") for t in
               json.loads(fine.output)["tests"])  # fmt: skip
    # The CI secret changed but the ERP did not: the manifest's values fail, the stored
    # pass. That is a wrong secret, not a rotation: a failed test, nothing proposed.
    tenant.ci = NEW_FOR_ERP
    wrong = tenant.plan("--test-connections", "--format", "json")
    assert wrong.exit_code == 1, wrong.output
    assert json.loads(wrong.output)["changes"] == []
    assert not _tests(wrong.output)[ERP]["ok"]
    assert tenant.stored_pass(ERP)
    tenant.assert_no_canary()


def test_drift_with_test_connections_reports_a_rotation(tenant: Tenant, tmp_path: Path) -> None:
    tenant.erp_side(ERP_URL, password=NEW_ERP)
    tenant.ci = NEW_FOR_ERP
    quiet = tenant.run("drift", str(tenant.ws.manifests), env=tenant.ci)
    assert quiet.exit_code == 0, quiet.output  # without --test-connections nothing is asked
    report = tmp_path / "drift.md"
    for fmt in ("text", "markdown", "json"):
        found = tenant.run(
            "drift",
            str(tenant.ws.manifests),
            "--test-connections",
            "--format",
            fmt,
            "--markdown-out",
            str(report),
            env=tenant.ci,
        )
        assert found.exit_code == 2, found.output
        assert "the credentials the CRM has stored fail the connection test" in found.output
    assert STORED_FAIL_REASON in report.read_text(encoding="utf-8")
    assert not tenant.stored_pass(ERP)  # drift writes nothing
    tenant.ci = OLD  # the CI secret not updated: both fail, a failed test is an error
    broken = tenant.run("drift", str(tenant.ws.manifests), "--test-connections", env=tenant.ci)
    assert broken.exit_code == 1, broken.output
    assert "FAILED  ErpConnection/Demo ERP – Production" in broken.output
    tenant.assert_no_canary(report)


def test_a_saved_rotation_plan_is_stale_once_the_stored_credentials_work_again(
    tenant: Tenant, tmp_path: Path
) -> None:
    tenant.erp_side(ERP_URL, password=NEW_ERP)
    tenant.ci = NEW_FOR_ERP
    planfile = tmp_path / "rotation.plan.json"
    assert tenant.plan("--test-connections", "--out", str(planfile)).exit_code == 0
    tenant.erp_side(ERP_URL, password=OLD_ERP)  # the ERP went back: nothing to rotate
    stale = tenant.run("apply", str(planfile), env=tenant.ci)
    assert stale.exit_code == 3, stale.output
    assert "stale" in stale.output
    assert tenant.stored_pass(ERP)
    tenant.assert_no_canary(planfile)


def test_stale_credentials_are_known_before_the_plan_is_built_once(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection tests run on the prepared resources; the plan is then built once, with
    the stale connections known (each resource prepared once, not once more for them)."""
    from quotesync_gitops import pipeline
    from quotesync_gitops.plan import planner

    prepared: Counter[tuple[str, str]] = Counter()
    built: list[frozenset[str]] = []
    real_prepare, real_build = planner.prepare_desired, pipeline.build_plan

    def counting_prepare(resource: Resource, ctx: LiveContext) -> Resource:
        prepared[resource.key] += 1
        return real_prepare(resource, ctx)

    def counting_build(*args: Any, **kwargs: Any) -> Any:
        built.append(frozenset(kwargs.get("stored_fail", ())))
        return real_build(*args, **kwargs)

    monkeypatch.setattr(planner, "prepare_desired", counting_prepare)
    monkeypatch.setattr(pipeline, "build_plan", counting_build)
    tenant.erp_side(ERP_URL, password=NEW_ERP)
    tenant.ci = NEW_FOR_ERP
    planned = tenant.plan("--test-connections", "--detailed-exitcode", "--format", "json")
    assert planned.exit_code == 2, planned.output
    assert list(_changes(planned.output)) == [ERP]
    assert built == [frozenset({ERP})]
    assert len(prepared) >= 5 and set(prepared.values()) == {1}, prepared
