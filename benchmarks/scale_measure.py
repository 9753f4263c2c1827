"""Measuring helpers: a child process's wall time and peak memory, and the served emulator.

Every measurement runs in a fresh process (``python -m quotesync_gitops plan ...`` exactly as a
user runs it), so peak memory is that process's own ``ru_maxrss`` (read with ``os.wait4``,
nothing in the child is instrumented) and wall time includes interpreter start and imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

PYTHON = sys.executable


@dataclass
class Measured:
    wall: float
    peak_mb: float
    #: CPU seconds of the child (user + system): what the load of other processes moves least
    cpu: float
    returncode: int
    stdout: str
    stderr: str
    #: (seconds since start, line) of every stderr line, when asked for
    stderr_lines: list[tuple[float, str]] = field(default_factory=list)


#: Longest chain of calls that need the previous answer, by operation (see the README):
#: plan reads connections → each connection's actor mappings → each field's default value
#: (and first product page → highest id → id ranges): 3. Apply reads as plan does (3), checks
#: each resource before writing (1), writes an edited ERP connection (read, save: 2), and reads
#: again to verify (3).
DEPTH = {"plan": 3, "apply": 9}
#: The issue's bound: time at L ≤ TARGET × round_trip_floor(...).
TARGET = 1.3


def concurrency() -> int:
    """The client's bounded concurrency C, as ``open_client`` takes it."""
    return int(os.environ.get("QUOTESYNC_MAX_CONCURRENCY") or 8)


def round_trip_floor(at_zero: float, latency_ms: float, calls: int, depth: int, c: int) -> float:
    """Issue 17's floor at ``latency_ms`` a call: the time at 0 ms plus the round trips that
    cannot be avoided, ``calls / C`` with C requests in flight all along, or the chain of
    ``depth`` calls that need each other's answers, whichever is longer."""
    return at_zero + latency_ms / 1000 * max(depth, calls / c)


def use_bytecode_cache(cache: Path) -> None:
    """Children (and the setup) keep compiled bytecode under ``cache``, as an installed tool
    has it. With ``PYTHONDONTWRITEBYTECODE`` set (as on this machine) and an editable
    install, every run would compile the package's ~150 modules from source (~0.15 s CPU,
    more than the floor's imports), while the floor's own imports (PyYAML, httpx, csv) come
    from bytecode pip compiled at install: the ratio would measure the checkout, not the
    tool. A prefix keeps the checkout free of ``__pycache__`` folders."""
    cache.mkdir(parents=True, exist_ok=True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = str(cache)


def run_measured(args: list[str], cwd: Path, *, timestamp_stderr: bool = False) -> Measured:
    """Run a child to completion; wall clock, peak RSS (MB) and its output."""
    env = {**os.environ, "PYTHONHASHSEED": "0", "NO_COLOR": "1"}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err_file:
        start = time.perf_counter()
        process = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE if timestamp_stderr else err_file,
        )
        lines: list[tuple[float, str]] = []
        reader: threading.Thread | None = None
        if timestamp_stderr:
            assert process.stderr is not None
            stream = process.stderr

            def read() -> None:
                for raw in iter(stream.readline, b""):
                    lines.append((time.perf_counter() - start, raw.decode("utf-8", "replace")))

            reader = threading.Thread(target=read, daemon=True)
            reader.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if reader is not None:
            reader.join()
            assert process.stderr is not None
            process.stderr.close()
        out.seek(0)
        err_file.seek(0)
        stderr = "".join(line for _, line in lines) if timestamp_stderr else ""
        stderr += err_file.read().decode("utf-8", "replace")
        return Measured(
            wall=wall,
            peak_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
            cpu=usage.ru_utime + usage.ru_stime,
            returncode=process.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=stderr,
            stderr_lines=lines,
        )


def quotesync(*args: str) -> list[str]:
    return [PYTHON, "-m", "quotesync_gitops", *args]


@dataclass
class Served:
    url: str
    process: subprocess.Popen[bytes]
    http: httpx.Client

    def set_latency(self, milliseconds: int) -> None:
        answer = self.http.post("/_emulator/faults", json={"latency_ms": milliseconds, "rules": []})
        answer.raise_for_status()

    def reset_stats(self) -> None:
        self.http.delete("/_emulator/stats").raise_for_status()

    def stats(self) -> dict[str, Any]:
        answer = self.http.get("/_emulator/stats")
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data


@contextmanager
def serve(db: Path, cwd: Path) -> Iterator[Served]:
    """``quotesync emulator serve`` on a free port, in its own process."""
    process = subprocess.Popen(
        quotesync("emulator", "serve", "--db", str(db), "--port", "0"),
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().decode().strip()
        if " on http" not in first:
            raise RuntimeError(f"the emulator did not start: {first!r}")
        url = first.rsplit(" ", 1)[-1]
        with httpx.Client(base_url=url, timeout=30) as http:
            yield Served(url, process, http)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def record_agent_calls(url: str, target_file: Path) -> int:
    """Every request the live reader makes except the paged Product/Pricelist lists.

    The floor replays them with plain httpx, then reads products and price lists with its
    own keyset loop, so the floor reads exactly the same live objects as plan does.
    """
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.live.reader import read_live

    calls: list[dict[str, Any]] = []

    def record(request: httpx.Request) -> None:
        path = request.url.path
        if path.lower() in ("/api/v1/product", "/api/v1/pricelist"):
            return
        calls.append(
            {
                "method": request.method,
                "path": path,
                "query": request.url.query.decode(),
                "body": request.content.decode("utf-8"),
            }
        )

    with httpx.Client(base_url=url, event_hooks={"request": [record]}, timeout=60) as http:
        read_live(CrmClient(http, max_concurrency=1))
    target_file.write_text(json.dumps(calls), encoding="utf-8")
    return len(calls)
