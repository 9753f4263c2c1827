"""Killing ``quotesync apply`` at an exact write: a kill switch in front of the served CRM.

The switch counts writes; the Nth is processed (it lands), then the server holds its answer
and every later write unprocessed while the test SIGKILLs the apply process. So the CRM holds
exactly the first N writes.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.reliability.helpers import Crm, WsgiApp, cli_command, is_write, request_label

HOLD_SECONDS = 30.0


class ApplyFinished(AssertionError):
    """Apply ended by itself before the write it was to be killed at."""


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


def killed_apply(crm: Crm, switch: KillSwitch, manifests: Path, after: int) -> list[str]:
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
                raise ApplyFinished(
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
