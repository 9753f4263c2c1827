"""A saved plan names kinds the tool knows (``model.Kind``, Product included); a plan file
whose change, unmanaged object or connection test names another is damaged: refused with
exit 1 and the kind it names, and nothing is written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.reliability.helpers import copy_examples, run_subprocess


def _saved_plan(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    manifests = copy_examples(tmp_path)
    env = {"QUOTESYNC_CRM": f"local:{tmp_path / 'crm.sqlite'}", "NO_COLOR": "1"}
    planfile = tmp_path / "plan.json"
    made = run_subprocess("plan", str(manifests), "--out", str(planfile), env=env, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    return planfile, env


def test_a_saved_plan_reads_back_with_its_product_changes(tmp_path: Path) -> None:
    """The control: the plan as saved shows, products (kind Product) included."""
    planfile, env = _saved_plan(tmp_path)
    kinds = {c["kind"] for c in json.loads(planfile.read_text(encoding="utf-8"))["changes"]}
    assert "PriceList" in kinds
    shown = run_subprocess("show", str(planfile), env=env, cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "Plan: 36 to create (31 products)" in shown.stdout


@pytest.mark.parametrize("where", ["change", "product"])
def test_a_plan_file_naming_an_unknown_kind_is_damaged(tmp_path: Path, where: str) -> None:
    planfile, env = _saved_plan(tmp_path)
    data = json.loads(planfile.read_text(encoding="utf-8"))
    price_list = next(c for c in data["changes"] if c["kind"] == "PriceList")
    target = price_list if where == "change" else price_list["children"][0]
    target["kind"] = "Discount"
    planfile.write_text(json.dumps(data), encoding="utf-8")
    for args in (["show", str(planfile)], ["apply", str(planfile), "--auto-approve"]):
        result = run_subprocess(*args, env=env, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines() == [
            f"error: {planfile} is damaged: 'Discount' is not a valid Kind"
        ]
        assert "Traceback" not in result.stdout + result.stderr
    # The embedded CRM is created by its first write: nothing was written.
    assert not (tmp_path / "crm.sqlite").exists()
