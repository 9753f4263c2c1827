"""Safe YAML → plain values, built from libyaml's event stream.

Why events and not PyYAML's loader: composing nodes in C still calls a Python resolver per
scalar and keeps a node plus two marks per value (100k products ≈ 10 s and a gigabyte), while
the event stream builds plain values directly in a fraction of the time. Positions of
deeper values are found again only when a diagnostic needs one (see ``locate``).

Rules (also the safety guarantees):

* Scalars resolve by the YAML 1.2 core schema (``yamlscalars``). Mapping keys are always
  their source text.
* Tags other than the core ones (``!!python/object``, ``!!binary``, ``!Ref``) are errors and
  never construct anything.
* Duplicate keys are errors (PyYAML keeps the last one silently).
* Aliases share the anchored value; their total expansion (in values and in characters
  of text), the number of values, of documents and the nesting depth are bounded, so
  alias bombs, deep nesting and floods of empty documents stop with a diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import events as ev

from quotesync_gitops.manifest.yamlerrors import reader_problem, syntax_problem
from quotesync_gitops.manifest.yamlscalars import (
    CORE_TAG,
    PLAIN_TAGS,
    STR_TAG,
    TYPED_TAGS,
    resolve_plain,
    short_tag,
    typed,
)

Mark = tuple[int, int]  # 1-based line, 1-based column
Path = tuple[str | int, ...]

MAX_DEPTH = 64
MAX_VALUES = 10_000_000
MAX_ALIAS_EXPANSION = 100_000
#: Characters of text all aliases of a file may repeat: a 1 MB string aliased 300 times
#: would otherwise be 300 MB of values (and of error messages quoting them).
MAX_ALIAS_CHARS = 10 * 1024 * 1024
#: Documents one file may hold (800,000 empty ones fit in 5.6 MB).
MAX_DOCUMENTS = 10_000

_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_SCALAR = ev.ScalarEvent
_MAPPING_START = ev.MappingStartEvent
_MAPPING_END = ev.MappingEndEvent
_SEQUENCE_START = ev.SequenceStartEvent
_SEQUENCE_END = ev.SequenceEndEvent
_ALIAS = ev.AliasEvent


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


_NO_KEY = object()  # a mapping waits for its next key
_KEY_BUILDING = object()  # a list/mapping/alias is being read as a key (reported, dropped)
_BAD_KEY = object()  # the value of a dropped key follows: read it, drop it
_MERGE = object()  # the value of "<<" follows


class _Frame:
    """An open mapping or list. Marks are libyaml's (0-based), converted only when used."""

    __slots__ = ("anchor", "first_keys", "is_map", "key", "key_mark", "merges", "path",
                 "size", "start", "value")  # fmt: skip

    def __init__(self, is_map: bool, path: Path | None, anchor: str | None, start: Any) -> None:
        self.is_map = is_map
        self.value: Any = {} if is_map else []
        self.path = path  # None below the depth where positions are recorded
        self.anchor = anchor
        self.start = start
        self.size = 1
        self.key: Any = _NO_KEY
        self.key_mark: Any = None
        self.first_keys: dict[str, Any] = {}
        self.merges: list[tuple[Any, Any]] = []


class _Builder:
    def __init__(self, result: ParsedFile) -> None:
        self.result = result
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        #: Characters of text in each anchored value, measured when an alias first uses it.
        self.anchor_chars: dict[str, int] = {}
        self.values = 0
        self.expanded = 0
        self.expanded_chars = 0
        self.doc: ParsedDocument | None = None

    def problem(self, mark: Any, message: str) -> None:
        self.result.problems.append((_mark(mark), message))

    def bad_tag(self, event: Any) -> None:
        self.problem(
            event.start_mark,
            f"YAML tag {short_tag(event.tag)} is not allowed: manifests hold plain values "
            "(text, numbers, true/false, lists and mappings) without tags",
        )

    # -- where values go -------------------------------------------------------------------

    def child_path(self, parent: _Frame | None) -> Path | None:
        """Path of the next value in ``parent`` if positions are recorded that deep."""
        if parent is None:
            return ()
        path = parent.path
        if path is None or len(path) >= 2:
            return None
        if parent.is_map:
            key = parent.key
            return (*path, key) if type(key) is str else None
        return (*path, len(parent.value))

    def record(self, parent: _Frame | None, start: Any) -> None:
        path = self.child_path(parent)
        if path is not None and self.doc is not None:
            key = parent.key_mark if parent is not None and parent.is_map else None
            self.doc.positions[path] = Position(
                _mark(key) if key is not None else None, _mark(start)
            )

    def finish(self, value: Any, size: int, anchor: str | None) -> None:
        """A complete value: register its anchor and put it in its parent."""
        if anchor is not None:
            self.anchors[anchor] = (value, size)
            self.anchor_chars.pop(anchor, None)
        if not self.stack:
            assert self.doc is not None
            self.doc.value = value
            return
        parent = self.stack[-1]
        parent.size += size
        if not parent.is_map:
            parent.value.append(value)
            return
        key = parent.key
        if type(key) is str:
            parent.value[key] = value
            parent.key = _NO_KEY
        elif key is _MERGE:
            parent.merges.append((value, parent.key_mark))
            parent.key = _NO_KEY
        elif key is _KEY_BUILDING:
            parent.key = _BAD_KEY
        else:
            parent.key = _NO_KEY  # the value of a dropped key

    def complex_key(self, frame: _Frame, event: Any) -> None:
        frame.key_mark = event.start_mark
        self.problem(
            event.start_mark, "mapping keys must be plain names, not lists, mappings or aliases"
        )
        frame.key = _KEY_BUILDING

    # -- events ----------------------------------------------------------------------------

    def scalar(self, event: Any) -> None:
        self.values += 1
        stack = self.stack
        frame = stack[-1] if stack else None
        if frame is not None and frame.is_map and frame.key is _NO_KEY:
            self.key(frame, event)
            return
        tag = event.tag
        if tag is None:
            text = event.value
            value = resolve_plain(text) if event.implicit[0] else text
        else:
            value = self.tagged(event)
        if frame is None or frame.path is not None:
            self.record(frame, event.start_mark)
        if frame is None or event.anchor is not None or not frame.is_map:
            self.finish(value, 1, event.anchor)
            return
        key = frame.key
        if type(key) is str:  # the common case, kept short
            frame.value[key] = value
            frame.key = _NO_KEY
            frame.size += 1
        else:
            self.finish(value, 1, None)

    def tagged(self, event: Any) -> Any:
        tag: str = event.tag
        text: str = event.value
        if tag in PLAIN_TAGS:
            return text
        wanted = tag[len(CORE_TAG) :] if tag.startswith(CORE_TAG) else ""
        if wanted in TYPED_TAGS:
            value, fits = typed(text, wanted)
            if fits:
                return value
            self.problem(event.start_mark, f"{text!r} is not a valid !!{wanted} value")
            return text
        self.bad_tag(event)
        return text

    def key(self, frame: _Frame, event: Any) -> None:
        tag = event.tag
        if tag is not None and tag != "!" and tag != STR_TAG:
            self.bad_tag(event)
        text: str = event.value
        mark = event.start_mark
        frame.key_mark = mark
        if text == "<<" and tag is None and event.implicit[0]:
            frame.key = _MERGE
            return
        first = frame.first_keys.get(text)
        if first is not None:
            self.problem(
                mark,
                f"duplicate key {text!r} in this mapping (first at line {first.line + 1}); "
                "YAML would silently keep only the last one",
            )
        else:
            frame.first_keys[text] = mark
        frame.key = text

    def open(self, event: Any, is_map: bool) -> None:
        self.values += 1
        if self.values > MAX_VALUES:
            self.problem(
                event.start_mark, f"the file holds more than {MAX_VALUES:,} values; split it up"
            )
            raise _Stop
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.is_map and parent.key is _NO_KEY:
            self.complex_key(parent, event)
        path = self.child_path(parent)
        if path is not None:
            self.record(parent, event.start_mark)
        if len(self.stack) >= MAX_DEPTH:
            self.problem(event.start_mark, f"values are nested deeper than {MAX_DEPTH} levels")
            raise _Stop
        if event.tag is not None and event.tag not in PLAIN_TAGS:
            self.bad_tag(event)
        self.stack.append(_Frame(is_map, path, event.anchor, event.start_mark))

    def close(self) -> None:
        frame = self.stack.pop()
        if frame.merges:
            self.merge(frame)
        self.finish(frame.value, frame.size, frame.anchor)

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

    def alias(self, event: Any) -> None:
        parent = self.stack[-1] if self.stack else None
        if parent is not None and parent.is_map and parent.key is _NO_KEY:
            self.complex_key(parent, event)
        self.record(parent, event.start_mark)
        found = self.anchors.get(event.anchor)
        if found is None:
            self.problem(
                event.start_mark,
                f"alias *{event.anchor} refers to no anchor &{event.anchor} written before it "
                "(or to a value that contains the alias itself)",
            )
            self.finish(None, 1, None)
            return
        value, size = found
        self.expanded += size
        self.values += size
        if self.expanded > MAX_ALIAS_EXPANSION or self.values > MAX_VALUES:
            self.problem(
                event.start_mark,
                f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values; "
                "this looks like an alias bomb",
            )
            raise _Stop
        chars = self.anchor_chars.get(event.anchor)
        if chars is None:
            chars = self.anchor_chars[event.anchor] = _text_chars(value)
        self.expanded_chars += chars
        if self.expanded_chars > MAX_ALIAS_CHARS:
            self.problem(
                event.start_mark,
                f"aliases repeat more than {MAX_ALIAS_CHARS // 2**20} MB of text; "
                "this looks like an alias bomb",
            )
            raise _Stop
        self.finish(value, size, None)


def _text_chars(value: Any) -> int:
    """Characters of text in a value (keys included); bounded by the values it holds,
    which the alias count bounds already."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(len(k) + _text_chars(v) for k, v in value.items())
    if isinstance(value, list):
        return sum(_text_chars(v) for v in value)
    return 1


def parse_yaml(text: str) -> ParsedFile:
    """All documents of ``text`` as plain values, with the problems found while reading."""
    result = ParsedFile()
    builder = _Builder(result)
    loader = _LOADER(text)
    get_event = loader.get_event
    scalar, open_, close, alias = builder.scalar, builder.open, builder.close, builder.alias
    index = 0
    try:
        while True:
            event = get_event()
            kind = type(event)
            if kind is _SCALAR:
                scalar(event)
            elif kind is _MAPPING_START:
                open_(event, True)
            elif kind is _MAPPING_END or kind is _SEQUENCE_END:
                close()
            elif kind is _SEQUENCE_START:
                open_(event, False)
            elif kind is _ALIAS:
                alias(event)
            elif kind is ev.DocumentStartEvent:
                if index >= MAX_DOCUMENTS:
                    builder.problem(
                        event.start_mark,
                        f"the file holds more than {MAX_DOCUMENTS:,} documents; split it up",
                    )
                    raise _Stop
                builder.doc = ParsedDocument(index, None, _mark(event.start_mark))
                builder.stack.clear()
                builder.anchors.clear()
                builder.anchor_chars.clear()
            elif kind is ev.DocumentEndEvent:
                assert builder.doc is not None
                result.documents.append(builder.doc)
                builder.doc = None
                index += 1
            elif kind is ev.StreamEndEvent or event is None:
                break
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
