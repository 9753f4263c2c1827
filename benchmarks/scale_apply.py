"""``scale.py``'s apply measurement: the 1% change applied to the served emulator.

Applied twice, each to a fresh copy of the CRM and in a fresh process: at 0 ms a call (the
tool's and the emulator's own time) and at ``LATENCY_MS`` added to every call. Judged by
issue 17's bound: time at L ≤ 1.3 × (time at 0 ms + L × max(depth, calls / C)). The write
phase's throughput is shown beside it: on two shared cores the client and the emulator both
spend CPU on every write, so it stays below C / L even when the bound holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scale_data import Setup, copy_database
from scale_measure import (
    DEPTH,
    TARGET,
    concurrency,
    quotesync,
    round_trip_floor,
    run_measured,
    serve,
)

LATENCY_MS = 20
PAGE = 1000


@dataclass
class ApplyFigures:
    latency_ms: int
    wall: float
    changed: int
    requests: int
    product_writes: int
    product_pages: int
    pages_expected: int
    other_requests: int
    max_in_flight: int
    write_seconds: float

    @property
    def throughput(self) -> float:
        return self.product_writes / self.write_seconds if self.write_seconds else 0.0


@dataclass
class ApplyPair:
    """The same apply at 0 ms and at ``LATENCY_MS`` a call."""

    at_zero: ApplyFigures
    at_latency: ApplyFigures

    @property
    def floor(self) -> float:
        at = self.at_latency
        return round_trip_floor(
            self.at_zero.wall, at.latency_ms, at.requests, DEPTH["apply"], concurrency()
        )

    @property
    def ratio(self) -> float:
        return self.at_latency.wall / self.floor


_WRITING = re.compile(r"^\s*PriceList/(?P<name>.+): writing (?P<count>\d+) product")
_DONE = re.compile(r"^\s*(updated|failed) PriceList/(?P<name>.+)$")


def write_seconds(lines: list[tuple[float, str]]) -> float:
    """Time spent writing products, from apply's progress lines: the first "writing N
    products" to the last price list done. Price lists are written at the same time and
    their lines come out in plan order, so per-list spans would overlap."""
    starts = [at for at, line in lines if _WRITING.match(line)]
    ends = [at for at, line in lines if _DONE.match(line.rstrip())]
    return max(ends) - min(starts) if starts and ends else 0.0


def measure_apply(setup: Setup, latency_ms: int) -> ApplyFigures:
    """``quotesync apply`` of the 1% change to a fresh copy of the setup's CRM, served."""
    db = setup.root / f"apply-{latency_ms}ms.sqlite"
    copy_database(setup.db, db)
    with serve(db, setup.root) as server:
        server.set_latency(latency_ms)
        server.reset_stats()
        measured = run_measured(
            quotesync("apply", str(setup.changed), "--crm", server.url, "--auto-approve"),
            setup.root,
            timestamp_stderr=True,
        )
        if measured.returncode != 0:
            raise SystemExit(f"apply: exit {measured.returncode}\n{measured.stderr[-3000:]}")
        stats = server.stats()
    per_path: dict[str, int] = stats["requests_per_path"]
    writes = sum(n for p, n in per_path.items() if re.fullmatch(r"/api/v1/Product/\d+", p))
    pages = per_path.get("/api/v1/Product", 0)
    requests = sum(per_path.values())
    return ApplyFigures(
        latency_ms=latency_ms,
        wall=measured.wall,
        changed=setup.changed_products,
        requests=requests,
        product_writes=writes,
        product_pages=pages,
        # Two full reads: plan, then the verification after writing.
        pages_expected=2 * (setup.n // PAGE + 1),
        other_requests=requests - writes - pages,
        max_in_flight=int(stats["max_in_flight"]),
        write_seconds=write_seconds(measured.stderr_lines),
    )


def measure_pair(setup: Setup) -> ApplyPair:
    return ApplyPair(measure_apply(setup, 0), measure_apply(setup, LATENCY_MS))


def apply_table(pairs: dict[int, ApplyPair]) -> list[str]:
    lines = [
        "| N | changed | latency | apply s | floor s | ratio | requests | product writes "
        "| product pages (2 reads) | other requests | max in flight | writes/s (write phase) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, pair in sorted(pairs.items()):
        for a in (pair.at_zero, pair.at_latency):
            judged = a is pair.at_latency
            floor = f"{pair.floor:.2f}" if judged else ""
            ratio = f"{pair.ratio:.2f}x" if judged else ""
            lines.append(
                f"| {n:,} | {a.changed:,} | {a.latency_ms} ms | {a.wall:.2f} | {floor} | {ratio} "
                f"| {a.requests:,} | {a.product_writes:,} | {a.product_pages} "
                f"(≤ {a.pages_expected}) | {a.other_requests} | {a.max_in_flight} "
                f"| {a.throughput:.0f} |"
            )
    return lines


def apply_verdicts(pairs: dict[int, ApplyPair]) -> list[tuple[bool, str]]:
    c = concurrency()
    found: list[tuple[bool, str]] = []
    for n, pair in sorted(pairs.items()):
        for a in (pair.at_zero, pair.at_latency):
            at = f"apply {n:,} at {a.latency_ms} ms"
            found.append(
                (
                    a.product_writes == a.changed,
                    f"{at}: one write per changed product ({a.product_writes} writes, "
                    f"{a.changed} changed)",
                )
            )
            found.append(
                (
                    a.product_pages <= a.pages_expected,
                    f"{at}: no more product reads than pages ({a.product_pages} page reads, "
                    f"{a.pages_expected} pages in the plan and verification reads)",
                )
            )
        a = pair.at_latency
        found.append(
            (
                pair.ratio <= TARGET and a.max_in_flight <= c,
                f"apply {n:,} at {a.latency_ms} ms within {TARGET}x the floor: "
                f"{a.wall:.2f} s / {pair.floor:.2f} s = {pair.ratio:.2f}x "
                f"(time at 0 ms {pair.at_zero.wall:.2f} s + {a.latency_ms} ms × "
                f"max({DEPTH['apply']}, {a.requests} calls / {c})); "
                f"max in flight {a.max_in_flight} ≤ {c}; write phase {a.throughput:.0f} "
                f"writes/s (C / L = {c / (a.latency_ms / 1000):.0f}/s)",
            )
        )
    return found
