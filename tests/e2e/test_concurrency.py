"""A second writer between apply's read and its write stops apply (exit 3), never interleaves."""

from __future__ import annotations

import os

import pytest

from quotesync_gitops.errors import ExitCode
from quotesync_gitops.kinds.writing import ConcurrentChange
from quotesync_gitops.pipeline import ManifestOptions, execute, plan_against
from tests.e2e.conftest import Workspace


def _options(ws: Workspace) -> ManifestOptions:
    return ManifestOptions(paths=[str(ws.manifests)], env=dict(os.environ), variables={})


def test_object_created_by_someone_else_during_apply_stops_it(ws: Workspace) -> None:
    with ws.client() as client:
        run = plan_against(client, _options(ws))
        # Another apply creates the same connection after our plan read the CRM.
        other = plan_against(client, _options(ws))
        execute(client, other, lambda _m: None)
        with pytest.raises(ConcurrentChange) as caught:
            execute(client, run, lambda _m: None)
    assert caught.value.exit_code == ExitCode.STALE
    assert "was created by someone else" in str(caught.value)
    with ws.client() as client:
        names = [c["DisplayName"] for c in client.erp_get_all_connections(include_deleted=True)]
    assert sorted(names) == sorted(set(names)), "no connection was created twice"


def test_object_changed_by_someone_else_during_apply_stops_it(applied: Workspace) -> None:
    text = next(
        p
        for p in applied.manifests.rglob("*.yaml")
        if "kind: QuoteConnection" in p.read_text(encoding="utf-8")
    )
    text.write_text(
        text.read_text(encoding="utf-8").replace("description: ", "description: new ", 1),
        encoding="utf-8",
    )
    with applied.client() as client:
        run = plan_against(client, _options(applied))
        assert [c.name for c in run.plan.changes] == ["ERP Quotes"]
        row = next(
            c for c in client.quote_get_installed_connections() if c["DisplayName"] == "ERP Quotes"
        )
        row["DisplayDescription"] = "edited by hand meanwhile"
        client.quote_save_connection(row)
        with pytest.raises(ConcurrentChange, match="changed by someone else"):
            execute(client, run, lambda _m: None)
        row = client.quote_get_connection(row["QuoteConnectionId"])
    assert row["DisplayDescription"] == "edited by hand meanwhile"
