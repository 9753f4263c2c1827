"""A plan's live fingerprints are made only when something reads them (``plan/fingerprints``).

A plan shown as text never needs them; a plan file and JSON output do, and must hold the
same digests an eager computation gives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from quotesync_gitops.plan import fingerprints
from quotesync_gitops.plan.fingerprints import LiveFingerprints, fingerprint
from tests.reliability.helpers import copy_examples, run_cli


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The addresses whose live fingerprint was made, in order."""
    addresses: list[str] = []
    real = fingerprints.LiveFingerprints._digests

    def digests(self: LiveFingerprints) -> dict[str, str]:
        found = real(self)
        addresses.extend(a for a in found if a not in addresses)
        return found

    monkeypatch.setattr(fingerprints.LiveFingerprints, "_digests", digests)
    return addresses


@pytest.fixture
def eager(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Each live spec's fingerprint as it was when the planner handed it over."""
    digests: dict[str, str] = {}
    real = fingerprints.LiveFingerprints.add

    def add(self: LiveFingerprints, address: str, spec: Mapping[str, object]) -> None:
        digests[address] = fingerprint(spec)
        real(self, address, spec)

    monkeypatch.setattr(fingerprints.LiveFingerprints, "add", add)
    return digests


@pytest.fixture
def applied(tmp_path: Path) -> tuple[Path, str]:
    manifests = copy_examples(tmp_path)
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    assert run_cli("apply", str(manifests), "--crm", crm, "--auto-approve").exit_code == 0
    return manifests, crm


def test_a_plan_shown_as_text_makes_no_live_fingerprint(
    applied: tuple[Path, str], made: list[str]
) -> None:
    manifests, crm = applied
    result = run_cli("plan", str(manifests), "--crm", crm, "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert made == []


def test_a_plan_file_holds_the_digests_the_specs_had_when_planned(
    applied: tuple[Path, str], made: list[str], eager: dict[str, str], tmp_path: Path
) -> None:
    manifests, crm = applied
    out = tmp_path / "plan.json"
    result = run_cli("plan", str(manifests), "--crm", crm, "--out", str(out))
    assert result.exit_code == 0, result.output
    saved = json.loads(out.read_text("utf-8"))["fingerprints"]["live"]
    assert set(made) == set(saved) == set(eager) != set()
    assert saved == eager


def test_json_output_holds_them_too(applied: tuple[Path, str], made: list[str]) -> None:
    manifests, crm = applied
    result = run_cli("plan", str(manifests), "--crm", crm, "--format", "json")
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.output)["fingerprints"]["live"]) == set(made) != set()
