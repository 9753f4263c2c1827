"""``secret_values`` finds every Secret however deep, in order, also among flat containers."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from quotesync_gitops.secrets import UNREADABLE, Secret, secret_values


def _walk(value: Any) -> list[str]:
    """The plain recursive walk the fast one must agree with."""
    if isinstance(value, Secret):
        return [value.reveal()]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _walk(item)]
    if isinstance(value, list | tuple):
        return [s for item in value for s in _walk(item)]
    return []


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5)
)
leaves = st.one_of(scalars, st.text(min_size=1, max_size=5).map(Secret), st.just(UNREADABLE))
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(st.text(max_size=3), inner, max_size=4),
    ),
    max_leaves=25,
)


@given(trees)
def test_secret_values_agrees_with_the_plain_walk(tree: Any) -> None:
    assert secret_values(tree) == _walk(tree)


def test_a_secret_among_many_flat_products_is_found() -> None:
    products: dict[str, Any] = {
        f"P{i}": {"name": f"Product {i}", "listPrice": i * 1.5, "inStock": True, "vat": None}
        for i in range(1000)
    }
    assert secret_values({"name": "Standard", "products": products}) == []
    products["P500"]["supplierCode"] = Secret("canary-in-a-product")
    products["P900"]["extra"] = [1, "two", (Secret("canary-in-a-tuple"),)]
    found = secret_values({"name": "Standard", "products": products})
    assert found == ["canary-in-a-product", "canary-in-a-tuple"]


def test_a_subclass_of_a_plain_type_is_still_looked_into() -> None:
    class Labels(dict[str, Any]):
        pass

    assert secret_values({"a": "x", "b": Labels(k=Secret("in-a-subclass"))}) == ["in-a-subclass"]
