"""The run's secrets: a plan value equal to one is masked, wherever in the manifests the
secret is held (products included); a plan with no value that could be one is left as it is
without walking the manifests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from quotesync_gitops.model import DesiredState, Kind, Resource
from quotesync_gitops.plan.model import Action, Change, FieldChange, Plan
from quotesync_gitops.plan.run_secrets import hide_run_secrets, run_secret_values
from quotesync_gitops.secrets import Secret


def _desired(*resources: Resource) -> DesiredState:
    state = DesiredState()
    for resource in resources:
        state.add(resource)
    return state


def _price_list(products: dict[str, dict[str, Any]]) -> Resource:
    return Resource(Kind.PRICE_LIST, "Prices", {"description": "", "products": products})


def _plan(before: object, product_before: object) -> Plan:
    product = Change(
        Kind.PRODUCT,
        "Prices/a",
        Action.UPDATE,
        fields=(FieldChange("name", product_before, "Anvil"),),
        code="a",
    )
    return Plan(
        changes=[
            Change(
                Kind.PRICE_LIST,
                "Prices",
                Action.UPDATE,
                fields=(FieldChange("description", {"nested": [before]}, "new"),),
                children=(product,),
            )
        ]
    )


@pytest.mark.parametrize("field", ["name", "description", "extraField5"])
def test_a_value_equal_to_a_secret_held_in_a_product_is_masked(field: str) -> None:
    held = f"product-secret-{field}"
    desired = _desired(_price_list({"a": {"code": "a", field: Secret(held), "listPrice": 1.0}}))
    plan = _plan(held, held)
    hide_run_secrets(plan, desired)
    change = plan.changes[0]
    assert change.fields[0].before == {"nested": [Secret(held)]}
    assert change.children[0].fields[0].before == Secret(held)
    assert change.children[0].fields[0].after == "Anvil"


def test_a_value_equal_to_a_secret_of_another_run_is_shown() -> None:
    Secret("earlier-runs-secret")  # this process has held it, this run's manifests do not
    desired = _desired(_price_list({"a": {"code": "a", "name": "Anvil"}}))
    plan = _plan("earlier-runs-secret", "earlier-runs-secret")
    hide_run_secrets(plan, desired)
    assert plan.changes[0].fields[0].before == {"nested": ["earlier-runs-secret"]}
    assert plan.changes[0].children[0].fields[0].before == "earlier-runs-secret"


class _Unwalkable(DesiredState):
    def __iter__(self) -> Iterator[Resource]:
        raise AssertionError("the manifests were walked for secrets")


def test_a_plan_with_no_value_any_secret_has_held_does_not_walk_the_manifests() -> None:
    plan = _plan("never-a-secret-x1", "never-a-secret-x2")
    changes = list(plan.changes)
    hide_run_secrets(plan, _Unwalkable())
    assert plan.changes == changes


def test_the_run_s_secrets_are_its_manifests_non_empty_secret_values() -> None:
    desired = _desired(
        _price_list({"a": {"code": "a", "name": Secret("held-x9"), "description": Secret("")}})
    )
    assert run_secret_values(desired) == frozenset({"held-x9"})
