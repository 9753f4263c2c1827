"""Apply killed with SIGKILL after its Nth write, then run again: converges, no duplicates.

``quotesync apply`` runs as a real subprocess against the emulator served on 127.0.0.1. A kill
switch in front of the emulator counts writes; the Nth write is processed (it lands), then the
server holds its answer and every later request, and the test SIGKILLs the process there. So
each kill point is exact: the CRM holds the first N writes and nothing else. The next apply
must converge (a fresh plan shows no changes) with every name once and every product once.

The points include the gap between creating an ERP connection's shell and saving its
configuration, the middle of the bulk product writes, the gap between deactivating an active
connection and saving its new configuration, and the middle of a price list replacement.
``benchmarks/faults.py --crash`` kills at every write instead of a selection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from tests.reliability.helpers import (
    Crm,
    WsgiApp,
    copy_examples,
    problems_after,
    remaining_changes,
    run_cli,
    running_crm,
)
from tests.reliability.killswitch import KillSwitch, killed_apply


def _crash_and_resume(
    tmp_path: Path, after: int, prepare: Callable[[Crm, Path], Iterable[str]] | None = None
) -> list[str]:
    """Kill apply after ``after`` writes, apply again; the landed writes (for messages)."""
    manifests = copy_examples(tmp_path)
    switch: KillSwitch | None = None

    def wrap(app: WsgiApp) -> WsgiApp:
        nonlocal switch
        switch = KillSwitch(app)
        return switch

    with running_crm(tmp_path, wrap=wrap) as crm:
        assert switch is not None
        if prepare is not None:
            list(prepare(crm, manifests))
            switch.writes.clear()
        landed = killed_apply(crm, switch, manifests, after)
        switch.after = None
        again = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert again.exit_code == 0, f"after writes {landed}:\n{again.output}"
        assert problems_after(crm, manifests) == [], f"killed after {landed[-1]}"
    return landed


#: Write numbers of a first apply of the examples (54 writes in all), and what they are.
FIRST_APPLY_POINTS = {
    1: "ERP connection shell created, configuration not saved yet",
    6: "second shell created (active connection: tested, not configured)",
    11: "one field-order move done",
    16: "quote connection created, its configuration not saved",
    21: "price list created, no products yet",
    33: "in the middle of the bulk product writes",
    47: "second price list created, its products not yet",
    53: "last product written, quote line settings not yet",
}


@pytest.mark.parametrize(
    "after", list(FIRST_APPLY_POINTS), ids=[f"{n}-{d}" for n, d in FIRST_APPLY_POINTS.items()]
)
def test_first_apply_killed_at_a_write_then_resumed(tmp_path: Path, after: int) -> None:
    landed = _crash_and_resume(tmp_path, after)
    assert len(landed) == after


def _applied_then_edited(edit: Callable[[Path], None]) -> Callable[[Crm, Path], Iterable[str]]:
    def prepare(crm: Crm, manifests: Path) -> Iterable[str]:
        first = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert first.exit_code == 0, first.output
        edit(manifests)
        return []

    return prepare


def _replace_in(relative: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(manifests: Path) -> None:
        path = manifests / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")

    return edit


@pytest.mark.parametrize(
    "after", [1, 2], ids=["deactivated, config not saved", "config saved, not reactivated"]
)
def test_config_change_of_an_active_connection_killed_then_resumed(
    tmp_path: Path, after: int
) -> None:
    edit = _replace_in("erp/demo-erp-production.yaml", 'companyNumber: "1"', 'companyNumber: "2"')
    landed = _crash_and_resume(tmp_path, after, _applied_then_edited(edit))
    assert landed[0].endswith("ToggleErpConnectionActive")


@pytest.mark.parametrize("after", [1, 2], ids=["old list retired", "new list created"])
def test_price_list_replacement_killed_then_resumed(tmp_path: Path, after: int) -> None:
    edit = _replace_in(
        "pricing/standard-nok-2026.yaml", 'validTo: "2026-12-31"', 'validTo: "2027-06-30"'
    )
    landed = _crash_and_resume(tmp_path, after, _applied_then_edited(edit))
    assert landed[0].startswith("PUT Pricelist/")


def test_killed_in_the_product_writes_then_a_person_repeats_a_code(tmp_path: Path) -> None:
    """Killed in the middle of the bulk product writes; meanwhile a person creates a
    second product with a code apply had already written. The next apply must refuse the
    price list (exit 1, nothing written) rather than pick one of the two; once the copy is
    recoded, apply converges."""
    manifests = copy_examples(tmp_path)
    switch: KillSwitch | None = None

    def wrap(app: WsgiApp) -> WsgiApp:
        nonlocal switch
        switch = KillSwitch(app)
        return switch

    with running_crm(tmp_path, wrap=wrap) as crm:
        assert switch is not None
        killed_apply(crm, switch, manifests, 33)
        switch.after = None
        with crm.client() as client:
            written = next(p for p in client.iter_products())
            copy = {k: v for k, v in written.items() if k != "ProductId"}
            created = client.create_product(copy)
        switch.writes.clear()
        refused = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert refused.exit_code == 1, refused.output
        assert "more than one product with the same code" in refused.output
        assert switch.writes == []  # the whole run is refused before its first write
        with crm.client() as client:
            client.update_product(created["ProductId"], {**created, "Code": "recoded-by-hand"})
        again = run_cli("apply", str(manifests), "--auto-approve", "--allow-deletes", env=crm.env)
        assert again.exit_code == 0, again.output
        assert remaining_changes(crm, manifests) == []
