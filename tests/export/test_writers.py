"""The writers on their own: whatever text the CRM holds, the loader reads back exactly it.

Property tests against the real readers (the manifest YAML parser, reference resolution and the
products CSV reader), so a quoting rule that is wrong for some string cannot hide.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from quotesync_gitops.export.products import products_csv
from quotesync_gitops.export.specs import escape_refs
from quotesync_gitops.export.yamlout import Flow, FlowList, to_yaml
from quotesync_gitops.manifest.products import product_fields, product_template
from quotesync_gitops.manifest.products_csv import read_products_csv
from quotesync_gitops.manifest.references import ReferenceContext, resolve
from quotesync_gitops.manifest.yamlparse import parse_yaml
from quotesync_gitops.secrets import UNREADABLE, Secret

#: Any text without lone surrogates (which no UTF-8 file, and no JSON answer, can carry).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
TRICKY = st.sampled_from(
    ["", " ", "NO", "yes", "1e5", "0o17", "0x1F", ".5", "~", "null", "true", "12:30:00",
     "2026-01-01", "#x", "a: b", "- x", "${env:X}", "$${", "a\nb\n", " lead", "trail ",
     "\x85", "\u2028", "\ufeff", "😀", "'", '"', "\r\n", "\t", "*a", "&a", "!t", "@", "`"]
)  # fmt: skip
STRINGS = TEXT | TRICKY


def _read_back(document: dict[str, Any]) -> Any:
    parsed = parse_yaml(to_yaml(document))
    assert not parsed.problems, parsed.problems
    assert len(parsed.documents) == 1
    return parsed.documents[0].value


@settings(max_examples=400, deadline=None)
@given(STRINGS, STRINGS)
def test_any_string_reads_back_as_written(value: str, key: str) -> None:
    document = {
        "plain": value,
        "list": [value],
        "flow": Flow({"a": value}),
        "flowList": FlowList([value, value]),
        "keys": {key or "k": 1},
        "flowKeys": Flow({key or "k": 2}),
    }
    assert _read_back(document) == {
        "plain": value,
        "list": [value],
        "flow": {"a": value},
        "flowList": [value, value],
        "keys": {key or "k": 1},
        "flowKeys": {key or "k": 2},
    }


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_numbers_read_back_as_the_same_float(value: float) -> None:
    read = _read_back({"n": value, "f": Flow({"n": value})})
    assert float(read["n"]) == value and float(read["f"]["n"]) == value


def test_whole_numbers_are_written_as_integers() -> None:
    assert to_yaml({"a": 14990.0, "b": 0.45, "c": -5.0}) == "a: 14990\nb: 0.45\nc: -5\n"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["$", "{", "}", "${", "$${", "env:X", "x", "-"]), max_size=8))
def test_escaped_text_resolves_to_itself(parts: list[str]) -> None:
    text = "".join(parts)
    context = ReferenceContext({}, {}, True, Path("."), Path("."), False)
    resolved = resolve(escape_refs(text), context)
    assert resolved.problems == ()
    assert resolved.value == text


def test_a_secret_is_never_written() -> None:
    for value in (Secret("hunter2"), UNREADABLE):
        try:
            to_yaml({"config": {"password": value}})
        except TypeError as exc:
            assert "hunter2" not in str(exc)
        else:
            raise AssertionError("a secret was written")


@st.composite
def _product(draw: st.DrawFn) -> dict[str, Any]:
    product: dict[str, Any] = dict(product_template())
    for name, field in product_fields().items():
        if not draw(st.booleans()):
            continue
        if field.type == "string":
            product[name] = draw(STRINGS)
        elif field.type == "number":
            low = field.minimum if field.minimum is not None else -1e9
            high = field.maximum if field.maximum is not None else 1e9
            product[name] = round(draw(st.floats(min_value=low, max_value=high)), 6)
        else:
            product[name] = draw(st.booleans())
    product["code"] = draw(TEXT.filter(str.strip))
    return product


@settings(max_examples=200, deadline=None)
@given(products=st.lists(_product(), max_size=6))
def test_products_csv_reads_back_exactly(
    tmp_path_factory: Any, products: list[dict[str, Any]]
) -> None:
    by_code = {p["code"]: p for p in products}
    path = tmp_path_factory.mktemp("csv") / "products.csv"
    path.write_bytes(products_csv(by_code).encode("utf-8"))
    read = read_products_csv(path, "products.csv")
    assert read.diagnostics == []
    assert {p["code"]: p for p, _ in read.products} == by_code
