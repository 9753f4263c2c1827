"""What the live-read tests share: a CRM holding the applied examples (read only)."""

from __future__ import annotations

import shutil

import pytest

from tests.export.conftest import EXAMPLES, run


@pytest.fixture(scope="module")
def examples_crm(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The examples applied to an embedded CRM, once a test module; the services price list
    names a quote connection, so every kind's read has something to read."""
    folder = tmp_path_factory.mktemp("live-reads")
    manifests = folder / "examples"
    shutil.copytree(EXAMPLES, manifests)
    services = manifests / "pricing" / "services-eur-2026.yaml"  # names a quote connection
    text = services.read_text("utf-8").replace(
        "  currency: EUR\n", "  currency: EUR\n  quoteConnection: ERP Quotes\n"
    )
    services.write_text(text, "utf-8")
    crm = f"local:{folder / 'crm.sqlite'}"
    result = run("apply", str(manifests), "--auto-approve", "--crm", crm)
    assert result.exit_code == 0, result.output
    return crm
