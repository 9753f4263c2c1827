"""Apply killed with SIGKILL after its Nth write, then run again: converges, no duplicates.

``quotesync apply`` runs as a real subprocess against the emulator served on 127.0.0.1. A kill
switch in front of the emulator counts writes; the Nth write is processed (it lands), then the
server holds its answer and every later request, and the test SIGKILLs the process there. So
each kill point is exact: the CRM holds the first N writes and nothing else. The next apply
must converge (a fresh plan shows no changes) with every name once and every product once.

The points include the gap between creating an ERP connection's shell and saving its
configuration, the middle of the bulk product writes, the gap between deactivating an active
connection and saving its new configuration, and the middle of a price list replacement.
``benchmarks/faults.py --crash`` kills at every write instead of a selection.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.helpers import (
    Crm,
    WsgiApp,
    cli_command,
    copy_examples,
    is_write,
    problems_after,
    request_label,
    run_cli,
    running_crm,
)

HOLD_SECONDS = 30.0


@dataclass
class KillSwitch:
    """WSGI middleware: let N writes land, then hold every later write unprocessed."""

    app: WsgiApp
    after: int | None = None
    writes: list[str] = field(default_factory=list)
    reached: threading.Event = field(default_factory=threading.Event)
    _released: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not is_write(str(environ.get("REQUEST_METHOD")), str(environ.get("PATH_INFO"))):
            return self.app(environ, start_response)
        with self._lock:
            number = len(self.writes) + 1
            armed = self.after is not None and not self._released.is_set()
            if armed and self.after is not None and number > self.after:
                held = True
            else:
                held = False
                self.writes.append(request_label(environ))
        if held:  # never processed: the client is killed while it waits
            self._released.wait(HOLD_SECONDS)
            start_response("503 Service Unavailable", [("Content-Length", "0")])
            return [b""]
        answer = self.app(environ, start_response)
        if armed and number == self.after:
            self.reached.set()
            self._released.wait(HOLD_SECONDS)
        return answer

    def release(self) -> None:
        self._released.set()


def _killed_apply(crm: Crm, switch: KillSwitch, manifests: Path, after: int) -> list[str]:
    """Start apply, SIGKILL it once ``after`` writes have landed; the writes that landed."""
    switch.after = after
    process = subprocess.Popen(
        cli_command("apply", str(manifests), "--auto-approve"),
        env={**os.environ, **crm.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not switch.reached.wait(0.02):
            if process.poll() is not None:
                raise AssertionError(
                    f"apply ended before write {after} (exit {process.returncode}): "
                    f"{process.stderr.read() if process.stderr else ''}"
                )
        process.send_signal(signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if process.stderr:
            process.stderr.close()
        switch.release()
    return list(switch.writes)


def _crash_and_resume(
    tmp_path: Path, after: int, prepare: Callable[[Crm, Path], Iterable[str]] | None = None
) -> list[str]:
    """Kill apply after ``after`` writes, apply again; the landed writes (for messages)."""
    manifests = copy_examples(tmp_path)
    switch: KillSwitch | None = None

    def wrap(app: WsgiApp) -> WsgiApp:
        nonlocal switch
        switch = KillSwitch(app)
        return switch

    with running_crm(tmp_path, wrap=wrap) as crm:
        assert switch is not None
        if prepare is not None:
            list(prepare(crm, manifests))
            switch.writes.clear()
        landed = _killed_apply(crm, switch, manifests, after)
        switch.after = None
        again = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert again.exit_code == 0, f"after writes {landed}:\n{again.output}"
        assert problems_after(crm, manifests) == [], f"killed after {landed[-1]}"
    return landed


#: Write numbers of a first apply of the examples (54 writes in all), and what they are.
FIRST_APPLY_POINTS = {
    1: "ERP connection shell created, configuration not saved yet",
    6: "second shell created (active connection: tested, not configured)",
    11: "one field-order move done",
    16: "quote connection created, its configuration not saved",
    21: "price list created, no products yet",
    33: "in the middle of the bulk product writes",
    47: "second price list created, its products not yet",
    53: "last product written, quote line settings not yet",
}


@pytest.mark.parametrize(
    "after", list(FIRST_APPLY_POINTS), ids=[f"{n}-{d}" for n, d in FIRST_APPLY_POINTS.items()]
)
def test_first_apply_killed_at_a_write_then_resumed(tmp_path: Path, after: int) -> None:
    landed = _crash_and_resume(tmp_path, after)
    assert len(landed) == after


def _applied_then_edited(edit: Callable[[Path], None]) -> Callable[[Crm, Path], Iterable[str]]:
    def prepare(crm: Crm, manifests: Path) -> Iterable[str]:
        first = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert first.exit_code == 0, first.output
        edit(manifests)
        return []

    return prepare


def _replace_in(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(manifests: Path) -> None:
        path = manifests / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


@pytest.mark.parametrize(
    "after", [1, 2], ids=["deactivated, config not saved", "config saved, not reactivated"]
)
def test_config_change_of_an_active_connection_killed_then_resumed(
    tmp_path: Path, after: int
) -> None:
    edit = _replace_in("erp/demo-erp-production.yaml", 'companyNumber: "1"', 'companyNumber: "2"')
    landed = _crash_and_resume(tmp_path, after, _applied_then_edited(edit))
    assert landed[0].endswith("ToggleErpConnectionActive")


@pytest.mark.parametrize("after", [1, 2], ids=["old list retired", "new list created"])
def test_price_list_replacement_killed_then_resumed(tmp_path: Path, after: int) -> None:
    edit = _replace_in(
        "pricing/standard-nok-2026.yaml", 'validTo: "2026-12-31"', 'validTo: "2027-06-30"'
    )
    landed = _crash_and_resume(tmp_path, after, _applied_then_edited(edit))
    assert landed[0].startswith("PUT Pricelist/")
