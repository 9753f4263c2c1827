"""Whatever the input, validate answers with exit 0 or 1 and never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotesync_gitops.manifest.schemas import KINDS
from tests.manifest.helpers import EXAMPLES, quotesync

SAMPLES = [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.rglob("*.yaml"))]
YAML_BITS = st.sampled_from(
    [
        ":",
        "-",
        " ",
        "\n",
        "  ",
        "[",
        "]",
        "{",
        "}",
        ",",
        "&a",
        "*a",
        "!!str",
        "!x",
        "<<",
        "${env:X}",
        "${var:",
        "$${",
        "'",
        '"',
        "#",
        "---",
        "...",
        "?",
        "|",
        ">",
        "~",
        "é",
        "\t",
        "true",
        "NO",
        "1e9",
        "0x",
        "null",
        "deleted: true",
        "kind: PriceList",
        "products:",
    ]
)

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 6))):
        cut = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "duplicate-line"]))
        if action == "insert":
            text = text[:cut] + draw(YAML_BITS) + text[cut:]
        elif action == "delete":
            text = text[:cut] + text[cut + draw(st.integers(1, 20)) :]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                at = draw(st.integers(0, len(lines) - 1))
                lines.insert(at, lines[at])
            text = "".join(lines)
    return text


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "connector",
                    "scope",
                    "actors",
                    "Customer",
                    "mappings",
                    "erpField",
                    "items",
                    "products",
                    "code",
                    "config",
                    "priority",
                    "fields",
                    "users",
                    "deleted",
                    "listMappings",
                    "x",
                ]
            )
            | st.text(max_size=6),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@st.composite
def random_document(draw: st.DrawFn) -> str:
    document: dict[str, Any] = {
        "apiVersion": "quotesync.io/v1",
        "kind": draw(st.sampled_from(KINDS)),
        "metadata": {"name": draw(st.text(min_size=1, max_size=10))},
        "spec": draw(JSON_VALUES),
    }
    return yaml.safe_dump(document, allow_unicode=True)


def _check(folder: Path, text: str) -> None:
    (folder / "fuzz.yaml").write_text(text, encoding="utf-8")
    result = quotesync("validate", str(folder), "--format", "json")
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.stdout)
    assert report["valid"] is (result.exit_code == 0)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@FUZZ
@given(text=mutated_example())
def test_mutated_examples_never_crash(folder: Path, text: str) -> None:
    _check(folder, text)


@FUZZ
@given(text=random_document())
def test_random_documents_never_crash(folder: Path, text: str) -> None:
    _check(folder, text)


@FUZZ
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_random_text_never_crashes(folder: Path, text: str) -> None:
    _check(folder, text)
