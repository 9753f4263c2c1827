"""Planner core, without a CRM: replaces, retired and acknowledged objects, stale plans."""

from __future__ import annotations

from typing import Any

from quotesync_gitops.kinds.writing import MAX_NAME as NAME_LIMIT
from quotesync_gitops.kinds.writing import retired_name
from quotesync_gitops.model import DesiredState, Kind, LiveState, RepositorySettings, Resource
from quotesync_gitops.pipeline import stale_objects
from quotesync_gitops.plan.model import Action, Change, FieldChange, Plan
from quotesync_gitops.plan.planner import build_plan


def _price_list(currency: str = "NOK", *, active: bool = True, **products: float) -> dict[str, Any]:
    return {
        "description": "",
        "currency": currency,
        "currencyName": "",
        "validFrom": "2026-01-01",
        "validTo": "2026-12-31",
        "active": active,
        "erpKey": "",
        "quoteConnection": None,
        "products": {
            code: {"code": code, "name": f"Product {code}", "listPrice": price, "url": ""}
            for code, price in products.items()
        },
        "deleted": False,
    }


def _states(
    desired: list[Resource], live: list[Resource], settings: RepositorySettings | None = None
) -> tuple[DesiredState, LiveState]:
    want = DesiredState(settings=settings or RepositorySettings())
    for resource in desired:
        want.add(resource)
    have = LiveState()
    for resource in live:
        have.add(resource)
    return want, have


def _live_list(name: str, list_id: int, **spec: Any) -> Resource:
    return Resource(Kind.PRICE_LIST, name, spec, ids={"id": list_id, "productIds": {}})


def test_a_replace_creates_every_product_and_retires_the_old_list() -> None:
    desired, live = _states(
        [Resource(Kind.PRICE_LIST, "L", _price_list("SEK", A=1.0, B=2.0))],
        [_live_list("L", 7, **_price_list("NOK", A=1.0, B=2.0))],
    )
    plan = build_plan(desired, live).plan
    [change] = plan.changes
    assert change.action is Action.REPLACE
    assert change.fields == (FieldChange("currency", "NOK", "SEK"),)
    assert change.retire == (
        FieldChange("name", "L", "L (replaced #7)"),
        FieldChange("active", True, False),
    )
    assert change.retired_value("name") == "L (replaced #7)"
    assert [(c.name, c.action) for c in change.children] == [
        ("L/A", Action.CREATE),
        ("L/B", Action.CREATE),
    ]
    assert change.unchanged_children == 0
    assert change.children[0].fields == (
        FieldChange("name", None, "Product A"),
        FieldChange("listPrice", None, 1.0),
    )  # empty text (url) left out, code is the label
    assert plan.counts() == {("PriceList", "replace"): 1, ("Product", "create"): 2}


def test_an_inactive_old_list_is_only_renamed() -> None:
    desired, live = _states(
        [Resource(Kind.PRICE_LIST, "L", _price_list("SEK", active=False))],
        [_live_list("L", 3, **_price_list("NOK", active=False))],
    )
    [change] = build_plan(desired, live).plan.changes
    assert change.retire == (FieldChange("name", "L", "L (replaced #3)"),)


def test_the_retired_name_fits_the_crms_name_limit() -> None:
    long = "x" * (NAME_LIMIT - 2) + " y"
    name = retired_name(long, 123456)
    assert len(name) <= NAME_LIMIT and name.endswith("x (replaced #123456)")
    assert retired_name("Short", 1) == "Short (replaced #1)"


def test_inactive_and_soft_deleted_objects_without_a_manifest_are_not_unmanaged() -> None:
    desired, live = _states(
        [],
        [
            _live_list("Retired (replaced #1)", 1, **_price_list(active=False)),
            _live_list("Hand made", 2, **_price_list()),
            Resource(Kind.QUOTE_CONNECTION, "Gone", {"deleted": True}),
        ],
    )
    plan = build_plan(desired, live).plan
    assert [(u.kind, u.name) for u in plan.unmanaged] == [(Kind.PRICE_LIST, "Hand made")]


def test_acknowledged_objects_are_marked_and_never_pruned() -> None:
    settings = RepositorySettings(
        prune=frozenset({Kind.PRICE_LIST}),
        allow_deletes=True,
        acknowledged=frozenset({(Kind.PRICE_LIST, "Known")}),
    )
    desired, live = _states(
        [],
        [_live_list("Known", 1, **_price_list()), _live_list("Unknown", 2, **_price_list())],
        settings,
    )
    plan = build_plan(desired, live).plan
    assert [(c.name, c.action) for c in plan.changes] == [("Unknown", Action.DELETE)]
    assert [(u.name, u.acknowledged) for u in plan.unmanaged] == [("Known", True)]


def test_a_targeted_plan_fingerprints_only_its_targets_desired_form() -> None:
    desired, live = _states(
        [
            Resource(Kind.PRICE_LIST, "A", _price_list(X=1.0)),
            Resource(Kind.PRICE_LIST, "B", _price_list(X=1.0)),
        ],
        [],
    )
    assert build_plan(desired, live).plan.desired_fingerprints == {}
    targeted = build_plan(desired, live, targets=["PriceList/A"]).plan
    assert list(targeted.desired_fingerprints) == ["PriceList/A"]
    assert [c.name for c in targeted.changes] == ["A"]


def _plan(
    *,
    targets: list[str] | None = None,
    manifests: dict[str, str] | None = None,
    desired: dict[str, str] | None = None,
    live: dict[str, str] | None = None,
    changes: list[Change] | None = None,
) -> Plan:
    return Plan(
        changes=changes if changes is not None else [Change("PriceList", "A", Action.UPDATE)],
        targets=targets or [],
        manifest_fingerprints=manifests or {"a.yaml": "1", "b.yaml": "1"},
        desired_fingerprints=desired or {},
        live_fingerprints=live or {"PriceList/A": "1", "PriceList/B": "1"},
    )


def test_stale_objects_a_plan_of_everything_minds_every_manifest() -> None:
    assert stale_objects(_plan(), _plan()) == []
    other_file = _plan(manifests={"a.yaml": "1", "b.yaml": "2"})
    assert stale_objects(_plan(), other_file) == ["manifest b.yaml"]
    new_file = _plan(manifests={"a.yaml": "1", "b.yaml": "1", "c.yaml": "1"})
    assert stale_objects(_plan(), new_file) == ["manifest c.yaml"]


def test_stale_objects_a_targeted_plan_minds_only_its_targets() -> None:
    saved = _plan(targets=["PriceList/A"], desired={"PriceList/A": "1"})
    elsewhere = _plan(
        targets=["PriceList/A"],
        desired={"PriceList/A": "1"},
        manifests={"a.yaml": "1", "b.yaml": "2"},
        live={"PriceList/A": "1", "PriceList/B": "2"},  # not touched by the plan
    )
    assert stale_objects(saved, elsewhere) == []
    own = _plan(targets=["PriceList/A"], desired={"PriceList/A": "2"})
    assert stale_objects(saved, own) == ["manifest of PriceList/A"]
    live = _plan(targets=["PriceList/A"], desired={"PriceList/A": "1"}, live={"PriceList/A": "2"})
    assert stale_objects(saved, live) == ["PriceList/A"]


def test_stale_objects_the_same_fingerprints_but_other_changes_are_stale() -> None:
    other = _plan(changes=[Change("PriceList", "A", Action.UPDATE, reason="other")])
    assert stale_objects(_plan(), other) == [
        "the planned changes (the CRM or the tool's reading of it differs)"
    ]
