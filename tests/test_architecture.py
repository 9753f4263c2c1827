"""The import contract of docs/design.md, enforced: the table there is the rule.

The package table ("package | job | may import") is read from docs/design.md itself, so the
document and the check cannot drift apart; every module of the package is parsed with ast
and each of its imports (also those inside functions and ``TYPE_CHECKING`` blocks) is checked
against its row. A test, not import-linter: the contract is a dozen rows, a walk of the
imports is forty lines of ast, and a second copy of the rules in an ``.importlinter`` file is
exactly the drift this test exists to prevent.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "quotesync_gitops"
DESIGN = REPO / "docs" / "design.md"
ROOT = "quotesync_gitops"
PACKAGE_TABLE_HEADER = "| package | job | may import |"
EXCEPTIONS_TABLE_HEADER = "| module | imports | why, and what removes it |"


@dataclass(frozen=True)
class Allowed:
    unit: str
    #: Only these submodules of ``unit`` (empty: all of it).
    only: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    units: tuple[str, ...]
    allowed: tuple[Allowed, ...]
    text: str  # the "may import" cell as written, for messages


@dataclass(frozen=True)
class Import:
    module: str  # importing module, dotted
    line: int
    target: str  # imported module, dotted (a submodule when ``from X import submodule``)


def _table(text: str, header: str) -> list[list[str]]:
    lines = text.splitlines()
    try:
        start = next(i for i, line in enumerate(lines) if line.strip() == header)
    except StopIteration:
        pytest.fail(f"docs/design.md has no table headed {header!r}")
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


def _unit_name(cell_item: str) -> str:
    """`cli/` -> cli, `model.py` -> model, `__init__.py` -> __init__."""
    name = cell_item.strip().strip("`").strip()
    return name.removesuffix("/").removesuffix(".py")


def _split_outside_parentheses(cell: str) -> list[str]:
    items, depth, current = [], 0, ""
    for char in cell:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            items.append(current)
            current = ""
        else:
            current += char
    return [item.strip() for item in [*items, current] if item.strip()]


def _submodules(parenthesis: str | None) -> frozenset[str]:
    """``(catalog, normalise)`` names submodules; anything else in parentheses (``(never a
    stage)``) is a remark for the reader."""
    names = [_unit_name(n) for n in (parenthesis or "").split(",")]
    if not all(re.fullmatch(r"[a-z_][a-z0-9_]*", n) for n in names):
        return frozenset()
    return frozenset(names)


def read_contract(text: str) -> list[Row]:
    """The package table, top to bottom, with "everything below" spelled out."""
    raw = _table(text, PACKAGE_TABLE_HEADER)
    units = [tuple(_unit_name(u) for u in row[0].split(",")) for row in raw]
    rows = []
    for index, (names, cells) in enumerate(zip(units, raw, strict=True)):
        allowed: list[Allowed] = []
        for item in _split_outside_parentheses(cells[2]):
            if item == "everything below":
                allowed += [Allowed(u) for below in units[index + 1 :] for u in below]
            elif item != "nothing":
                match = re.fullmatch(r"([^()]+?)\s*(?:\(([^()]*)\))?", item)
                assert match, f"cannot read {item!r} in the row of {', '.join(names)}"
                allowed.append(Allowed(_unit_name(match.group(1)), _submodules(match.group(2))))
        rows.append(Row(names, tuple(allowed), cells[2]))
    return rows


def read_exceptions(text: str) -> set[tuple[str, str]]:
    """(importing module, imported module), dotted, of the known back-arrows."""
    return {(_dotted(row[0]), _dotted(row[1])) for row in _table(text, EXCEPTIONS_TABLE_HEADER)}


def _dotted(cell: str) -> str:
    path = cell.strip().strip("`").removesuffix(".py")
    return f"{ROOT}." + path.replace("/", ".")


def modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        yield ".".join(parts), path


def is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def unit_of(module: str) -> str:
    """The row a module belongs to: its first-level package, or the top-level module
    (``__init__`` for the package itself)."""
    parts = module.split(".")
    if len(parts) == 1:
        return "__init__"
    return parts[1]


def _exists(module: str) -> bool:
    path = REPO / module.replace(".", "/")
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imports_of(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if is_package(path) else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == ROOT or alias.name.startswith(ROOT + "."):
                    yield Import(module, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            if base != ROOT and not base.startswith(ROOT + "."):
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield Import(module, node.lineno, sub if _exists(sub) else base)


def _allows(row: Row, target: str) -> bool:
    unit = unit_of(target)
    sub = target.split(".")[2] if len(target.split(".")) > 2 else ""
    return any(a.unit == unit and (not a.only or sub in a.only) for a in row.allowed)


CONTRACT_TEXT = DESIGN.read_text(encoding="utf-8")


def test_every_package_and_top_level_module_has_a_row() -> None:
    rows = {u for row in read_contract(CONTRACT_TEXT) for u in row.units}
    found = {unit_of(module) for module, _ in modules()}
    missing = sorted(found - rows)
    assert not missing, (
        f"{', '.join(f'quotesync_gitops/{m}' for m in missing)} has no row in the package "
        "table of docs/design.md: add one (package | job | may import) where it belongs"
    )
    stale = sorted(rows - found)
    assert not stale, f"docs/design.md has rows for what does not exist: {', '.join(stale)}"


def test_the_table_points_one_way() -> None:
    """A row names only rows below it (so the arrows of the document form no cycle)."""
    rows = read_contract(CONTRACT_TEXT)
    position = {u: i for i, row in enumerate(rows) for u in row.units}
    problems = []
    for index, row in enumerate(rows):
        for allowed in row.allowed:
            if allowed.unit not in position:
                problems.append(f"{', '.join(row.units)} may import {allowed.unit}: no such row")
            elif position[allowed.unit] <= index:
                problems.append(
                    f"{', '.join(row.units)} may import {allowed.unit}, which is not below it"
                )
    assert not problems, "docs/design.md package table:\n" + "\n".join(problems)


def test_every_import_follows_the_table() -> None:
    rows = {u: row for row in read_contract(CONTRACT_TEXT) for u in row.units}
    exceptions = read_exceptions(CONTRACT_TEXT)
    used: set[tuple[str, str]] = set()
    problems = []
    for module, path in modules():
        unit = unit_of(module)
        row = rows.get(unit)
        if row is None:
            continue  # reported by the test above
        for imp in imports_of(module, path):
            if unit_of(imp.target) == unit or _allows(row, imp.target):
                continue
            if (imp.module, imp.target) in exceptions:
                used.add((imp.module, imp.target))
                continue
            problem = (
                f"{path.relative_to(REPO)}:{imp.line}: {imp.module} imports {imp.target}, "
                f"but {unit} may import only: {row.text} (docs/design.md)"
            )
            if problem not in problems:  # `from X import a, b` is one import of X
                problems.append(problem)
    assert not problems, "imports against the contract:\n" + "\n".join(problems)
    gone = sorted(exceptions - used)
    assert not gone, (
        "known back-arrows that no longer exist: remove their rows from docs/design.md: "
        + ", ".join(f"{m} -> {t}" for m, t in gone)
    )


# --- the checker itself ----------------------------------------------------------------

SAMPLE = """
| package | job | may import |
|---|---|---|
| `cli/` | commands | everything below |
| `apply/` | writes | live (catalog), model (values only) |
| `live/` | reads | model |
| `model.py` | values | nothing |

| module | imports | why, and what removes it |
|---|---|---|
| `apply/carriers.py` | `live/normalise.py` | shared tables |
"""


def test_the_table_is_read_as_written() -> None:
    rows = read_contract(SAMPLE)
    assert [r.units for r in rows] == [("cli",), ("apply",), ("live",), ("model",)]
    assert {a.unit for a in rows[0].allowed} == {"apply", "live", "model"}
    apply_row = rows[1]
    assert _allows(apply_row, "quotesync_gitops.live.catalog")
    assert not _allows(apply_row, "quotesync_gitops.live.reader")
    assert _allows(apply_row, "quotesync_gitops.model")  # "(values only)" is a remark
    assert not _allows(rows[3], "quotesync_gitops.live")
    assert read_exceptions(SAMPLE) == {
        ("quotesync_gitops.apply.carriers", "quotesync_gitops.live.normalise")
    }


def test_imports_are_found_wherever_they_are(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text(
        "from quotesync_gitops.kinds import normalise as norm\n"
        "import quotesync_gitops.model\n"
        "def f():\n"
        "    from quotesync_gitops.plan.planner import build_plan\n"
        "import json\n",
        encoding="utf-8",
    )
    found = [(i.line, i.target) for i in imports_of("quotesync_gitops.apply.m", source)]
    assert found == [
        (1, "quotesync_gitops.kinds.normalise"),
        (2, "quotesync_gitops.model"),
        (4, "quotesync_gitops.plan.planner"),
    ]


PRINTING_CALLS = {"print", "click.echo", "click.secho", "sys.stdout.write", "sys.stderr.write"}


def _call_name(node: ast.Call) -> str:
    parts: list[str] = []
    func: ast.expr = node.func
    while isinstance(func, ast.Attribute):
        parts.append(func.attr)
        func = func.value
    if isinstance(func, ast.Name):
        parts.append(func.id)
    return ".".join(reversed(parts))


def test_only_the_cli_prints() -> None:
    """No print outside cli/ (and ``__main__`` entry points): the core returns values."""
    problems = []
    for module, path in modules():
        if unit_of(module) == "cli" or module.endswith(".__main__"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _call_name(node) in PRINTING_CALLS:
                problems.append(f"{path.relative_to(REPO)}:{node.lineno}: {_call_name(node)}")
    assert not problems, "printing outside the CLI layer:\n" + "\n".join(problems)
