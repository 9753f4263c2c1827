"""Apply and drift under injected faults converge, and never duplicate or lose an object.

The real CLI (in process, with tiny retry waits) applies the example manifests to the emulator
served on 127.0.0.1 while the emulator injects 429 + Retry-After, 502/503/504 and dropped
connections, before or after the request is processed. After each run the CRM is checked
through the client with the faults off: a fresh plan shows no changes, no name is used twice,
and every price list has exactly its products. The larger matrix (several rates, latency,
figures) is ``benchmarks/faults.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quotesync_gitops.emulator import FaultConfig, FaultRule
from quotesync_gitops.emulator.faults import FaultStatus
from tests.reliability.helpers import (
    Crm,
    copy_examples,
    fast_retries,
    problems_after,
    run_cli,
    running_crm,
)

MAX_RUNS = 3


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path) as served, fast_retries():
        yield served


def _apply_until_done(crm: Crm, manifests: Path) -> list[int]:
    """Apply (under whatever faults are set) until it succeeds; every failure must be clean."""
    codes = []
    for _ in range(MAX_RUNS):
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        codes.append(result.exit_code)
        if result.exit_code == 0:
            break
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert "error:" in result.output or "failed" in result.output, result.output
    return codes


RATE_CELLS = {
    "429 + Retry-After": [FaultRule(429, rate=0.15, retry_after=0)],
    "502 + 504": [FaultRule(502, rate=0.08), FaultRule(504, rate=0.08)],
    "503": [FaultRule(503, rate=0.15)],
    "drop after processing": [FaultRule("drop", rate=0.15, after_processing=True)],
    "502 + 504 after processing": [
        FaultRule(502, rate=0.08, after_processing=True),
        FaultRule(504, rate=0.08, after_processing=True),
    ],
    "503 after processing": [FaultRule(503, rate=0.15, after_processing=True)],
    # A 500 is retried like a 502: reads resent, writes resent only after a re-read.
    "500 before and after processing": [
        FaultRule(500, rate=0.06),
        FaultRule(500, rate=0.06, after_processing=True),
    ],
    "mixed + latency": [
        FaultRule(429, rate=0.05, retry_after=0),
        FaultRule(503, rate=0.05, after_processing=True),
        FaultRule("drop", rate=0.05, after_processing=True),
        FaultRule(504, rate=0.05),
        FaultRule("drop", rate=0.05),
    ],
}


@pytest.mark.parametrize("rules", list(RATE_CELLS.values()), ids=list(RATE_CELLS))
def test_apply_and_drift_converge_under_faults(
    crm: Crm, tmp_path: Path, rules: list[FaultRule]
) -> None:
    manifests = copy_examples(tmp_path)
    latency = 5 if len(rules) > 2 else 0
    crm.faults(FaultConfig(latency_ms=latency, rules=rules, seed=7))
    codes = _apply_until_done(crm, manifests)
    assert codes[-1] == 0, f"apply never succeeded under faults: {codes}"
    assert crm.app.faults.faults_injected > 0
    drift = run_cli("drift", str(manifests), env=crm.env)
    assert drift.exit_code == 0, drift.output
    assert problems_after(crm, manifests) == []


#: One fault on one non-idempotent write: "the write landed but the answer was lost".
LOST_ANSWERS = {
    "ERP connection create": "Agents/ErpSync/SaveConnection",
    "quote connection create": "Agents/Quote/SaveConnection",
    "activation toggle": "ToggleErpConnectionActive",
    "field order move": "MoveErpFieldItem",
}


@pytest.mark.parametrize(
    ("path", "fault"),
    [
        (LOST_ANSWERS["ERP connection create"], 503),
        (LOST_ANSWERS["quote connection create"], 503),
        (LOST_ANSWERS["activation toggle"], "drop"),
        (LOST_ANSWERS["activation toggle"], 503),
        (LOST_ANSWERS["field order move"], 503),
        (LOST_ANSWERS["ERP connection create"], 500),
        (LOST_ANSWERS["quote connection create"], 500),
        (LOST_ANSWERS["activation toggle"], 500),
        (LOST_ANSWERS["field order move"], 500),
    ],
    ids=[
        "ERP create-503",
        "quote create-503",
        "toggle-drop",
        "toggle-503",
        "move-503",
        "ERP create-500",
        "quote create-500",
        "toggle-500",
        "move-500",
    ],
)  # drops and 502/504 after a create take the path the drop after a toggle takes
def test_a_lost_answer_to_a_write_is_checked_not_repeated(
    crm: Crm, tmp_path: Path, path: str, fault: FaultStatus
) -> None:
    manifests = copy_examples(tmp_path)
    crm.faults(FaultConfig(rules=[FaultRule(fault, calls=(1,), path=path, after_processing=True)]))
    result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
    assert crm.app.faults.faults_injected == 1
    assert result.exit_code == 0, result.output
    assert problems_after(crm, manifests) == []


@pytest.mark.parametrize("fault", ["drop", 503])
def test_lost_answers_to_bulk_product_and_price_list_creates(
    crm: Crm, tmp_path: Path, fault: FaultStatus
) -> None:
    manifests = copy_examples(tmp_path)
    rules = [
        FaultRule(fault, rate=0.3, path="/api/v1/Product", after_processing=True),
        FaultRule(fault, rate=0.5, path="/api/v1/Pricelist", after_processing=True),
    ]
    crm.faults(FaultConfig(rules=rules, seed=3))
    assert _apply_until_done(crm, manifests)[-1] == 0
    assert crm.app.faults.faults_injected > 5
    assert problems_after(crm, manifests) == []


def test_a_crm_that_keeps_failing_with_500_ends_with_its_own_message(
    crm: Crm, tmp_path: Path
) -> None:
    """Retries are bounded: once they run out the run stops with the CRM's explanation,
    naming the operation, and once the CRM is healthy again the next apply converges."""
    manifests = copy_examples(tmp_path)
    crm.faults(FaultConfig(rules=[FaultRule(500, path="GetAllConnections")]))
    failed = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
    assert failed.exit_code == 1
    assert "HTTP 500" in failed.output and "Injected fault" in failed.output
    assert "Traceback" not in failed.output
    assert crm.app.faults.faults_injected == 5  # the CLI policy's 5 attempts, no more
    crm.faults()
    assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
    assert problems_after(crm, manifests) == []
