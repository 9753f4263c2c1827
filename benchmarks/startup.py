"""Start-up cost: `quotesync --help`, the imports, and a small plan, in CPU seconds.

    .venv/bin/python benchmarks/startup.py [--repeat 7] [--before /path/to/other/checkout]

Each command runs in a fresh process; the figure is its CPU time (user + system, from
``os.wait4``), best of ``--repeat``: CPU time barely moves when other processes share the
machine, wall time does. The small plan is the repository's examples against a fresh
embedded CRM that already holds them. ``--before``: also run every command with that
checkout's ``.venv/bin/python``, alternating with this one, and print both columns.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def cpu_seconds(args: list[str], cwd: Path) -> float:
    process = subprocess.Popen(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) not in (0, 2):
        raise SystemExit(f"{' '.join(args)} failed")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--before", type=Path, help="another checkout to compare with")
    args = parser.parse_args()
    pythons = {"after": PYTHON}
    if args.before is not None:
        pythons = {"before": str(args.before / ".venv" / "bin" / "python"), **pythons}
    with tempfile.TemporaryDirectory(prefix="quotesync-startup-") as tmp:
        work = Path(tmp)
        crm = f"local:{work / 'crm.sqlite'}"
        examples = str(REPO / "examples" / "manifests")
        subprocess.run(
            [PYTHON, "-m", "quotesync_gitops", "apply", examples, "--crm", crm, "--auto-approve"],
            cwd=work,
            check=True,
            capture_output=True,
        )
        cases = {
            "python -c pass": [PYTHON, "-c", "pass"],
            "import click": [PYTHON, "-c", "import click"],
            "import httpx": [PYTHON, "-c", "import httpx"],
            "import quotesync_gitops.cli.main": [PYTHON, "-c", "import quotesync_gitops.cli.main"],
            "import every command's module": [
                PYTHON,
                "-c",
                "import quotesync_gitops.cli.plan_cmd, quotesync_gitops.cli.apply_cmd, "
                "quotesync_gitops.cli.export_cmd, quotesync_gitops.cli.emulator_cmd, "
                "quotesync_gitops.cli.schema_cmd, quotesync_gitops.cli.validate_cmd",
            ],
            "quotesync schema": [PYTHON, "-m", "quotesync_gitops", "schema"],
            "quotesync --help": [PYTHON, "-m", "quotesync_gitops", "--help"],
            "quotesync validate (examples)": [
                PYTHON,
                "-m",
                "quotesync_gitops",
                "validate",
                examples,
            ],
            "quotesync plan (examples, embedded)": [
                PYTHON,
                "-m",
                "quotesync_gitops",
                "plan",
                examples,
                "--crm",
                crm,
            ],
        }
        columns = " | ".join(f"CPU s {label}" for label in pythons)
        print(f"| what | {columns} (best of {args.repeat}) |")
        print("|---|" + "---:|" * len(pythons))
        for label, command in cases.items():
            best = {name: float("inf") for name in pythons}
            for _ in range(args.repeat):
                for name, python in pythons.items():  # alternating: the load hits both alike
                    best[name] = min(best[name], cpu_seconds([python, *command[1:]], work))
            print(f"| {label} | {' | '.join(f'{best[name]:.3f}' for name in pythons)} |")


if __name__ == "__main__":
    main()
