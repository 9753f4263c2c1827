"""Fixtures of the CI tests: the e2e workspace, and the emulator served over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e.conftest import applied, applied_crm, ws

__all__ = ["ServedCrm", "applied", "applied_crm", "serve_crm", "served_crm", "ws"]

TICKET = "ci-ticket-7f3a"
APP_TOKEN = "ci-app-token-91bd"


@dataclass(frozen=True)
class ServedCrm:
    url: str
    credentials: dict[str, str]


@contextmanager
def serve_crm(db: Path, credentials: dict[str, str]) -> Iterator[ServedCrm]:
    """`quotesync emulator serve` on 127.0.0.1 over ``db``, accepting ``credentials``."""
    quotesync = Path(sys.executable).parent / "quotesync"
    process = subprocess.Popen(
        [str(quotesync), "emulator", "serve", "--db", str(db),
         "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), **credentials},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        assert first.startswith("Serving SuperOffice-compatible WebAPI on http://127.0.0.1:"), first
        yield ServedCrm(first.rsplit(" ", 1)[1], credentials)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def served_crm(tmp_path: Path) -> Iterator[ServedCrm]:
    """A fresh tenant served over HTTP, requiring a SOTicket."""
    credentials = {"QUOTESYNC_TICKET": TICKET, "QUOTESYNC_APP_TOKEN": APP_TOKEN}
    with serve_crm(tmp_path / "crm.sqlite", credentials) as crm:
        yield crm
