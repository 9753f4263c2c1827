"""Plan reads the CRM while the manifests load (``live.ahead``), and sees what it saw before.

The read starts before loading and is taken after it: a plan costs about the longer of the
two, not their sum (across the internet the read is mostly waiting). What plan reports must
not change: the same resources as a read made afterwards, for every kind asked for, and a
manifest problem still before a CRM problem.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from quotesync_gitops import pipeline
from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.live import ahead
from quotesync_gitops.live.ahead import ReadAhead
from quotesync_gitops.live.reader import read_live
from quotesync_gitops.model import MANIFEST_KINDS, Kind
from quotesync_gitops.target import open_client
from tests.reliability.helpers import copy_examples, run_cli, running_crm

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


@pytest.mark.parametrize("kinds", [None, *([str(k)] for k in MANIFEST_KINDS)])
def test_the_read_ahead_holds_what_a_read_afterwards_holds(
    examples_crm: str, kinds: list[str] | None
) -> None:
    with open_client(examples_crm, {}) as client:
        early = ReadAhead(client).state(kinds)
        late = read_live(client, kinds)
    assert early.resources == late.resources
    assert {r.kind for r in early} <= set(kinds or MANIFEST_KINDS)


def test_the_crm_is_read_while_the_manifests_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading waits (up to 30 s) for the first request to reach the CRM: it reaches it
    only if the read was started before loading."""
    first_request = threading.Event()

    def wrap(app: WsgiApp) -> WsgiApp:
        def seen(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            first_request.set()
            return app(environ, start_response)

        return seen

    loading_saw_a_request: list[bool] = []
    real_load = pipeline.load_manifests

    def load_manifests(*args: Any, **kwargs: Any) -> Any:
        loading_saw_a_request.append(first_request.wait(timeout=30))
        return real_load(*args, **kwargs)

    with running_crm(tmp_path / "crm", wrap=wrap) as crm:
        manifests = copy_examples(tmp_path)
        first_request.clear()  # seeding the CRM is not the plan's read
        monkeypatch.setattr(pipeline, "load_manifests", load_manifests)
        result = run_cli("plan", str(manifests), "--detailed-exitcode", env=crm.env)
    assert result.exit_code == 2, result.output
    assert loading_saw_a_request == [True]


@pytest.fixture
def unreachable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The examples, planned against a CRM whose read fails."""

    def read_live(*_: object, **__: object) -> None:
        raise QuotesyncError("cannot reach the CRM")

    monkeypatch.setattr(ahead, "read_live", read_live)
    return copy_examples(tmp_path)


def test_a_manifest_problem_comes_before_the_crm_failing(tmp_path: Path, unreachable: Path) -> None:
    manifests = unreachable
    broken = manifests / "pricing" / "services-eur-2026.yaml"
    broken.write_text(broken.read_text("utf-8").replace("currency: EUR", "currency: 12"), "utf-8")
    result = run_cli("plan", str(manifests), "--crm", f"local:{tmp_path / 'crm.sqlite'}")
    assert result.exit_code == 1
    assert "services-eur-2026.yaml:" in result.output
    assert "cannot reach the CRM" not in result.output
    assert not (tmp_path / "crm.sqlite").exists()  # nothing written


def test_the_crm_failing_is_reported_when_the_manifests_are_valid(
    tmp_path: Path, unreachable: Path
) -> None:
    result = run_cli("plan", str(unreachable), "--crm", f"local:{tmp_path / 'crm.sqlite'}")
    assert result.exit_code == 1
    assert "cannot reach the CRM" in result.output
    assert Kind.PRICE_LIST not in result.output  # no plan was rendered


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What plan did, in order: ``"load"`` for loading the manifests, and for each CRM read
    whether it ran on the thread that planned."""
    planner = threading.get_ident()
    events: list[object] = []
    real_load, real_read = pipeline.load_manifests, ahead.read_live

    def load_manifests(*args: Any, **kwargs: Any) -> Any:
        events.append("load")
        return real_load(*args, **kwargs)

    def read_live(*args: Any, **kwargs: Any) -> Any:
        events.append(("read on the planning thread", threading.get_ident() == planner))
        return real_read(*args, **kwargs)

    monkeypatch.setattr(pipeline, "load_manifests", load_manifests)
    monkeypatch.setattr(ahead, "read_live", read_live)
    return events


def test_the_embedded_crm_is_read_after_loading_on_the_planning_thread(
    tmp_path: Path, reads: list[object]
) -> None:
    """In this process the embedded CRM only takes turns with loading for the GIL: no thread."""
    manifests = copy_examples(tmp_path)
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    result = run_cli("plan", str(manifests), "--crm", crm, "--detailed-exitcode")
    assert result.exit_code == 2, result.output
    assert reads == ["load", ("read on the planning thread", True)]


def test_nothing_loaded_means_no_read_of_the_embedded_crm(
    tmp_path: Path, reads: list[object]
) -> None:
    """Nothing to check against it: the plan ends at once, with no call still in flight."""
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "broken.yaml").write_text("kind: PriceList\nname: [\n", "utf-8")
    result = run_cli("plan", str(manifests), "--crm", f"local:{tmp_path / 'crm.sqlite'}")
    assert result.exit_code == 1
    assert "broken.yaml:" in result.output
    assert reads == ["load"]


#: Runs the real entry point, noting on stderr which of the heavy modules were already
#: imported when the CRM read was started.
STARTING_ENTRY = """
import runpy, sys
from quotesync_gitops.live import ahead

HEAVY = ("jsonschema", "quotesync_gitops.manifest.loader", "quotesync_gitops.pipeline")
start = ahead.ReadAhead.__init__

def noted(self, client):
    loaded = [name for name in HEAVY if name in sys.modules]
    sys.stderr.write(f"read started; already imported: {loaded}\\n")
    start(self, client)

ahead.ReadAhead.__init__ = noted
sys.argv = ["quotesync", *sys.argv[1:]]
runpy.run_module("quotesync_gitops", run_name="__main__")
"""


@pytest.mark.parametrize(("command", "code"), [("plan", 0), ("drift", 2)])  # 2: drift found
def test_the_read_starts_before_the_manifest_checks_are_imported(
    tmp_path: Path, command: str, code: int
) -> None:
    """Against a served CRM or a tenant the pipeline, the manifest checks and jsonschema
    (about 0.1 s) import while the CRM answers the first calls."""
    manifests = copy_examples(tmp_path)
    done = subprocess.run(
        [sys.executable, "-c", STARTING_ENTRY, command, str(manifests)],
        env={**os.environ, "QUOTESYNC_CRM": f"local:{tmp_path / 'crm.sqlite'}", "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stderr
    assert "read started; already imported: []" in done.stderr.splitlines()
