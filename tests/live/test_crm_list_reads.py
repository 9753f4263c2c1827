"""The CRM lists behind ERP list mappings are read with the default values, each list once.

They used to be a round of their own after every ERP connection was read: one more round
trip for every plan of a tenant with list mappings. Measured on the emulator served on
127.0.0.1 with latency injected, the real CLI planning the applied examples.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from quotesync_gitops.emulator import FaultConfig
from quotesync_gitops.live.directory import DIRECTORY_LISTS
from tests.reliability.helpers import copy_examples, run_cli, running_crm

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class RequestLog:
    """WSGI middleware: (path, start, end) of every request."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()

    def wrap(self, app: WsgiApp) -> WsgiApp:
        def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            began = time.monotonic()
            body = list(app(environ, start_response))
            with self._lock:
                self.requests.append((str(environ.get("PATH_INFO", "")), began, time.monotonic()))
            return body

        return logged


def test_crm_lists_are_read_once_alongside_the_default_values(tmp_path: Path) -> None:
    log = RequestLog()
    with running_crm(tmp_path / "crm", wrap=log.wrap) as crm:
        manifests = copy_examples(tmp_path)
        # A second connection mapping the same ERP list to the same CRM list.
        production = manifests / "erp" / "demo-erp-production.yaml"
        twin = production.read_text("utf-8").replace("name: Demo ERP – Production", "name: Twin")
        (manifests / "erp" / "twin.yaml").write_text(twin, "utf-8")
        assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
        log.requests.clear()
        crm.faults(FaultConfig(latency_ms=30))
        result = run_cli("plan", str(manifests), "--detailed-exitcode", env=crm.env)
        assert result.exit_code == 0, result.output
    directory = {f"/api/v1/MDOList/{name}" for name in DIRECTORY_LISTS}
    lists = [
        (path, began)
        for path, began, _ in log.requests
        if "/MDOList/" in path and path not in directory
    ]
    defaults_end = max(end for path, _, end in log.requests if path.endswith("GetDefaultValueInfo"))
    assert lists, "the examples map ERP lists to CRM lists"
    assert sum(path.endswith("GetConnectionListMappings") for path, *_ in log.requests) >= 3
    paths = [path for path, _ in lists]
    assert len(paths) == len(set(paths)), f"a CRM list was read twice: {sorted(paths)}"
    # In the same round as the default values, not after all of them.
    assert min(began for _, began in lists) < defaults_end, lists
