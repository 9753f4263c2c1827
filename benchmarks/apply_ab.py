"""Apply of 1% changed products, two checkouts against each other, alternating in one run.

    .venv/bin/python benchmarks/apply_ab.py --before /path/to/other/checkout [--n 100000]
        [--repeat 3] [--latency 20]

One setup (``scale_data``: the examples plus N products in 5 CSV price lists, a CRM holding
them). Each round runs, for "before" (the other checkout's ``.venv/bin/python``) and "after"
(this interpreter), in turn: a fresh copy of the CRM served by *that* version's emulator, with
``--latency`` ms added to every call, and that version's ``quotesync apply`` of the 1% change.
Printed per version: the median wall time, the client's CPU seconds, requests, product writes,
the write phase and its throughput (from apply's progress lines, as ``scale.py`` measures it),
and the ratio after / before.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_measure
from scale_apply import write_seconds
from scale_data import Setup, build, copy_database
from scale_measure import run_measured, serve


@dataclass
class Figures:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    write_s: list[float] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    writes: list[int] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)


def _apply_once(
    python: str, setup_root: Path, changed: Path, db: Path, latency: int
) -> dict[str, float]:
    scale_measure.PYTHON = python  # serve() and quotesync() use this interpreter
    with serve(db, setup_root) as server:
        server.set_latency(latency)
        server.reset_stats()
        measured = run_measured(
            scale_measure.quotesync("apply", str(changed), "--crm", server.url, "--auto-approve"),
            setup_root,
            timestamp_stderr=True,
        )
        if measured.returncode != 0:
            raise SystemExit(f"apply with {python} exited {measured.returncode}: {measured.stderr}")
        stats = server.stats()
    per_path: dict[str, int] = stats["requests_per_path"]
    return {
        "wall": measured.wall,
        "cpu": measured.cpu,
        "write_s": write_seconds(measured.stderr_lines),
        "requests": sum(per_path.values()),
        "writes": sum(n for p, n in per_path.items() if re.fullmatch(r"/api/v1/Product/\d+", p)),
        "pages": per_path.get("/api/v1/Product", 0),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--before", type=Path, required=True, help="the other checkout")
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--price-lists", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=int, default=20)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    pythons = {
        "before": str(args.before / ".venv" / "bin" / "python"),
        "after": sys.executable,
    }
    work = args.workdir or Path(tempfile.mkdtemp(prefix="quotesync-apply-ab-"))
    try:
        root = work / f"n{args.n}"
        if (root / "crm.sqlite").exists():  # a --workdir kept from an earlier run
            changes = args.n // 100
            setup = Setup(
                args.n, root, root / "manifests", root / "changed", root / "crm.sqlite", changes
            )
        else:
            setup = build(root, args.n, args.price_lists)
        figures = {label: Figures() for label in pythons}
        for round_number in range(args.repeat):
            for label, python in pythons.items():
                db = setup.root / f"served-{label}.sqlite"
                copy_database(setup.db, db)
                got = _apply_once(python, setup.root, setup.changed, db, args.latency)
                f = figures[label]
                f.wall.append(got["wall"])
                f.cpu.append(got["cpu"])
                f.write_s.append(got["write_s"])
                f.requests.append(int(got["requests"]))
                f.writes.append(int(got["writes"]))
                f.pages.append(int(got["pages"]))
                print(
                    f"round {round_number + 1} {label}: {got['wall']:.2f} s, "
                    f"cpu {got['cpu']:.2f} s, load {os.getloadavg()[0]:.1f}",
                    file=sys.stderr,
                )
        changed = setup.changed_products
        print(
            f"apply of {changed:,} changed of {args.n:,} products, served, "
            f"+{args.latency} ms a call, medians of {args.repeat}, load {os.getloadavg()}"
        )
        print(
            "| version | apply s | client CPU s | requests | product writes | product pages "
            "| write phase s | writes/s |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        medians: dict[str, tuple[float, float, float]] = {}
        for label, f in figures.items():
            wall, cpu = statistics.median(f.wall), statistics.median(f.cpu)
            write_s = statistics.median(f.write_s)
            rate = changed / write_s if write_s else 0.0
            medians[label] = (wall, cpu, rate)
            print(
                f"| {label} | {wall:.2f} | {cpu:.2f} | {statistics.median(f.requests):.0f} "
                f"| {statistics.median(f.writes):.0f} | {statistics.median(f.pages):.0f} "
                f"| {write_s:.2f} | {rate:.0f} |"
            )
        b, a = medians["before"], medians["after"]
        print(
            f"after / before: wall {a[0] / b[0]:.2f}, client CPU {a[1] / b[1]:.2f}, "
            f"throughput {a[2] / b[2] if b[2] else 0:.2f}"
        )
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
