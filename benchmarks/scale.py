"""Scale benchmark: plan and apply with N products against a floor measured in the same run.

    .venv/bin/python benchmarks/scale.py                      # N = 1,000, 10,000, 100,000
    .venv/bin/python benchmarks/scale.py --sizes 1000,10000   # a quick run

For each N it builds manifests (the examples' connections and settings plus price lists whose
products are in CSV files) and a CRM holding exactly them, then measures, each in a fresh
process, on the embedded CRM (``local:``) and on the emulator served over HTTP:

* the floor (``scale_floor.py``): PyYAML's C loader over the manifests + ``csv.reader`` over the
  products files + plain httpx reads of the same live objects;
* ``quotesync plan`` with no changes and with 1% of the products changed: wall time, peak
  memory (the child's ru_maxrss), ratio to the floor;
* ``quotesync apply`` of the 1% change against the served emulator at 0 ms and with 20 ms
  added to every call (``scale_apply.py``): wall time against issue 17's round-trip floor,
  HTTP requests (the emulator's /_emulator/stats), requests in flight, and the write phase's
  throughput;

then the growth ratio time(largest)/time(largest / 10) and the targets as PASS/FAIL lines.
Timings are the median of ``--repeat`` runs, floor and plan interleaved (other processes on
the machine slow both alike); CPU seconds (the child's user + system time) beside them move
least with the load.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_apply import LATENCY_MS, ApplyPair, apply_table, apply_verdicts, measure_pair
from scale_data import Setup, build, copy_database
from scale_measure import (
    PYTHON,
    Measured,
    concurrency,
    quotesync,
    record_agent_calls,
    run_measured,
    serve,
    use_bytecode_cache,
)

FLOOR_SCRIPT = str(Path(__file__).resolve().parent / "scale_floor.py")


@dataclass
class Timing:
    """Runs of one measurement: the median wall and CPU time, the highest peak memory."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak_mb: float = 0.0

    def add(self, measured: Measured) -> None:
        self.walls.append(measured.wall)
        self.cpus.append(measured.cpu)
        self.peak_mb = max(self.peak_mb, measured.peak_mb)

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else math.inf

    @property
    def cpu(self) -> float:
        return statistics.median(self.cpus) if self.cpus else math.inf


@dataclass
class SizeResult:
    n: int
    floor: dict[str, Timing] = field(default_factory=dict)
    plan: dict[tuple[str, str], Timing] = field(default_factory=dict)
    apply: ApplyPair | None = None


def _check(measured: Measured, expected: int, what: str) -> None:
    if measured.returncode != expected:
        raise SystemExit(
            f"{what}: exit {measured.returncode}, expected {expected}\n"
            f"{measured.stdout[-2000:]}\n{measured.stderr[-2000:]}"
        )


def measure_plans(setup: Setup, targets: dict[str, str], calls: Path, repeat: int) -> SizeResult:
    result = SizeResult(setup.n)
    for _ in range(repeat):
        for label, target in targets.items():
            floor = run_measured(
                [
                    PYTHON,
                    FLOOR_SCRIPT,
                    "--manifests",
                    str(setup.manifests),
                    "--target",
                    target,
                    "--calls",
                    str(calls),
                ],
                setup.root,
            )
            _check(floor, 0, "floor")
            result.floor.setdefault(label, Timing()).add(floor)
            for case, manifests, code in (
                ("none", setup.manifests, 0),
                ("1%", setup.changed, 2),
            ):
                measured = run_measured(
                    quotesync("plan", str(manifests), "--crm", target, "--detailed-exitcode"),
                    setup.root,
                )
                _check(measured, code, f"plan {case} on {label}")
                result.plan.setdefault((label, case), Timing()).add(measured)
    return result


def profile_plans(setup: Setup, targets: dict[str, str], into: Path) -> None:
    """One more plan (1% changed) per CRM under cProfile: .prof files and a top-20 summary."""
    import pstats

    into.mkdir(parents=True, exist_ok=True)
    for label, target in targets.items():
        stats_file = into / f"plan-{setup.n}-{label}.prof"
        args = ["plan", str(setup.changed), "--crm", target]
        run_measured(
            [PYTHON, "-m", "cProfile", "-o", str(stats_file), "-m", "quotesync_gitops", *args],
            setup.root,
        )
        with (into / f"plan-{setup.n}-{label}.txt").open("w", encoding="utf-8") as summary:
            stats = pstats.Stats(str(stats_file), stream=summary)
            stats.sort_stats("tottime").print_stats(20)
            stats.sort_stats("cumulative").print_stats(30)


def warm_up(setup: Setup, targets: dict[str, str], calls: Path) -> None:
    """One unmeasured floor and plan per CRM, so that every module the measured runs import
    is already compiled."""
    for target in targets.values():
        floor_args = ["--manifests", str(setup.manifests), "--target", target, "--calls"]
        run_measured([PYTHON, FLOOR_SCRIPT, *floor_args, str(calls)], setup.root)
        run_measured(quotesync("plan", str(setup.changed), "--crm", target), setup.root)


def run_size(
    n: int,
    work: Path,
    price_lists: int,
    repeat: int,
    profile: Path | None = None,
    *,
    warm: bool = False,
) -> SizeResult:
    started = time.perf_counter()
    setup = build(work / f"n{n}", n, price_lists)
    served_db = setup.root / "served.sqlite"
    copy_database(setup.db, served_db)
    calls = setup.root / "agent-calls.json"
    print(f"N={n:,}: setup {time.perf_counter() - started:.1f}s", file=sys.stderr)
    with serve(served_db, setup.root) as server:
        record_agent_calls(server.url, calls)
        targets = {"embedded": f"local:{setup.db}", "served": server.url}
        if warm:
            warm_up(setup, targets, calls)
        result = measure_plans(setup, targets, calls, repeat)
        if profile is not None:
            profile_plans(setup, targets, profile)
    print(f"N={n:,}: plans measured {time.perf_counter() - started:.1f}s", file=sys.stderr)
    result.apply = measure_pair(setup)
    print(f"N={n:,}: apply measured {time.perf_counter() - started:.1f}s", file=sys.stderr)
    return result


# --- report ------------------------------------------------------------------------------------


def _ratio(result: SizeResult, label: str, case: str) -> float:
    return result.plan[(label, case)].wall / result.floor[label].wall


def _cpu_ratio(result: SizeResult, label: str, case: str) -> float:
    """CPU seconds of plan / of the floor (the client's process only: on the served CRM the
    emulator's own CPU is in neither)."""
    return result.plan[(label, case)].cpu / result.floor[label].cpu


def plan_table(results: list[SizeResult]) -> list[str]:
    lines = [
        "| N | CRM | floor s | plan s (no change) | ratio | CPU ratio | peak MB "
        "| plan s (1% changed) | ratio | CPU ratio | peak MB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for label, floor in r.floor.items():
            same, changed = r.plan[(label, "none")], r.plan[(label, "1%")]
            lines.append(
                f"| {r.n:,} | {label} | {floor.wall:.2f} | {same.wall:.2f} | "
                f"{_ratio(r, label, 'none'):.2f}x | {_cpu_ratio(r, label, 'none'):.2f}x | "
                f"{same.peak_mb:.0f} | {changed.wall:.2f} | {_ratio(r, label, '1%'):.2f}x | "
                f"{_cpu_ratio(r, label, '1%'):.2f}x | {changed.peak_mb:.0f} |"
            )
    return lines


def growth(results: list[SizeResult]) -> dict[tuple[str, str], float]:
    by_n = {r.n: r for r in results}
    top = max(by_n)
    base = by_n.get(top // 10)
    if base is None:
        return {}
    return {key: by_n[top].plan[key].wall / base.plan[key].wall for key in by_n[top].plan}


def verdicts(results: list[SizeResult]) -> list[str]:
    top = max(results, key=lambda r: r.n)
    at = f"at {top.n:,}"
    lines: list[str] = []

    def line(ok: bool, text: str) -> None:
        lines.append(f"{'PASS' if ok else 'FAIL'}  {text}")

    ratios = {f"{label} {case}": _ratio(top, label, case) for label, case in top.plan}
    worst = max(ratios.values())
    shown = ", ".join(f"{k} {v:.2f}x" for k, v in ratios.items())
    line(worst <= 2.0, f"plan {at} within 2x the floor: {shown}")
    for r in sorted(results, key=lambda r: r.n):
        if r.n < 10_000:
            continue
        each = {f"{label} {case}": _ratio(r, label, case) for label, case in r.plan}
        bad = max(each.values())
        shown = ", ".join(f"{k} {v:.2f}x" for k, v in each.items())
        line(bad <= 1.3, f"plan at {r.n:,} within the aim of 1.3x the floor: {shown}")
    grown = growth(results)
    if grown:
        worst_growth = max(grown.values())
        shown = ", ".join(f"{label} {case} {v:.1f}" for (label, case), v in grown.items())
        line(worst_growth <= 11, f"growth time({top.n:,})/time({top.n // 10:,}) ≤ 11: {shown}")
    else:
        lines.append(f"SKIP  growth: needs both {top.n:,} and {top.n // 10:,} in --sizes")
    peak = max(t.peak_mb for t in top.plan.values())
    line(peak < 1024, f"plan peak memory {at} under 1 GB: {peak:.0f} MB")
    line(peak < 500, f"plan peak memory {at} under the aim of 500 MB: {peak:.0f} MB")
    pairs = {r.n: r.apply for r in results if r.apply is not None}
    for ok, text in apply_verdicts(pairs):
        line(ok, text)
    return lines


def report(results: list[SizeResult], repeat: int, price_lists: int) -> str:
    parts = [
        f"## Plan (median of {repeat}; {price_lists} price lists; each run a fresh process)",
        "",
        *plan_table(results),
        "",
        f"## Apply of 1% changed products (served emulator, 0 and +{LATENCY_MS} ms per call, "
        f"concurrency {concurrency()})",
        "",
        *apply_table({r.n: r.apply for r in results if r.apply is not None}),
        "",
        "## Targets",
        "",
        "```",
        *verdicts(results),
        "```",
    ]
    return "\n".join(parts) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated N values")
    parser.add_argument("--price-lists", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median kept)")
    parser.add_argument("--workdir", type=Path, help="keep the setups here (default: temp)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    parser.add_argument(
        "--profile", type=Path, help="also profile one plan per N and CRM (cProfile) into DIR"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="leave PYTHONDONTWRITEBYTECODE as it is (every run compiles the package)",
    )
    args = parser.parse_args()
    sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    work = args.workdir or Path(tempfile.mkdtemp(prefix="quotesync-scale-"))
    if not args.no_bytecode_cache:
        use_bytecode_cache(work / "pycache")
    started = time.perf_counter()
    try:
        results = [
            run_size(n, work, args.price_lists, args.repeat, args.profile, warm=n == sizes[0])
            for n in sizes
        ]
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    text = report(results, args.repeat, args.price_lists)
    print(text)
    print(f"(total {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.json:
        raw = [
            {
                "n": r.n,
                "floor": {k: vars(v) for k, v in r.floor.items()},
                "plan": {f"{k[0]} {k[1]}": vars(v) for k, v in r.plan.items()},
                "apply": {
                    f"{a.latency_ms} ms": vars(a)
                    for a in ((r.apply.at_zero, r.apply.at_latency) if r.apply else ())
                },
            }
            for r in results
        ]
        args.json.write_text(json.dumps(raw, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
