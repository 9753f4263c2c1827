"""Two applies against one CRM at the same time never interleave silently.

Two real ``quotesync apply`` processes start together against the emulator served on
127.0.0.1, with latency injected so that their reads and writes overlap. Each must either
succeed or stop with exit 3 naming the conflict; the CRM must hold every object once; and a
third apply must converge.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from quotesync_gitops.emulator import FaultConfig
from tests.reliability.helpers import (
    Crm,
    cli_command,
    copy_examples,
    problems_after,
    read_inventory,
    run_cli,
    running_crm,
)
from tests.support.parallel import TIMING

pytestmark = TIMING

CONFLICT_WORDS = ("created by another apply", "by someone else")


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path) as served:
        yield served


def _apply_twice_at_once(crm: Crm, manifests: Path) -> list[tuple[int, str]]:
    processes = [
        subprocess.Popen(
            cli_command("apply", str(manifests), "--auto-approve"),
            env={**os.environ, **crm.env},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        results.append((process.returncode, out + err))
    return results


def _check_outcomes(results: list[tuple[int, str]]) -> None:
    """Each run gets through or stops naming the conflict. Both may stop: each run writes
    independent resources at the same time, so each can be the first to create a different
    name (seen on a loaded machine); what is promised is that neither interleaves silently."""
    for code, output in results:
        assert code in (0, 3), output
        assert "Traceback" not in output
        if code == 3:
            assert any(word in output for word in CONFLICT_WORDS), output


def _check_converges(crm: Crm, manifests: Path) -> None:
    crm.faults()
    with crm.client() as client:
        assert read_inventory(client).duplicates() == []
    third = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
    assert third.exit_code == 0, third.output
    assert problems_after(crm, manifests) == []


@pytest.mark.parametrize("latency_ms", [20])
def test_two_first_applies_at_once(crm: Crm, tmp_path: Path, latency_ms: int) -> None:
    manifests = copy_examples(tmp_path)
    crm.faults(FaultConfig(latency_ms=latency_ms))
    results = _apply_twice_at_once(crm, manifests)
    assert crm.stats()["max_in_flight"] > 1, "the two runs did not overlap"
    _check_outcomes(results)
    _check_converges(crm, manifests)


def test_two_applies_adding_the_same_products_at_once(crm: Crm, tmp_path: Path) -> None:
    manifests = copy_examples(tmp_path)
    assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
    csv = manifests / "pricing" / "services-products.csv"
    header, *rows = csv.read_text(encoding="utf-8").splitlines()
    first = rows[0].split(",", 1)
    extra = [f"NEW-{n:03d},{first[1]}" for n in range(30)]
    csv.write_text("\n".join([header, *rows, *extra]) + "\n", encoding="utf-8")
    crm.faults(FaultConfig(latency_ms=20))
    results = _apply_twice_at_once(crm, manifests)
    _check_outcomes(results)
    _check_converges(crm, manifests)


def test_two_applies_changing_an_active_connection_at_once(crm: Crm, tmp_path: Path) -> None:
    """Both deactivate, save and reactivate. ToggleErpConnectionActive flips, so one run's
    toggle can undo the other's: each run fences its toggles with reads and stops with exit 3
    when the state moved under it (often both stop; the third apply then converges)."""
    manifests = copy_examples(tmp_path)
    assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
    path = manifests / "erp" / "demo-erp-production.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('companyNumber: "1"', 'companyNumber: "7"'), encoding="utf-8")
    crm.faults(FaultConfig(latency_ms=20))
    results = _apply_twice_at_once(crm, manifests)
    _check_outcomes(results)
    _check_converges(crm, manifests)
