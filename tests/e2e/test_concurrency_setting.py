"""QUOTESYNC_MAX_CONCURRENCY bounds the requests in flight; a bad value is refused up front."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from quotesync_gitops.emulator import FaultConfig
from tests.reliability.helpers import TOKEN, copy_examples, run_cli, running_crm


def _reset_stats(url: str) -> None:
    httpx.delete(f"{url}/_emulator/stats", headers={"Authorization": f"Bearer {TOKEN}"})


def test_the_setting_bounds_requests_in_flight(tmp_path: Path) -> None:
    with running_crm(tmp_path / "crm") as crm:
        manifests = copy_examples(tmp_path)
        crm.faults(FaultConfig(latency_ms=40))
        seen = {}
        for setting in ("2", ""):
            _reset_stats(crm.url)
            env = {**crm.env, "QUOTESYNC_MAX_CONCURRENCY": setting}
            result = run_cli("plan", str(manifests), env=env)
            assert result.exit_code == 0, result.output
            seen[setting] = int(crm.stats()["max_in_flight"])
    assert seen["2"] == 2
    assert 2 < seen[""] <= 8


@pytest.mark.parametrize("value", ["0", "65", "eight", "-1"])
def test_a_bad_setting_is_refused_before_any_call(tmp_path: Path, value: str) -> None:
    with running_crm(tmp_path / "crm") as crm:
        manifests = copy_examples(tmp_path)
        _reset_stats(crm.url)
        env = {**crm.env, "QUOTESYNC_MAX_CONCURRENCY": value}
        result = run_cli("apply", str(manifests), "--auto-approve", env=env)
        requests = sum(crm.stats()["requests_per_path"].values())
    assert result.exit_code == 1, result.output
    assert "QUOTESYNC_MAX_CONCURRENCY must be a whole number from 1 to 64" in result.output
    assert requests == 0, "nothing reached the CRM"
