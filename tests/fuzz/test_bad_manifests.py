"""Bad manifests never crash apply, never reach the CRM, and always point at a file and line.

Hypothesis mutates a copy of the example repository (bytes: random and non-UTF-8 bytes, cuts,
repeats, YAML punctuation; trees: values replaced by random JSON, keys dropped or invented)
and hand-made hostile inputs cover the classic attacks on YAML loaders (alias bombs, deep
nesting, huge files, object-constructing tags, other encodings). For every input the manifests
are loaded; when they are invalid, ``quotesync apply --auto-approve`` runs against the
emulator served on 127.0.0.1 and must exit 1 with every problem as ``FILE:LINE:COL: error:``,
without a traceback and without writing anything to the CRM. (It may read the CRM: the
resources that did load are checked against its catalogs, so that offline and CRM problems
come in one report.)
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quotesync_gitops.manifest import load_manifests
from tests.reliability.helpers import EXAMPLES, Crm, run_cli, running_crm

SAMPLES = sorted(p.relative_to(EXAMPLES).as_posix() for p in EXAMPLES.rglob("*.yaml"))
#: Bounded so the whole of tests/fuzz stays around ten seconds on two cores.
FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FEWER = settings(FUZZ, max_examples=30)
ERROR_LINE = re.compile(r"^(?P<file>[^\s:][^:]*):(?P<line>\d+):(?P<col>\d+): error: \S")
YAML_PUNCTUATION = [
    b":", b"- ", b"[", b"]", b"{", b"}", b",", b"&a ", b"*a", b"!!python/object:os.system ",
    b"!x ", b"<<: ", b"${env:NOPE}", b"${file:/etc/passwd}", b"${var:", b"'", b'"', b"#",
    b"\n---\n", b"\n...\n", b"? ", b"|", b">", b"~", b"\t", b"\x00", b"\xff\xfe", b"\xc3",
    b"\xef\xbb\xbf", b"\r", b"\x1b[2J", b"%YAML 1.1\n", b"%TAG ! tag:x,2000:\n",
]  # fmt: skip


class Repository:
    """A copy of the examples whose one file is replaced per example, and a served CRM."""

    def __init__(self, root: Path, crm: Crm) -> None:
        self.manifests = root / "manifests"
        shutil.copytree(EXAMPLES, self.manifests)
        self.originals = {name: (self.manifests / name).read_bytes() for name in SAMPLES}
        self.crm = crm

    def check(self, name: str, content: bytes) -> None:
        target = self.manifests / name
        target.write_bytes(content)
        try:
            self._check(name)
        finally:
            target.write_bytes(self.originals[name])

    def _check(self, name: str) -> None:
        loaded = load_manifests([self.manifests], env={})  # must not raise, whatever it reads
        if loaded.ok:
            return  # a harmless mutation: applying it would be right
        errors = [d for d in loaded.diagnostics if d.level == "error"]
        for diagnostic in errors:
            if diagnostic.source.file.endswith(name):
                assert diagnostic.source.line >= 1 and diagnostic.source.column >= 1, diagnostic
        before = _contents(self.crm.db)
        result = run_cli("apply", str(self.manifests), "--auto-approve", env=self.crm.env)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        lines = [line for line in result.output.splitlines() if ": error: " in line]
        assert lines, result.output
        for line in lines:
            match = ERROR_LINE.match(line)
            assert match is not None, line
            assert match["file"].endswith(".yaml") or match["file"].endswith(".csv"), line
        assert _contents(self.crm.db) == before, "an invalid manifest wrote to the CRM"


def _contents(db: Path) -> list[str]:
    """Everything the CRM holds, as SQL (what a write would change)."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(connection.iterdump())
    finally:
        connection.close()


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Repository]:
    root = tmp_path_factory.mktemp("fuzz")
    with running_crm(root / "crm") as crm:
        yield Repository(root, crm)


@st.composite
def byte_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SAMPLES))
    data = (EXAMPLES / name).read_bytes()
    for _ in range(draw(st.integers(1, 5))):
        at = draw(st.integers(0, len(data)))
        how = draw(st.sampled_from(["insert", "bytes", "cut", "repeat", "truncate", "flip"]))
        if how == "insert":
            data = data[:at] + draw(st.sampled_from(YAML_PUNCTUATION)) + data[at:]
        elif how == "bytes":
            data = data[:at] + draw(st.binary(min_size=1, max_size=6)) + data[at:]
        elif how == "cut":
            data = data[:at] + data[at + draw(st.integers(1, 40)) :]
        elif how == "repeat":
            data = data[:at] + data[at : at + draw(st.integers(1, 80))] * 2 + data[at:]
        elif how == "truncate":
            data = data[:at]
        elif data:
            index = min(at, len(data) - 1)
            data = (
                data[:index] + bytes([data[index] ^ draw(st.integers(1, 255))]) + data[index + 1 :]
            )
    return name, data


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def tree_mutations(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(SAMPLES))
    documents = list(yaml.safe_load_all((EXAMPLES / name).read_text(encoding="utf-8")))
    index = draw(st.integers(0, len(documents) - 1))
    document = documents[index]
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        how = draw(st.sampled_from(["replace", "drop", "add", "wrap"]))
        if not path:
            document = draw(JSON) if how == "replace" else document
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if how == "replace":
            parent[last] = draw(JSON)
        elif how == "drop":
            del parent[last]
        elif how == "add" and isinstance(parent[last], dict):
            parent[last][draw(st.text(min_size=1, max_size=8))] = draw(JSON)
        else:
            parent[last] = [parent[last]]
    documents[index] = document
    text = yaml.safe_dump_all(documents, allow_unicode=True, sort_keys=False)
    return name, text.encode("utf-8")


@FUZZ
@given(mutation=byte_mutations())
def test_byte_mutated_manifests(repo: Repository, mutation: tuple[str, bytes]) -> None:
    repo.check(*mutation)


@FEWER
@given(mutation=tree_mutations())
def test_tree_mutated_manifests(repo: Repository, mutation: tuple[str, bytes]) -> None:
    repo.check(*mutation)


@FEWER
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_random_text_as_a_manifest(repo: Repository, text: str) -> None:
    repo.check("settings/sync.yaml", text.encode("utf-8"))


def _alias_bomb(levels: int = 12) -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return ("\n".join(lines) + "\n").encode()


def _merge_bomb(levels: int = 20) -> bytes:
    lines = ["b0: &b0 {k0: v}"]
    lines += [f"b{i}: &b{i} {{<<: [*b{i - 1}, *b{i - 1}], k{i}: v}}" for i in range(1, levels)]
    return ("\n".join(lines) + "\n").encode()


HOSTILE = {
    "billion laughs": _alias_bomb(),
    "merge-key bomb": _merge_bomb(),
    "deep flow nesting": b"apiVersion: quotesync.io/v1\nkind: SyncSettings\nspec: "
    + b"[" * 50_000
    + b"]" * 50_000
    + b"\n",
    "deep block nesting": b"".join(b"  " * i + b"k:\n" for i in range(300)),
    "python object tag": b"apiVersion: quotesync.io/v1\nkind: !!python/object/apply:os.system"
    b" ['touch /tmp/quotesync-pwned']\nmetadata: {name: x}\nspec: {}\n",
    "python name tag": b"!!python/name:os.system\n",
    "binary tag": b"apiVersion: quotesync.io/v1\nkind: SyncSettings\n"
    b"metadata: {name: !!binary aGk=}\n",
    "local tag": b"apiVersion: !Ref quotesync.io/v1\nkind: SyncSettings\n",
    "not UTF-8": b"apiVersion: quotesync.io/v1\nkind: Sync\xff\xfeSettings\n",
    "UTF-16 with BOM": "apiVersion: quotesync.io/v1\nkind: SyncSettings\n".encode("utf-16"),
    "NUL bytes": b"apiVersion: quotesync.io/v1\x00\nkind: SyncSettings\n",
    "terminal escapes": b"apiVersion: quotesync.io/v1\nkind: \x1b[2JSyncSettings\n",
    "a megabyte-long key": b"k" * 1_000_000 + b": v\n",
    "two thousand documents": b"---\nkind: Nope\n" * 2_000,
    "unterminated quote": b'apiVersion: "quotesync.io/v1\nkind: SyncSettings\n',
    "tabs for indentation": b"apiVersion: quotesync.io/v1\nmetadata:\n\tname: x\n",
    "duplicate keys": b"apiVersion: quotesync.io/v1\nkind: SyncSettings\nkind: PriceList\n",
}


@pytest.mark.parametrize("content", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_yaml(repo: Repository, content: bytes) -> None:
    repo.check("settings/sync.yaml", content)
    assert not Path("/tmp/quotesync-pwned").exists()


def test_a_file_over_the_size_bound(repo: Repository) -> None:
    """51 MB of valid-looking YAML: refused by size before it is parsed."""
    huge = b"# " + b"x" * 1000 + b"\n"
    repo.check("settings/sync.yaml", huge * 51_000)


@FEWER
@given(data=st.binary(max_size=400))
def test_mutated_products_csv(repo: Repository, data: bytes) -> None:
    """The CSV beside a price list is input from the pull request too."""
    csv = repo.manifests / "pricing" / "services-products.csv"
    original = csv.read_bytes()
    header = original.splitlines(keepends=True)[0]
    csv.write_bytes(header + data)
    try:
        repo.check(
            "pricing/services-eur-2026.yaml", repo.originals["pricing/services-eur-2026.yaml"]
        )
    finally:
        csv.write_bytes(original)


# --- amplification: small input, huge output ----------------------------------------------


def _sync_settings(priority: list[str], anchor: str) -> bytes:
    lines = [
        "apiVersion: quotesync.io/v1",
        "kind: SyncSettings",
        "metadata: {name: default}",
        "spec:",
        f"  interval: &big {anchor}",
        "  priority:",
        *[f"    - {item}" for item in priority],
    ]
    return ("\n".join(lines) + "\n").encode()


AMPLIFIERS = {
    # 1 MB of text, repeated 300 times by aliases: 300 MB of values and of messages.
    "a megabyte aliased 300 times": (_sync_settings(["*big"] * 300, "x" * 1_000_000), "10 MB"),
    # 800,000 empty documents in 5.6 MB.
    "800,000 empty documents": (b"---\n" * 800_000, "10,000 documents"),
    # 5,000 problems, each quoting a value of a kilobyte.
    "5,000 problems": (_sync_settings(["*big"] * 5_000, "y" * 1_000), "more problems"),
    # One problem quoting a value of 300 KB.
    "a 300 KB value quoted": (
        b"apiVersion: quotesync.io/v1\nkind: " + b"K" * 300_000 + b"\n",
        "bytes not shown",
    ),
}


@pytest.mark.parametrize("case", list(AMPLIFIERS), ids=list(AMPLIFIERS))
def test_output_stays_small_whatever_the_input(repo: Repository, case: str) -> None:
    content, said = AMPLIFIERS[case]
    target = repo.manifests / "settings" / "sync.yaml"
    target.write_bytes(content)
    try:
        for fmt in ("text", "json", "github"):
            result = run_cli("validate", str(repo.manifests), "--format", fmt)
            assert result.exit_code == 1, result.output[:2000]
            assert said in result.output
            assert len(result.output.encode()) < 2_500_000, len(result.output)
            assert max(len(line.encode()) for line in result.output.splitlines()) < 5_000
        repo.check("settings/sync.yaml", content)
    finally:
        target.write_bytes(repo.originals["settings/sync.yaml"])


@pytest.mark.parametrize("value", ["987654321", "0.12345", "-4242"])
def test_a_password_written_as_a_number_is_not_quoted_back(repo: Repository, value: str) -> None:
    """validate's 'put it in quotes' hint would show the password (in annotations too)."""
    target = repo.manifests / "quote" / "erp-quotes.yaml"
    original = repo.originals["quote/erp-quotes.yaml"]
    text = original.decode()
    assert "apiPassword: ${env:DEMO_QUOTE_PASSWORD:-demo-password}" in text
    target.write_text(
        text.replace("${env:DEMO_QUOTE_PASSWORD:-demo-password}", value), encoding="utf-8"
    )
    try:
        for fmt in ("text", "json", "github"):
            result = run_cli("validate", str(repo.manifests), "--format", fmt)
            assert result.exit_code == 1, result.output
            assert "put it in quotes" in result.output
            assert value not in result.output
    finally:
        target.write_bytes(original)
