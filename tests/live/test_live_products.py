"""LiveProducts: carriers kept as read, canonical on access, a quick and exact "unchanged"."""

from __future__ import annotations

from typing import Any

import pytest

from quotesync_gitops.kinds.live_products import LiveProducts
from quotesync_gitops.kinds.normalise import product
from quotesync_gitops.kinds.product_parts import PRODUCT_FIELDS
from quotesync_gitops.manifest.products import product_template
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.plan.planner import fingerprint
from quotesync_gitops.plan.products import diff_products
from quotesync_gitops.secrets import Secret


def carrier(code: str, **fields: Any) -> dict[str, Any]:
    """A product carrier as the emulator answers it (every field, empty values filled)."""
    out: dict[str, Any] = {"ProductId": 0, "ERPPriceListKey": "1", "Rights": "", "ExtraInfo": []}
    for key, carrier_key in PRODUCT_FIELDS.items():
        out[carrier_key] = product_template()[key]
    out["Code"] = code
    out.update(fields)
    return out


def wanted(code: str, **fields: Any) -> dict[str, Any]:
    return {**product_template(), "code": code, **fields}


def products(*carriers: dict[str, Any]) -> LiveProducts:
    out = LiveProducts()
    for index, c in enumerate(carriers, start=1):
        c["ProductId"] = index
    out.extend(list(carriers))
    return out


def test_a_mapping_of_canonical_products() -> None:
    live = products(carrier("A", UnitListPrice=10), carrier("B", Name="Bee"))
    assert list(live) == ["A", "B"]
    assert len(live) == 2
    assert "A" in live and "C" not in live
    assert live["B"] == product(carrier("B", Name="Bee"))
    assert live == {"A": wanted("A", listPrice=10.0), "B": wanted("B", name="Bee")}
    assert live.ids == {"A": 1, "B": 2}
    with pytest.raises(KeyError):
        live["C"]


@pytest.mark.parametrize(
    ("fields", "want", "same"),
    [
        ({}, {}, True),
        ({"UnitListPrice": 25}, {"listPrice": 25.0}, True),  # an int where a float is canonical
        ({"UnitListPrice": 1.23456789}, {"listPrice": 1.234568}, True),  # rounded to 6 places
        ({"Name": None}, {}, True),  # null and "" are the same text
        ({"InAssortment": None}, {}, True),  # null means in the assortment
        ({"ItemNumber": 7}, {"itemNumber": "7"}, True),  # a number where text belongs
        ({"UnitListPrice": 25}, {"listPrice": 26.0}, False),
        ({"Name": "x"}, {}, False),
        ({"InAssortment": False}, {}, False),
    ],
)
def test_unchanged_agrees_with_the_canonical_comparison(
    fields: dict[str, Any], want: dict[str, Any], same: bool
) -> None:
    live = products(carrier("A", **fields))
    assert live.unchanged("A", wanted("A", **want)) is same
    assert (live["A"] == wanted("A", **want)) is same


def test_unchanged_is_false_for_an_unknown_code_and_copes_with_missing_fields() -> None:
    sparse = {"ProductId": 1, "Code": "A", "Name": "Alpha"}
    live = products(sparse)
    assert live.unchanged("B", wanted("B")) is False
    assert live.unchanged("A", wanted("A", name="Alpha")) is True


def test_the_fingerprint_follows_every_value() -> None:
    one = products(carrier("A"), carrier("B"))
    same = products(carrier("A"), carrier("B"))
    other = products(carrier("A"), carrier("B", UnitCost=1.5))
    assert one.fingerprint() == same.fingerprint() != other.fingerprint()
    spec = {"name": "x", "products": one}
    assert fingerprint(spec) == fingerprint({"name": "x", "products": same})
    assert fingerprint(spec) != fingerprint({"name": "x", "products": other})


def test_diff_products_finds_changes_creates_and_removals_through_the_quick_path() -> None:
    live = products(carrier("A"), carrier("B", UnitListPrice=5), carrier("C"))
    have = Resource(Kind.PRICE_LIST, "P", {"products": live}, ids={"productIds": live.ids})
    want = Resource(
        Kind.PRICE_LIST,
        "P",
        {"products": {"A": wanted("A"), "B": wanted("B", listPrice=6.0), "D": wanted("D")}},
    )
    changes, unchanged = diff_products(want, have)
    assert unchanged == 1
    summary = [(c.name, str(c.action), [f.path for f in c.fields][:2]) for c in changes]
    assert summary == [
        ("P/B", "update", ["listPrice"]),
        ("P/C", "delete", []),
        ("P/D", "create", ["listPrice", "cost"]),  # a new product shows its values
    ]
    assert changes[0].fields[0].before == 5.0
    assert all(f.before is None for f in changes[2].fields)
    assert changes[1].live_ids == {"id": 3}


def test_odd_pages_are_taken_product_by_product() -> None:
    live = LiveProducts()
    live.extend([{"ProductId": 1, "Code": None, "Name": "nameless"}, {"ProductId": 2}])
    live.extend([carrier("7", ProductId="3"), {"ProductId": 4, "Code": 8}])
    assert sorted(live) == ["", "7", "8"]
    assert live.ids == {"": 2, "7": 3, "8": 4}
    assert live[""]["name"] == ""  # the later product with the same (empty) code wins


def test_a_later_product_with_the_same_code_replaces_one_already_looked_at() -> None:
    live = products(carrier("A", Name="first"))
    assert live["A"]["name"] == "first"
    live.extend([carrier("A", Name="second", ProductId=9)])
    assert live["A"]["name"] == "second"
    assert live.ids["A"] == 9


def test_the_fingerprint_depends_on_values_not_on_shared_objects() -> None:
    shared = "x" * 40
    one = products(carrier("A", Name=shared, Description=shared))
    distinct = products(carrier("A", Name="x" * 40, Description="".join(["x"] * 40)))
    assert one.fingerprint() == distinct.fingerprint()


def test_changed_lists_new_and_different_codes_in_manifest_order() -> None:
    live = products(carrier("A", UnitListPrice=25), carrier("B"), carrier("C", Name="x"))
    want = {
        "C": wanted("C", name="y"),
        "A": wanted("A", listPrice=25.0),  # 25 and 25.0 are one value
        "D": wanted("D"),
        "B": wanted("B"),
    }
    assert live.changed(want) == ["C", "D"]
    assert live.changed({"A": wanted("A", listPrice=25.0)}) == []
    assert sorted(live.keys() - want.keys()) == []
    assert sorted(live.keys() - {"A": 1}.keys()) == ["B", "C"]


def test_changed_takes_the_carriers_as_read_when_the_codes_come_in_the_same_order() -> None:
    live = products(carrier("A", UnitListPrice=25), carrier("B", Name="x"), carrier("C"))
    same_order = {"A": wanted("A", listPrice=25.0), "B": wanted("B", name="y"), "C": wanted("C")}
    assert live.changed(same_order) == ["B"]
    assert live.changed({**same_order, "B": wanted("B", name="x")}) == []
    fewer = {"A": wanted("A", listPrice=25.0), "C": wanted("C", name="z")}
    assert live.changed(fewer) == ["C"]
    other_codes = {"A": wanted("A", listPrice=25.0), "B": wanted("B", name="x"), "D": wanted("D")}
    assert live.changed(other_codes) == ["D"]


def _fresh_keys(product: dict[str, Any]) -> dict[str, Any]:
    """The same product with key objects of its own, in reverse order."""
    return {"".join(list(key)): value for key, value in reversed(product.items())}


def test_changed_finds_a_product_by_equal_keys_whatever_its_key_objects() -> None:
    live = products(carrier("A"), carrier("B", Name="x"), carrier("C", UnitCost=2))
    want = {
        "A": wanted("A"),
        "B": _fresh_keys(wanted("B", name="x")),
        "C": _fresh_keys(wanted("C", cost=3.0)),
    }
    assert live.changed(want) == ["C"]
    sparse_first = {"A": {"code": "A"}, "B": wanted("B", name="x"), "C": wanted("C", cost=2.0)}
    assert live.changed(sparse_first) == ["A"]  # compared in canonical form, product by product


def test_changed_compares_every_run_of_carriers_whatever_its_key_objects() -> None:
    many = [carrier(f"P{n}") for n in range(450)]  # more than one run of carriers
    many[0] = _fresh_keys(many[0])  # the first of a run with key objects of its own
    many[300] = {**many[300], "Name": "changed"}
    live = products(*many)
    want = {f"P{n}": wanted(f"P{n}") for n in range(450)}
    assert live.changed(want) == ["P300"]
    del many[420]["Rights"], many[401]["UnitCost"]  # a carrier without a product field
    assert live.changed(want) == ["P300"]  # a missing cost is 0.0
    assert live.changed({**want, "P401": wanted("P401", cost=1.0)}) == ["P300", "P401"]


def test_diff_products_takes_out_what_the_manifest_drops_even_when_it_adds_as_many() -> None:
    live = products(carrier("A"), carrier("B"), carrier("C", InAssortment=False))
    have = Resource(Kind.PRICE_LIST, "P", {"products": live}, ids={"productIds": live.ids})

    def diffed(codes: str) -> list[tuple[str, str]]:
        want = Resource(Kind.PRICE_LIST, "P", {"products": {c: wanted(c) for c in codes}})
        return [(c.name, str(c.action)) for c in diff_products(want, have)[0]]

    assert diffed("ABC") == [("P/C", "update")]  # back in the assortment
    assert diffed("ABD") == [("P/D", "create")]  # C is already out of it
    assert diffed("ACD") == [("P/B", "delete"), ("P/C", "update"), ("P/D", "create")]
    assert diffed("CDE") == [("P/A", "delete"), ("P/B", "delete"), ("P/C", "update"),
                             ("P/D", "create"), ("P/E", "create")]  # fmt: skip


def test_a_secret_product_value_equal_to_the_live_text_is_no_change() -> None:
    live = products(carrier("A", Name="clear"), carrier("B", Name="clear"))
    have = Resource(Kind.PRICE_LIST, "P", {"products": live}, ids={"productIds": live.ids})
    want = Resource(
        Kind.PRICE_LIST,
        "P",
        {"products": {"A": wanted("A", name=Secret("clear")), "B": wanted("B", name=Secret("x"))}},
    )
    changes, unchanged = diff_products(want, have)
    assert unchanged == 1
    assert [(c.name, [(f.path, f.before) for f in c.fields]) for c in changes] == [
        ("P/B", [("name", "clear")])
    ]


def _three_batches() -> LiveProducts:
    """The usual page, an empty one, and one that goes product by product (a field
    missing, a code read again)."""
    live = LiveProducts()
    live.extend([{**carrier("A", UnitCost=1.5), "ProductId": 1}, {**carrier("B"), "ProductId": 2}])
    live.extend([])
    partial = {**carrier("C"), "ProductId": 3}
    del partial["Rule"]
    live.extend([partial, {**carrier("A", Name="again"), "ProductId": 4}])
    return live


def test_the_fingerprint_taken_when_asked_is_the_one_hashed_while_reading() -> None:
    # The digest of these batches as the read hashed them batch by batch (before the
    # fingerprint was taken on demand): plan files keep their bytes.
    expected = "cd0abf8899f10c7c917e3dc784e5ff745b819f7e82ad168038313ac1d57b72c6"
    live = _three_batches()
    assert live.fingerprint() == expected
    assert live.fingerprint() == expected  # asked again: the same
    live.extend([{**carrier("D"), "ProductId": 5}])
    assert live.fingerprint() != expected  # a batch read after it counts too


def test_the_fingerprint_is_of_the_values_as_read_not_of_the_list_handed_over() -> None:
    page = [{**carrier("A"), "ProductId": 1}, {**carrier("B"), "ProductId": 2}]
    live, same = LiveProducts(), LiveProducts()
    live.extend(page)
    same.extend(list(page))
    page.pop()  # the reader's list, reused after extend
    assert live.fingerprint() == same.fingerprint()
