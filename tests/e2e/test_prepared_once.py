"""Apply writes from the plan's changes: every desired resource is prepared against the
CRM once per plan (the plan, then apply's verification), never again by a writer or by
the connection tests."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

from quotesync_gitops import pipeline
from quotesync_gitops.model import LiveContext, Resource
from quotesync_gitops.plan import prepare
from tests.e2e.conftest import Workspace


@pytest.fixture
def prepared(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Counts prepare_desired calls by resource, wherever a module imported it from."""
    calls: Counter[tuple[str, str]] = Counter()
    real = prepare.prepare_desired

    def counting(resource: Resource, ctx: LiveContext) -> Resource:
        calls[resource.key] += 1
        return real(resource, ctx)

    assert pipeline.build_plan  # every importer of prepare_desired is loaded before patching
    for name, module in list(sys.modules.items()):
        if name.startswith("quotesync_gitops") and getattr(module, "prepare_desired", None) is real:
            monkeypatch.setattr(module, "prepare_desired", counting)
    return calls


def test_apply_prepares_each_resource_once_per_plan(
    ws: Workspace, prepared: Counter[tuple[str, str]]
) -> None:
    result = ws.apply()
    assert result.exit_code == 0, result.output
    assert len(prepared) >= 5
    # the plan, and the verification of what apply wrote (a writer never prepares again)
    assert set(prepared.values()) == {1, 2}, prepared


def test_plan_with_connection_tests_prepares_once(
    ws: Workspace, prepared: Counter[tuple[str, str]]
) -> None:
    result = ws.plan("--test-connections")
    assert result.exit_code == 0, result.output
    assert set(prepared.values()) == {1}, prepared


def test_a_saved_plan_is_applied_from_one_fresh_plan(
    ws: Workspace, prepared: Counter[tuple[str, str]], tmp_path: Path
) -> None:
    saved = tmp_path / "plan.json"
    assert ws.plan("--out", str(saved)).exit_code == 0
    prepared.clear()
    result = ws.run("apply", str(saved))
    assert result.exit_code == 0, result.output
    assert set(prepared.values()) == {1, 2}, prepared
    assert "Apply complete" in result.output
