"""Apply's order, from the changes alone: a change waits for what its desired side refers to
(read from the kind), creates keep the plan's order, deletes run after everything else."""

from __future__ import annotations

from typing import Any

from quotesync_gitops.apply.engine import dependencies, waits_for
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.plan.model import Action, Change


def _change(kind: Kind, name: str, action: Action = Action.UPDATE, **spec: Any) -> Change:
    desired = Resource(kind, name, {**spec, "deleted": False})
    return Change(kind, name, action, desired=None if action is Action.DELETE else desired)


def test_dependencies_are_the_references_of_the_desired_side() -> None:
    quote = _change(Kind.QUOTE_CONNECTION, "Q", erpConnection="E")
    assert dependencies(quote) == ["ErpConnection/E"]
    sync = _change(Kind.SYNC_SETTINGS, "default", priority=["A", "B"])
    assert dependencies(sync) == ["ErpConnection/A", "ErpConnection/B"]
    assert dependencies(_change(Kind.PRICE_LIST, "L", quoteConnection=None)) == []
    assert dependencies(_change(Kind.PRICE_LIST, "L", action=Action.DELETE)) == []
    # a change read back from a plan file carries no desired side: nothing to wait for
    assert dependencies(Change(Kind.QUOTE_CONNECTION, "Q", Action.UPDATE)) == []


def test_updates_run_together_and_wait_only_for_what_they_refer_to() -> None:
    changes = [
        _change(Kind.ERP_CONNECTION, "E", connector="C"),
        _change(Kind.ERP_CONNECTION, "F", connector="C"),
        _change(Kind.QUOTE_CONNECTION, "Q", erpConnection="E"),
        _change(Kind.PRICE_LIST, "L", quoteConnection="Q"),
        _change(Kind.PRICE_LIST, "M", quoteConnection=None),
    ]
    assert waits_for(changes) == [
        frozenset(),
        frozenset(),
        frozenset({0}),
        frozenset({2}),
        frozenset(),
    ]


def test_creates_keep_the_plan_order_and_deletes_wait_for_other_kinds() -> None:
    changes = [
        _change(Kind.ERP_CONNECTION, "E", connector="C"),
        _change(Kind.QUOTE_CONNECTION, "Q", Action.CREATE, erpConnection=None),
        _change(Kind.PRICE_LIST, "L", quoteConnection=None),
        _change(Kind.SYNC_SETTINGS, "default", priority=[]),
        _change(Kind.PRICE_LIST, "Old", Action.DELETE),
        _change(Kind.QUOTE_CONNECTION, "Gone", Action.DELETE),
    ]
    waits = waits_for(changes)
    assert waits[1] == {0}  # a create waits for everything before it
    assert waits[2] == {1}  # and everything after waits for it
    assert waits[3] == {0, 1}  # sync settings wait for every ERP connection change
    assert waits[4] == {0, 1, 3}  # a delete waits for every change of another kind
    assert waits[5] == {0, 1, 2, 3, 4}
