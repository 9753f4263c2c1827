"""Exported CSV cells cannot run as spreadsheet formulas, and still read back the same.

A product name the CRM holds (anyone with CRM access can write one) such as
``=HYPERLINK("http://evil", "x")`` would run when a person opens the exported CSV in a
spreadsheet. Text starting with ``=``, ``+``, ``-`` or ``@`` is written with an apostrophe
in front, which the products reader drops again, so a plan of the export shows no changes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from tests.export.conftest import valid_env
from tests.reliability.helpers import copy_examples, run_cli

NAMES = {
    "HW-1001": '=HYPERLINK("http://example.com/x", "click")',
    "HW-1002": "+1 laptop",
    "HW-1003": "-5% docking station",
    "SW-2001": "@SUM(A1:A9)",
    "SW-2002": "'=already quoted",
}


def test_formula_like_cells_are_neutralised_and_read_back(tmp_path: Path) -> None:
    manifests = copy_examples(tmp_path)
    path = manifests / "pricing" / "standard-nok-2026.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    code = None
    for index, line in enumerate(lines):
        if "- code: " in line:
            code = line.split("- code: ")[1].strip()
        elif code in NAMES and line.strip().startswith("name: "):
            indent = line[: len(line) - len(line.lstrip())]
            lines[index] = f"{indent}name: '{NAMES[code].replace(chr(39), chr(39) * 2)}'"
            code = None
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    crm = f"local:{tmp_path / 'crm.sqlite'}"
    applied = run_cli("apply", str(manifests), "--auto-approve", "--crm", crm)
    assert applied.exit_code == 0, applied.output
    out = tmp_path / "export"
    # --no-images: a product with an image (HW-1001 in the examples) stays inline in YAML
    exported = run_cli(
        "export", "--out", str(out), "--crm", crm, "--products-csv-threshold", "0", "--no-images"
    )
    assert exported.exit_code == 0, exported.output
    files = sorted(out.rglob("*.csv"))
    assert files
    cells = [
        cell
        for file in files
        for row in csv.reader(io.StringIO(file.read_text(encoding="utf-8")))
        for cell in row
    ]
    for name in NAMES.values():
        assert "'" + name in cells
    assert not [c for c in cells if c and c[0] in "=+@"]
    assert not [c for c in cells if c.startswith("-") and not c[1:].replace(".", "").isdigit()]
    env = valid_env(exported.stdout)  # the secrets the export asks for
    plan = run_cli("plan", str(out), "--detailed-exitcode", "--crm", crm, env=env)
    assert plan.exit_code == 0, plan.output
