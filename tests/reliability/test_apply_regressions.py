"""Focused regressions for bugs the fault, crash and concurrency tests found in apply.

Each test drives the real CLI against the emulator served on 127.0.0.1 and checks the result
through the client.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.reliability.helpers import (
    Crm,
    copy_examples,
    problems_after,
    run_cli,
    running_crm,
)

PRODUCTION = "erp/demo-erp-production.yaml"


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path) as served:
        yield served


def _edit(manifests: Path, relative: str, old: str, new: str) -> None:
    path = manifests / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def _config_of(crm: Crm, name: str) -> dict[str, str]:
    with crm.client() as client:
        row = next(
            r
            for r in client.erp_get_all_connections(include_deleted=True)
            if r["DisplayName"] == name
        )
        return client.erp_get_connection_config_fields(int(row["ErpConnectionId"]))


def test_saving_a_connection_header_keeps_config_values_that_came_from_env(
    crm: Crm, tmp_path: Path
) -> None:
    """A Text field whose value is a ${env:} reference is a Secret in memory, but not a
    Password field: a save that keeps the configuration must send its value, not the
    password mask (which the CRM stores literally in a Text field)."""
    manifests = copy_examples(tmp_path)
    assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
    _edit(manifests, PRODUCTION, "active: true", "active: false")
    assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
    _edit(manifests, PRODUCTION, "description: Customers", "description: All customers")
    result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
    assert result.exit_code == 0, result.output
    assert _config_of(crm, "Demo ERP – Production")["username"] == "demo"
    _edit(manifests, PRODUCTION, "active: false", "active: true")
    result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
    assert result.exit_code == 0, result.output
    assert problems_after(crm, manifests) == []
