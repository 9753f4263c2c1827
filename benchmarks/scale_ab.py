"""Two versions of quotesync planning the same products, alternately, against one floor.

    .venv/bin/python benchmarks/scale_ab.py --before ../base/.venv/bin/python \\
        --sizes 10000,20000,100000 --repeat 3

Each version is a Python whose environment has quotesync installed (an editable install of
another checkout, say). For each N it builds ``scale_data``'s setup once, then runs, each in a
fresh process and interleaved round by round (so load on the machine falls on all alike): the
floor (``scale_floor.py``), then ``quotesync plan`` of the unchanged and of the 1% changed
manifests with the version before and the version after, on the embedded and on the served
CRM. Prints medians of wall and CPU seconds, the ratios to the floor and the load average.
Children keep bytecode in a cache under the workdir (``scale_measure.use_bytecode_cache``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import build, copy_database
from scale_measure import (
    PYTHON,
    Measured,
    record_agent_calls,
    run_measured,
    serve,
    use_bytecode_cache,
)

FLOOR_SCRIPT = str(Path(__file__).resolve().parent / "scale_floor.py")
CASES = (("none", "manifests", 0), ("1%", "changed", 2))


def _plan(python: str, manifests: Path, target: str, root: Path, code: int) -> Measured:
    args = [python, "-m", "quotesync_gitops", "plan", str(manifests), "--crm", target]
    measured = run_measured([*args, "--detailed-exitcode"], root)
    if measured.returncode != code:
        raise SystemExit(f"{' '.join(args)}: exit {measured.returncode}\n{measured.stderr}")
    return measured


def measure(n: int, work: Path, versions: dict[str, str], repeat: int) -> list[str]:
    setup = build(work / f"n{n}", n, 5)
    served_db = setup.root / "served.sqlite"
    copy_database(setup.db, served_db)
    calls = setup.root / "agent-calls.json"
    runs: dict[tuple[str, str, str], list[Measured]] = {}
    loads: list[float] = []
    with serve(served_db, setup.root) as server:
        record_agent_calls(server.url, calls)
        targets = {"embedded": f"local:{setup.db}", "served": server.url}
        for round_ in range(repeat + 1):  # round 0 warms the bytecode cache, unmeasured
            for crm, target in targets.items():
                floor_args = ["--manifests", str(setup.manifests), "--target", target]
                floor = run_measured(
                    [PYTHON, FLOOR_SCRIPT, *floor_args, "--calls", str(calls)], setup.root
                )
                if round_:
                    runs.setdefault((crm, "floor", ""), []).append(floor)
                for case, folder, code in CASES:
                    for version, python in versions.items():
                        measured = _plan(python, setup.root / folder, target, setup.root, code)
                        if round_:
                            runs.setdefault((crm, version, case), []).append(measured)
            loads.append(os.getloadavg()[0])
    lines = []
    for crm in ("embedded", "served"):
        floor_runs = runs[(crm, "floor", "")]
        floor_wall = statistics.median(m.wall for m in floor_runs)
        floor_cpu = statistics.median(m.cpu for m in floor_runs)
        for case, _, _ in CASES:
            cells = [f"{n:,}", crm, case, f"{floor_wall:.2f}", f"{floor_cpu:.2f}"]
            for version in versions:
                plans = runs[(crm, version, case)]
                wall = statistics.median(m.wall for m in plans)
                cpu = statistics.median(m.cpu for m in plans)
                peak = max(m.peak_mb for m in plans)
                cells += [
                    f"{wall:.2f}",
                    f"{wall / floor_wall:.2f}x",
                    f"{cpu / floor_cpu:.2f}x",
                    f"{peak:.0f}",
                ]
            lines.append("| " + " | ".join(cells) + " |")
    load = ", ".join(f"{x:.1f}" for x in loads)
    print(f"N={n:,}: load average (1 min) after each round: {load}", file=sys.stderr)
    return [*lines, f"<!-- N={n}: load average after each round: {load} -->"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--before", required=True, help="the Python of the version before")
    parser.add_argument("--after", default=PYTHON, help="the Python of the version after")
    parser.add_argument("--sizes", default="10000,20000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="quotesync-ab-"))
    use_bytecode_cache(work / "pycache")
    versions = {"before": args.before, "after": args.after}
    head = "| N | CRM | case | floor s | floor CPU s |"
    for version in versions:
        head += f" {version} s | ratio | CPU ratio | peak MB |"
    lines = [head, "|" + "---:|" * (head.count("|") - 1)]
    try:
        for n in sorted(int(s) for s in args.sizes.split(",") if s.strip()):
            lines += measure(n, work, versions, args.repeat)
            print("\n".join(lines), file=sys.stderr)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
