"""A Change carries both sides and typed sections: apply writes from it, never from paths."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from quotesync_gitops.model import DesiredState, Kind, LiveState, Resource
from quotesync_gitops.plan.diff import diff_specs
from quotesync_gitops.plan.model import (
    Action,
    Change,
    FieldChange,
    Section,
    Touched,
    change_from_dict,
)
from quotesync_gitops.plan.planner import build_plan
from quotesync_gitops.secrets import Secret
from tests.plan.test_planner_core import _price_list

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"


def _connection(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "connector": "Demo",
        "description": "",
        "active": True,
        "scope": {"allUsers": True, "users": [], "groups": []},
        "config": {"url": "https://erp", "api.key": "a"},
        "actors": {
            "Customer": {
                "enabled": True,
                "crmActor": "Contact",
                "mappings": {},
                "defaults": {},
                "fieldOrder": [],
            }
        },
        "listMappings": {},
        "deleted": False,
    }
    return {**base, **spec}


def test_every_canonical_key_of_the_examples_is_a_section() -> None:
    from quotesync_gitops.manifest import load_manifests

    loaded = load_manifests([EXAMPLES], env=dict(os.environ), resolve_env=False)
    kinds = set()
    for resource in loaded.desired:
        if resource.kind == Kind.REPOSITORY_SETTINGS:
            continue  # configures the tool: never planned
        kinds.add(resource.kind)
        for key in resource.spec:
            assert Section(key) == key, (resource.kind, key)
    assert len(kinds) >= 5, kinds  # the examples cover nearly every kind


def test_touched_names_sections_and_their_parts_from_the_diff_steps() -> None:
    live = _connection()
    want = _connection(
        description="new",
        config={"url": "https://erp", "api.key": "b"},
        actors={
            "Customer": {**live["actors"]["Customer"], "fieldOrder": ["a"]},
            "Person": {
                "enabled": True,
                "crmActor": "Person",
                "mappings": {},
                "defaults": {},
                "fieldOrder": [],
            },
        },
    )
    fields = diff_specs(Kind.ERP_CONNECTION, live, want).changes
    touched = Touched.of(fields)
    assert set(touched) == {Section.DESCRIPTION, Section.CONFIG, Section.ACTORS}
    assert touched.within(Section.ACTORS) == {"Customer", "Person"}
    # a config key holding a dot stays one part (the display path cannot say so)
    assert touched.within(Section.CONFIG) == {"api.key"}
    assert "config.api.key" in {f.path for f in fields}
    assert touched.beyond(Section.CONFIG) and not Touched.of([]).beyond(Section.CONFIG)
    assert not touched.any_of(Section.SCOPE, Section.LIST_MAPPINGS)


def test_an_unknown_top_level_key_is_refused_not_ignored() -> None:
    with pytest.raises(ValueError):
        Touched.of([FieldChange("nonsense", 1, 2)])


def test_a_change_carries_the_prepared_desired_and_the_live_object() -> None:
    desired, live = DesiredState(), LiveState()
    desired.add(Resource(Kind.ERP_CONNECTION, "E", _connection(description="new")))
    have = Resource(Kind.ERP_CONNECTION, "E", _connection(), ids={"id": 7, "big": {"x": 1}})
    live.add(have)
    result = build_plan(desired, live)
    (change,) = result.plan.changes
    assert change.desired is not None and change.desired.spec["description"] == "new"
    assert change.live is not None and change.live.ids["id"] == 7
    assert change.live_ids == {"id": 7}  # only scalar ids go into the plan
    assert result.prepared[(Kind.ERP_CONNECTION, "E")] is change.desired
    assert set(change.touched) == {Section.DESCRIPTION}


def test_neither_side_reaches_the_plan_file_and_equality_ignores_them() -> None:
    secret = Secret("hunter2-very-secret")
    desired = Resource(Kind.QUOTE_CONNECTION, "Q", {"config": {"password": secret}})
    change = Change(Kind.QUOTE_CONNECTION, "Q", "update", desired=desired)  # type: ignore[arg-type]
    data = change.to_dict()
    assert "hunter2" not in repr(data) and "hunter2" not in repr(change)
    assert "desired" not in data and "live" not in data
    assert change_from_dict(data) == change  # what a plan file gives back compares equal


def test_product_children_carry_their_code() -> None:
    desired, live = DesiredState(), LiveState()
    product = {"code": "A/1", "name": "x", "listPrice": 1.0}
    desired.add(_price_list("L", products={"A/1": product}))
    live.add(_price_list("L"))
    (change,) = build_plan(desired, live).plan.changes
    (child,) = change.children
    assert child.kind == Kind.PRODUCT and child.code == "A/1" and child.name == "L/A/1"


def test_an_erp_connection_writes_its_header_for_a_secrets_version_alone() -> None:
    """secretsVersion lives in the connection's description: a version raised on a
    connection without secrets in its configuration must still save the connection."""
    from quotesync_gitops.kinds.erp_connection.write import writes_header

    def change(*paths: str) -> Change:
        fields = tuple(FieldChange(p, 1, 2, tuple(p.split("."))) for p in paths)
        return Change(Kind.ERP_CONNECTION, "E", Action.UPDATE, fields=fields)

    assert writes_header(change("secretsVersion"))
    assert writes_header(change("scope.users")) and writes_header(change("config.url"))
    assert not writes_header(change("actors.Customer.fieldOrder", "listMappings.Customer/x"))
