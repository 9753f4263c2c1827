"""plan and apply over real HTTP on 127.0.0.1 against the served emulator, with credentials."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from quotesync_gitops.emulator import Credentials, start_in_thread
from tests.e2e.conftest import Workspace

AUTH = {"QUOTESYNC_TICKET": "t-123", "QUOTESYNC_APP_TOKEN": "app-456"}


@pytest.fixture
def served(ws: Workspace, tmp_path: Path) -> Iterator[Workspace]:
    server = start_in_thread(
        tmp_path / "served.sqlite", credentials=Credentials(ticket="t-123", app_token="app-456")
    )
    ws.crm = server.url
    try:
        yield ws
    finally:
        server.stop()


def test_apply_then_plan_over_http(served: Workspace) -> None:
    result = served.apply(env=AUTH)
    assert result.exit_code == 0, result.output
    again = served.plan("--detailed-exitcode", env=AUTH)
    assert again.exit_code == 0, again.output


def test_wrong_credentials_are_a_clean_error(served: Workspace) -> None:
    result = served.plan(env={"QUOTESYNC_TICKET": "wrong", "QUOTESYNC_APP_TOKEN": "app-456"})
    assert result.exit_code == 1
    assert result.output.startswith("error:") or "\nerror:" in result.output
    assert "Traceback" not in result.output
    assert "wrong" not in result.output
