"""The fault matrix: apply and drift against the emulator served on 127.0.0.1, under faults.

Usage (from the repository root)::

    python benchmarks/faults.py            # the full matrix, about two minutes
    python benchmarks/faults.py --quick    # a few cells, under 30 seconds
    python benchmarks/faults.py --crash    # also SIGKILL apply at every write, then resume

Each cell starts ``quotesync emulator serve`` (a separate process, a fresh CRM, a Bearer token
required) with injected latency, 429 + Retry-After, 500/502/503/504 or dropped connections, before
or after the request is processed, at a rate. Apply (the production client and retry policy,
its backoff scaled by ``--backoff``) runs until it succeeds, at most ``--max-runs`` times (a
run that gives up after its retries fails cleanly, and the next one resumes); drift then runs
under the same faults, likewise, and must find nothing. With the faults off, the CRM is
checked through the client: a fresh plan must show no changes, no name may be used twice and
no object may be missing. One row per cell, then a final PASS/FAIL line (exit 0/1). Only
loopback is used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from quotesync_gitops.crm.retry import ONLY_429_NOT_PROCESSED, ClientStats, RetryPolicy  # noqa: E402
from quotesync_gitops.emulator import create_app  # noqa: E402
from quotesync_gitops.errors import QuotesyncError  # noqa: E402
from quotesync_gitops.pipeline import (  # noqa: E402
    ManifestOptions,
    check_guards,
    execute,
    plan_against,
)
from quotesync_gitops.target import open_client  # noqa: E402
from tests.reliability.helpers import (  # noqa: E402
    WsgiApp,
    copy_examples,
    expected_from,
    read_inventory,
    run_cli,
    running_crm,
)
from tests.reliability.killswitch import ApplyFinished, KillSwitch, killed_apply  # noqa: E402

TOKEN = "benchmark-token-not-a-secret"
MAX_SECONDS_PER_CELL = 120


@dataclass(frozen=True)
class Cell:
    name: str
    rules: tuple[dict[str, Any], ...] = ()
    latency_ms: int = 0

    @property
    def rate(self) -> str:
        rates = sorted({r.get("rate", 0.0) for r in self.rules})
        return "/".join(f"{r:g}" for r in rates) if rates else "-"


def _rule(status: int | str, rate: float, after: bool = False, **extra: Any) -> dict[str, Any]:
    return {"status": status, "rate": rate, "after_processing": after, **extra}


def matrix(quick: bool) -> list[Cell]:
    if quick:
        return [
            Cell("latency 20 ms", latency_ms=20),
            Cell("429 + Retry-After 1s", (_rule(429, 0.02, retry_after=1),)),
            Cell("503", (_rule(503, 0.1),)),
            Cell("504", (_rule(504, 0.1),)),
            Cell("drop", (_rule("drop", 0.1),)),
            Cell("drop after processing", (_rule("drop", 0.1, True),)),
            Cell("503 after processing", (_rule(503, 0.1, True),)),
            Cell("500 after processing", (_rule(500, 0.05, True),)),
        ]
    cells = [Cell("latency 20 ms", latency_ms=20), Cell("latency 100 ms", latency_ms=100)]
    cells += [Cell("429 + Retry-After 1s", (_rule(429, r, retry_after=1),)) for r in (0.02, 0.05)]
    for status in (502, 503, 504, "drop"):
        cells += [Cell(f"{status}", (_rule(status, r),)) for r in (0.05, 0.1, 0.2)]
    cells += [Cell("drop after processing", (_rule("drop", r, True),)) for r in (0.05, 0.1, 0.2)]
    cells += [Cell(f"{s} after processing", (_rule(s, 0.1, True),)) for s in (502, 503, 504)]
    everything = [_rule(s, 0.03, a) for s in (502, 503, 504, "drop") for a in (False, True)]
    everything.append(_rule(429, 0.02, retry_after=1))
    cells.append(Cell("all of them + 20 ms", tuple(everything), latency_ms=20))
    # A 500 is an unknown outcome: reads resent, writes only after a re-read (landed).
    cells += [Cell("500", (_rule(500, r),)) for r in (0.02, 0.05)]
    cells += [Cell("500 after processing", (_rule(500, r, True),)) for r in (0.02, 0.05)]
    return cells


# --- the served emulator -------------------------------------------------------------------


class Emulator:
    """``quotesync emulator serve`` in its own process, controlled over its HTTP endpoints."""

    def __init__(self, url: str, process: subprocess.Popen[str]) -> None:
        self.url = url
        self.process = process
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30
        )

    def configure(self, cell: Cell | None, seed: int) -> None:
        body = {"latency_ms": 0, "seed": seed, "rules": []}
        if cell is not None:
            body = {"latency_ms": cell.latency_ms, "seed": seed, "rules": list(cell.rules)}
        self.http.post("/_emulator/faults", json=body).raise_for_status()

    def stats(self) -> dict[str, Any]:
        answer = self.http.get("/_emulator/stats")
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data


@contextmanager
def served(db: Path) -> Iterator[Emulator]:
    env = {**os.environ, "QUOTESYNC_ACCESS_TOKEN": TOKEN}
    command = [sys.executable, "-m", "quotesync_gitops", "emulator", "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, "--db", str(db)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline().strip()
        if not first.startswith("Serving"):
            raise RuntimeError(f"the emulator did not start: {first!r}")
        emulator = Emulator(first.split()[-1], process)
        try:
            yield emulator
        finally:
            emulator.http.close()
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# --- one cell ------------------------------------------------------------------------------


@dataclass
class Row:
    cell: Cell
    runs: int = 0
    failed_runs: int = 0
    faults: int = 0
    requests: int = 0
    retries: int = 0
    landed_checks: int = 0
    landed_found: int = 0
    seconds: float = 0.0
    converged_under_faults: bool = False
    drift_clean: bool = False
    drift_runs: int = 0
    remaining: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    last_error: str = ""

    @property
    def ok(self) -> bool:
        settled = not (self.remaining or self.duplicates or self.lost or self.crashes)
        return settled and self.converged_under_faults and self.drift_clean


def _add(row: Row, stats: ClientStats) -> None:
    figures = stats.as_dict()
    row.requests += int(figures["requests"])  # type: ignore[call-overload]
    row.retries += int(figures["retries"])  # type: ignore[call-overload]
    row.landed_checks += int(figures["landed_checks"])  # type: ignore[call-overload]
    row.landed_found += int(figures["landed_found"])  # type: ignore[call-overload]


def _apply_once(url: str, options: ManifestOptions, retry: RetryPolicy, row: Row) -> bool:
    row.runs += 1
    try:
        with open_client(url, {"QUOTESYNC_ACCESS_TOKEN": TOKEN}, retry=retry) as client:
            try:
                run = plan_against(client, options)
                if not run.plan.has_changes:
                    return True
                check_guards(run.plan, allow_deletes=False, allow_mass_changes=True)
                result = execute(client, run, lambda _message: None)
                if not result.ok:
                    row.last_error = "; ".join(
                        [o.message for o in result.failed] + result.remaining
                    )[:160]
                return result.ok
            finally:
                _add(row, client.stats)
    except QuotesyncError as exc:  # a clean failure: the next run resumes
        row.last_error = str(exc)[:160]
        return False
    except Exception:  # anything else would be a traceback for a user
        row.crashes.append(traceback.format_exc(limit=3))
        return False


def _drift_once(url: str, options: ManifestOptions, retry: RetryPolicy, row: Row) -> bool:
    try:
        with open_client(url, {"QUOTESYNC_ACCESS_TOKEN": TOKEN}, retry=retry) as client:
            try:
                return not plan_against(client, options).plan.has_changes
            finally:
                _add(row, client.stats)
    except QuotesyncError as exc:
        row.last_error = f"drift: {str(exc)[:150]}"
        return False
    except Exception:
        row.crashes.append(traceback.format_exc(limit=3))
        return False


def run_cell(cell: Cell, template: Path, work: Path, args: argparse.Namespace, seed: int) -> Row:
    folder = Path(tempfile.mkdtemp(dir=work))
    db = folder / "crm.sqlite"
    shutil.copyfile(template, db)
    manifests = copy_examples(folder)
    options = ManifestOptions(paths=[str(manifests)], env={}, variables={})
    retry = RetryPolicy(
        base_delay=args.backoff,
        max_delay=max(args.backoff * 40, 1.0),
        not_processed_statuses=ONLY_429_NOT_PROCESSED,
    )
    row = Row(cell)
    start = time.monotonic()
    with served(db) as emulator:
        emulator.configure(cell, seed)
        for _ in range(args.max_runs):
            if _apply_once(emulator.url, options, retry, row):
                row.converged_under_faults = True
                break
            row.failed_runs += 1
            if time.monotonic() - start > MAX_SECONDS_PER_CELL:
                break
        for _ in range(args.max_runs if row.converged_under_faults else 0):
            row.drift_runs += 1
            if _drift_once(emulator.url, options, retry, row):
                row.drift_clean = True
                break
        row.faults = int(emulator.stats()["faults_injected"])
        emulator.configure(None, seed)
        if not row.converged_under_faults:  # once healthy, the next apply must converge
            _apply_once(emulator.url, options, retry, row)
        _check(emulator.url, manifests, options, row)
    row.seconds = time.monotonic() - start
    return row


def _check(
    url: str, manifests: Path, options: ManifestOptions, row: Row, token: str = TOKEN
) -> None:
    with open_client(url, {"QUOTESYNC_ACCESS_TOKEN": token}) as client:
        row.remaining = [
            f"{c.action} {c.address}" for c in plan_against(client, options).plan.changes
        ]
        inventory = read_inventory(client)
    row.duplicates = inventory.duplicates()
    want = expected_from(manifests)
    live = {n for n, deleted in inventory.erp_connections if not deleted}
    live |= {n for n, deleted in inventory.quote_connections if not deleted}
    row.lost = sorted((want.erp_connections | want.quote_connections) - live)
    for name, codes in want.price_lists.items():
        missing = set(codes) - set(inventory.product_codes(name))
        row.lost += [f"{name}/{code}" for code in sorted(missing)]


# --- crash sweep ---------------------------------------------------------------------------


def crash_sweep(work: Path) -> tuple[int, list[str]]:
    """SIGKILL a first apply after write 1, 2, ... until it finishes alone; resume each."""
    failures: list[str] = []
    point = 0
    while True:
        point += 1
        folder = Path(tempfile.mkdtemp(dir=work))
        manifests = copy_examples(folder)
        holder: list[KillSwitch] = []

        def wrap(app: WsgiApp, holder: list[KillSwitch] = holder) -> WsgiApp:
            holder.append(KillSwitch(app))
            return holder[0]

        with running_crm(folder, wrap=wrap) as crm:
            try:
                landed = killed_apply(crm, holder[0], manifests, point)
            except ApplyFinished:
                return point - 1, failures
            holder[0].after = None
            again = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
            row = Row(Cell("crash"))
            options = ManifestOptions([str(manifests)], {}, {})
            _check(crm.url, manifests, options, row, token=crm.env["QUOTESYNC_ACCESS_TOKEN"])
            problems = row.remaining + row.duplicates + row.lost
            verdict = "ok" if again.exit_code == 0 and not problems else "FAIL"
            print(f"  kill after write {point:3d} ({landed[-1]:50.50s}) -> resumed: {verdict}")
            if verdict != "ok":
                failures.append(f"write {point}: exit {again.exit_code} {problems}")


# --- the report ----------------------------------------------------------------------------

HEADER = (
    f"{'scenario':28} {'rate':>9} {'runs':>4} {'faults':>6} {'requests':>8} {'retries':>7} "
    f"{'landed':>7} {'time':>6}  {'converged':9} {'drift':5} {'dupes':>5} {'lost':>4}  result"
)


def line(row: Row) -> str:
    converged = "yes" if row.converged_under_faults else "after"
    drift = f"ok/{row.drift_runs}" if row.drift_clean else "-"
    return (
        f"{row.cell.name:28} {row.cell.rate:>9} {row.runs:>4} {row.faults:>6} "
        f"{row.requests:>8} {row.retries:>7} {f'{row.landed_found}/{row.landed_checks}':>7} "
        f"{row.seconds:>5.1f}s  {converged:9} {drift:5} "
        f"{len(row.duplicates):>5} {len(row.lost):>4}  {'ok' if row.ok else 'FAIL'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few cells, under 30 s")
    parser.add_argument("--crash", action="store_true", help="also kill apply at every write")
    parser.add_argument("--seed", type=int, default=1, help="seed of the first cell's faults")
    parser.add_argument("--max-runs", type=int, default=5, help="applies per cell at most")
    parser.add_argument(
        "--backoff",
        type=float,
        default=0.05,
        help="first retry delay in seconds (production: 0.5; Retry-After is always honoured)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="quotesync-faults-"))
    try:
        template = work / "template.sqlite"
        create_app(template).close()
        cells = matrix(args.quick)
        print(f"Fault matrix: {len(cells)} cells, examples/manifests, emulator on 127.0.0.1")
        print(HEADER)
        rows = []
        started = time.monotonic()
        for index, cell in enumerate(cells):  # a seed per cell: different faults each
            row = run_cell(cell, template, work, args, seed=args.seed + index)
            rows.append(row)
            print(line(row), flush=True)
            if not row.ok:
                for problem in [*row.crashes, *row.remaining, *row.duplicates, *row.lost]:
                    print(f"    {problem.strip()}")
                if row.last_error:
                    print(f"    last error: {row.last_error}")
        failed = [r.cell.name for r in rows if not r.ok]
        total = sum(r.faults for r in rows)
        print(
            f"{len(rows)} cells, {sum(r.runs for r in rows)} apply runs, {total} faults injected, "
            f"{sum(r.retries for r in rows)} retries, "
            f"{sum(r.landed_found for r in rows)}/{sum(r.landed_checks for r in rows)} "
            f"lost answers found landed, in {time.monotonic() - started:.0f}s"
        )
        if args.crash:
            print("Crash sweep: SIGKILL after each write of a first apply, then apply again")
            points, crash_failures = crash_sweep(work)
            print(f"{points} kill points, {len(crash_failures)} failed to converge")
            failed += crash_failures
        print("PASS" if not failed else f"FAIL: {', '.join(failed)}")
        return 0 if not failed else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
