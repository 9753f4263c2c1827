"""The read path alone: ``read_live(client)`` against the floor's read of the same CRM.

In one process, alternated round by round (the floor first): the floor's read
(``scale_floor.read_live``: the recorded agent calls replayed with plain httpx, then keyset
pages of products and price lists) and ours (``open_client`` + ``live.reader.read_live``,
as plan opens and reads the CRM). Reports the median and best CPU seconds of this process
(every thread; for ``local:`` the emulator's work too) and wall seconds.

    python benchmarks/read_path.py /tmp/bench/s1/n10000 --rounds 7
    python benchmarks/read_path.py /tmp/bench/s1/n10000 --url http://127.0.0.1:PORT

The setup folder is one ``scale.py`` made (``crm.sqlite``, ``agent-calls.json``); with
``--url`` both read the emulator served there (``quotesync emulator serve --db ...``).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_floor

from quotesync_gitops.emulator.app import create_app
from quotesync_gitops.live.reader import read_live
from quotesync_gitops.target import open_client


def floor_read(target: str, calls: list[dict[str, Any]]) -> None:
    if target.startswith("local:"):
        transport = httpx.WSGITransport(app=create_app(target[len("local:") :]))
        http = httpx.Client(transport=transport, base_url="http://embedded.local")
    else:
        http = httpx.Client(base_url=target, timeout=60)
    with http:
        scale_floor.read_live(http, calls)


def our_read(target: str, calls: list[dict[str, Any]]) -> None:
    with open_client(target, os.environ) as client:
        read_live(client)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("setup", type=Path)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--url", help="read the emulator served here instead of crm.sqlite")
    args = parser.parse_args()
    target = args.url or f"local:{args.setup / 'crm.sqlite'}"
    calls = json.loads((args.setup / "agent-calls.json").read_text("utf-8"))
    gc.set_threshold(100_000, *gc.get_threshold()[1:])  # as the quotesync process does
    reads: dict[str, Callable[[str, list[dict[str, Any]]], None]] = {
        "floor": floor_read,
        "ours": our_read,
    }
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in reads}
    for _ in range(args.rounds):
        for name, read in reads.items():
            gc.collect()
            cpu, wall = time.process_time(), time.perf_counter()
            read(target, calls)
            figures[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    for name, runs in figures.items():
        cpus, walls = [run[0] for run in runs], [run[1] for run in runs]
        print(
            f"{name:5s} CPU median {statistics.median(cpus):.3f} s (best {min(cpus):.3f})  "
            f"wall median {statistics.median(walls):.3f} s (best {min(walls):.3f})"
        )


if __name__ == "__main__":
    main()
