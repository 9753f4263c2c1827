"""Fixtures of the CI tests: the e2e workspace (manifests + embedded CRM in a temp dir)."""

from __future__ import annotations

from tests.e2e.conftest import applied, ws

__all__ = ["applied", "ws"]
