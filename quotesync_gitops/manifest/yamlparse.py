"""Safe YAML → plain values, built from libyaml's event stream.

Why events and not PyYAML's loader: composing nodes in C still calls a Python resolver per
scalar and keeps a node plus two marks per value (100k products ≈ 10 s and a gigabyte), while
the event stream builds plain values directly in a fraction of the time. Positions of
deeper values are found again only when a diagnostic needs one (see ``locate``).

Rules (also the safety guarantees):

* Scalars resolve by the YAML 1.2 core schema: only ``true``/``false`` are booleans (``NO``
  stays the string Norway needs), no sexagesimal numbers (``12:00:00`` stays a string), no
  timestamps (dates stay strings). Mapping keys are always their source text.
* Tags other than the core ones (``!!python/object``, ``!!binary``, ``!Ref``) are errors and
  never construct anything.
* Duplicate keys are errors (PyYAML keeps the last one silently).
* Aliases share the anchored value; their total expansion, the number of values and the
  nesting depth are bounded, so alias bombs and deep nesting stop with a diagnostic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

Mark = tuple[int, int]  # 1-based line, 1-based column
Path = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_VALUES = 10_000_000
MAX_ALIAS_EXPANSION = 100_000

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

CORE_TAG = "tag:yaml.org,2002:"
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES = frozenset({"true", "True", "TRUE"})
_FALSES = frozenset({"false", "False", "FALSE"})
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip
_MAYBE_NOT_STRING = frozenset("0123456789+-.~nNtTfF")


@dataclass(frozen=True)
class Position:
    """Where a value is written: its key (None for list items and documents) and its start."""

    key: Mark | None
    value: Mark


@dataclass
class ParsedDocument:
    index: int
    value: Any
    start: Mark
    #: Positions of the values at depth 1 and 2 (apiVersion, metadata.name, spec.x, ...).
    positions: dict[Path, Position] = field(default_factory=dict)


@dataclass
class ParsedFile:
    documents: list[ParsedDocument] = field(default_factory=list)
    problems: list[tuple[Mark, str]] = field(default_factory=list)
    #: False when reading stopped early (syntax error or a safety limit).
    complete: bool = True


class _Stop(Exception):
    """A safety limit was hit: stop reading this file."""


def _mark(m: Any) -> Mark:
    return (m.line + 1, m.column + 1)


def resolve_plain(text: str) -> Any:
    """YAML 1.2 core schema resolution of an untagged plain scalar."""
    if not text:
        return None
    if text[0] not in _MAYBE_NOT_STRING:
        return text
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if _INT.fullmatch(text):
        if text.startswith(("0o", "0x")):
            return int(text[2:], 8 if text[1] == "o" else 16)
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return _SPECIAL_FLOATS.get(text, text)


class _Frame:
    __slots__ = (
        "anchor",
        "first_keys",
        "key",
        "key_mark",
        "merges",
        "path",
        "size",
        "start",
        "value",
    )

    def __init__(self, value: Any, path: Path | None, anchor: str | None, start: Mark) -> None:
        self.value = value
        self.path = path  # None below the depth where positions are recorded
        self.anchor = anchor
        self.start = start
        self.size = 1
        self.key: Any = _NO_KEY  # mappings: the pending key
        self.key_mark: Mark = start
        self.first_keys: dict[str, int] | None = {} if isinstance(value, dict) else None
        self.merges: list[tuple[Any, Mark]] = []


_NO_KEY = object()  # a mapping waits for its next key
_KEY_BUILDING = object()  # a list/mapping/alias is being read as a key (reported, dropped)
_BAD_KEY = object()  # the value of a dropped key follows: read it, drop it
_MERGE = object()


class _Builder:
    def __init__(self, result: ParsedFile) -> None:
        self.result = result
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.values = 0
        self.expanded = 0
        self.doc: ParsedDocument | None = None

    def problem(self, mark: Mark, message: str) -> None:
        self.result.problems.append((mark, message))

    # -- scalars ---------------------------------------------------------------------------

    def scalar(self, event: Any) -> Any:
        tag = event.tag
        text: str = event.value
        if tag is None:
            return resolve_plain(text) if event.implicit[0] else text
        if tag == "!" or tag == CORE_TAG + "str":
            return text
        wanted = tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else ""
        if wanted in ("int", "float", "bool", "null"):
            value = resolve_plain(text) if text else None
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            if wanted == "float" and is_number:
                return float(value)  # type: ignore[arg-type]
            if (
                (wanted == "int" and is_number and isinstance(value, int))
                or (wanted == "bool" and isinstance(value, bool))
                or (wanted == "null" and value is None)
            ):
                return value
            self.problem(_mark(event.start_mark), f"{text!r} is not a valid !!{wanted} value")
            return text
        self._bad_tag(event)
        return text

    def _bad_tag(self, event: Any) -> None:
        self.problem(
            _mark(event.start_mark),
            f"YAML tag {_short_tag(event.tag)} is not allowed: manifests hold plain values "
            "(text, numbers, true/false, lists and mappings) without tags",
        )

    # -- structure -------------------------------------------------------------------------

    def child_path(self, parent: _Frame) -> Path | None:
        if parent.path is None or len(parent.path) >= 2:
            return None
        if isinstance(parent.value, dict):
            key = parent.key
            return (*parent.path, key) if isinstance(key, str) else None
        return (*parent.path, len(parent.value))

    def record(self, path: Path | None, key: Mark | None, start: Mark) -> None:
        if path is not None and self.doc is not None:
            self.doc.positions[path] = Position(key, start)

    def add(self, value: Any, size: int, start: Mark, anchor: str | None) -> None:
        """A finished value: register its anchor and put it in its parent."""
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            assert self.doc is not None
            self.doc.value = value
            return
        parent = self.stack[-1]
        parent.size += size
        if isinstance(parent.value, list):
            parent.value.append(value)
            return
        key = parent.key
        if key is _KEY_BUILDING:
            parent.key = _BAD_KEY
            return
        parent.key = _NO_KEY
        if key is _MERGE:
            parent.merges.append((value, parent.key_mark))
        elif key is not _BAD_KEY:
            parent.value[key] = value

    def key_event(self, frame: _Frame, event: Any) -> None:
        """A mapping expects a key and got ``event``."""
        mark = _mark(event.start_mark)
        frame.key_mark = mark
        if type(event) is not ev.ScalarEvent:
            self.problem(mark, "mapping keys must be plain names, not lists, mappings or aliases")
            frame.key = _KEY_BUILDING
            return
        if event.tag not in (None, "!", CORE_TAG + "str"):
            self._bad_tag(event)
        text: str = event.value
        if text == "<<" and event.implicit[0] and event.tag is None:
            frame.key = _MERGE
            return
        assert frame.first_keys is not None
        first = frame.first_keys.get(text)
        if first is not None:
            self.problem(
                mark,
                f"duplicate key {text!r} in this mapping (first at line {first}); "
                "YAML would silently keep only the last one",
            )
        else:
            frame.first_keys[text] = mark[0]
        frame.key = text

    def open(self, container: Any, event: Any) -> None:
        start = _mark(event.start_mark)
        parent = self.stack[-1] if self.stack else None
        path: Path | None = () if parent is None else self.child_path(parent)
        self.record(path, _key_mark(parent), start)
        if len(self.stack) >= MAX_DEPTH:
            self.problem(start, f"values are nested deeper than {MAX_DEPTH} levels")
            raise _Stop
        if event.tag not in (None, "!", CORE_TAG + "map", CORE_TAG + "seq"):
            self._bad_tag(event)
        self.stack.append(_Frame(container, path, event.anchor, start))

    def close(self) -> None:
        frame = self.stack.pop()
        if frame.merges:
            self.merge(frame)
        self.add(frame.value, frame.size, frame.start, frame.anchor)

    def merge(self, frame: _Frame) -> None:
        """``<<: *base`` (or a list of them): keys not written in the mapping come from base."""
        for value, mark in frame.merges:
            sources = value if isinstance(value, list) else [value]
            for source in sources:
                if not isinstance(source, dict):
                    self.problem(mark, "a merge key (<<) needs a mapping or a list of mappings")
                    continue
                for key, item in source.items():
                    if key not in frame.value:
                        frame.value[key] = item

    def count(self, mark: Mark, size: int = 1) -> None:
        self.values += size
        if self.values > MAX_VALUES:
            self.problem(mark, f"the file holds more than {MAX_VALUES:,} values; split it up")
            raise _Stop

    def handle(self, event: Any) -> None:
        kind = type(event)
        frame = self.stack[-1] if self.stack else None
        if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
            self.close()
            return
        if frame is not None and frame.key is _NO_KEY and isinstance(frame.value, dict):
            if kind is ev.ScalarEvent:
                self.key_event(frame, event)
                self.count(frame.key_mark)
                return
            self.key_event(frame, event)  # a complex key: reported, then read and dropped
        if kind is ev.ScalarEvent:
            start = _mark(event.start_mark)
            self.count(start)
            if frame is None or frame.path is not None:
                path = () if frame is None else self.child_path(frame)
                self.record(path, _key_mark(frame), start)
            self.add(self.scalar(event), 1, start, event.anchor)
        elif kind is ev.MappingStartEvent:
            self.count(_mark(event.start_mark))
            self.open({}, event)
        elif kind is ev.SequenceStartEvent:
            self.count(_mark(event.start_mark))
            self.open([], event)
        elif kind is ev.AliasEvent:
            self.alias(event, frame)

    def alias(self, event: Any, frame: _Frame | None) -> None:
        start = _mark(event.start_mark)
        if frame is not None and frame.path is not None:
            self.record(self.child_path(frame), _key_mark(frame), start)
        found = self.anchors.get(event.anchor)
        if found is None:
            self.problem(
                start,
                f"alias *{event.anchor} refers to no anchor &{event.anchor} written before it "
                "(or to a value that contains the alias itself)",
            )
            self.add(None, 1, start, None)
            return
        value, size = found
        self.expanded += size
        if self.expanded > MAX_ALIAS_EXPANSION:
            self.problem(
                start,
                f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values; "
                "this looks like an alias bomb",
            )
            raise _Stop
        self.count(start, size)
        self.add(value, size, start, None)


def _key_mark(frame: _Frame | None) -> Mark | None:
    """Where the key of the value being read is written (None inside lists)."""
    if frame is not None and isinstance(frame.value, dict):
        return frame.key_mark
    return None


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else tag


def parse_yaml(text: str) -> ParsedFile:
    """All documents of ``text`` as plain values, with the problems found while reading."""
    result = ParsedFile()
    builder = _Builder(result)
    loader = _LOADER(text)
    index = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is ev.DocumentStartEvent:
                builder.doc = ParsedDocument(index, None, _mark(event.start_mark))
                builder.stack.clear()
                builder.anchors.clear()
            elif kind is ev.DocumentEndEvent:
                assert builder.doc is not None
                result.documents.append(builder.doc)
                builder.doc = None
                index += 1
            elif kind is not ev.StreamStartEvent and kind is not ev.StreamEndEvent:
                builder.handle(event)
    except _Stop:
        result.complete = False
    except yaml.MarkedYAMLError as exc:
        result.complete = False
        result.problems.append(syntax_problem(exc))
    except yaml.YAMLError as exc:
        result.complete = False
        result.problems.append(reader_problem(exc, text))
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    return result


def syntax_problem(exc: yaml.MarkedYAMLError) -> tuple[Mark, str]:
    where = exc.problem_mark or exc.context_mark
    mark = _mark(where) if where is not None else (1, 1)
    message = f"YAML syntax error: {exc.problem or 'cannot read this'}"
    if exc.context:
        context = exc.context
        if exc.context_mark is not None and exc.context_mark is not exc.problem_mark:
            context += f" that starts at line {exc.context_mark.line + 1}"
        message += f" ({context})"
    return mark, message


def reader_problem(exc: yaml.YAMLError, text: str) -> tuple[Mark, str]:
    """Reader errors (control characters) carry a character index, not a mark."""
    position = getattr(exc, "position", None)
    reason = getattr(exc, "reason", None) or str(exc)
    if not isinstance(position, int):
        return (1, 1), f"YAML error: {reason}"
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    character = getattr(exc, "character", None)
    if isinstance(character, str) and len(character) == 1:
        character = ord(character)
    code = f" (U+{character:04X})" if isinstance(character, int) else ""
    return (line, column), f"cannot read the file: {reason}{code}"
