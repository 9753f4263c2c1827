"""Fixtures for the CRM client tests (helpers live in tests/crm/helpers.py)."""

from __future__ import annotations

import pytest

from tests.crm.helpers import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
