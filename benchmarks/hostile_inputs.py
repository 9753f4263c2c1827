"""Small hostile inputs, and what they cost: time, peak memory and output size.

Usage (from the repository root)::

    python benchmarks/hostile_inputs.py

Each case writes one manifest into a copy of the examples and runs ``quotesync validate``
in its own process (wall time from start to exit, peak memory from ``os.wait4``). The
bounds they meet are in ``docs/security.md``; the same inputs are tests in
``tests/fuzz/test_bad_manifests.py``. Prints one row per case and a PASS/FAIL line: every
case must exit 1 within 30 s, under 300 MB and with under 2.5 MB of output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "manifests"


def _sync(priority: list[str], anchor: str) -> bytes:
    head = [
        "apiVersion: quotesync.io/v1",
        "kind: SyncSettings",
        "metadata: {name: default}",
        "spec:",
        f"  interval: &big {anchor}",
        "  priority:",
    ]
    return ("\n".join(head + [f"    - {p}" for p in priority]) + "\n").encode()


CASES = {
    "1 MB string aliased 300 times": _sync(["*big"] * 300, "x" * 1_000_000),
    "1 MB string aliased 1,000 times": _sync(["*big"] * 1_000, "x" * 1_000_000),
    "800,000 empty documents": b"---\n" * 800_000,
    "5,000 problems quoting 1 KB": _sync(["*big"] * 5_000, "y" * 1_000),
    "a 5,000-digit integer": b"apiVersion: quotesync.io/v1\nkind: RepositorySettings\n"
    b"metadata: {name: default}\nspec:\n  guards:\n    minExisting: " + b"9" * 5_000 + b"\n",
    "a name with a trailing space": b"apiVersion: quotesync.io/v1\nkind: ErpConnection\n"
    b"metadata: {name: 'Prod '}\nspec: {connector: Demo ERP}\n",
}


def run(content: bytes, work: Path) -> tuple[int, float, float, int]:
    folder = Path(tempfile.mkdtemp(dir=work))
    manifests = folder / "manifests"
    shutil.copytree(EXAMPLES, manifests)
    (manifests / "settings" / "sync.yaml").write_bytes(content)
    out = folder / "out.txt"
    start = time.monotonic()
    with out.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "quotesync_gitops", "validate", str(manifests)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            cwd=folder,
        )
        _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - start
    return os.waitstatus_to_exitcode(status), seconds, usage.ru_maxrss / 1024, out.stat().st_size


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="quotesync-hostile-"))
    failed = []
    try:
        print(f"{'case':34} {'input':>9} {'exit':>4} {'time':>6} {'peak MB':>7} {'output':>9}")
        for name, content in CASES.items():
            code, seconds, peak, size = run(content, work)
            ok = code == 1 and seconds < 30 and peak < 300 and size < 2_500_000
            print(
                f"{name:34} {len(content):>9,} {code:>4} {seconds:>5.2f}s {peak:>7.0f} "
                f"{size:>9,}  {'ok' if ok else 'FAIL'}",
                flush=True,
            )
            if not ok:
                failed.append(name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("PASS" if not failed else f"FAIL: {', '.join(failed)}")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
