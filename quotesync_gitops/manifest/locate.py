"""Find where deep values are written, by reading a file's events a second time.

The first read records positions only near the top of each document (``yamlparse``); a
diagnostic about ``spec.products[4711].listPrice`` is located here, on demand, so valid
files never pay for positions they do not need. A path that cannot be followed (it runs
through an alias or a merge key) gets the position of its longest prefix that can.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml
from yaml import events as ev

from quotesync_gitops.manifest.yamlparse import _LOADER, Mark, Path, Position

DocPath = tuple[int, Path]


class _Frame:
    __slots__ = ("index", "is_map", "key", "key_mark", "path")

    def __init__(self, is_map: bool, path: Path | None) -> None:
        self.is_map = is_map
        self.path = path  # None: nothing wanted below this container
        self.index = 0
        self.key: str | bool | None = None  # None: waiting for a key; False: drop the value
        self.key_mark: Mark | None = None


def _mark(m: object) -> Mark:
    return (m.line + 1, m.column + 1)  # type: ignore[attr-defined]


def locate(text: str, wanted: Iterable[DocPath]) -> dict[DocPath, Position]:
    """Positions of the wanted (document index, path) pairs and of all their prefixes."""
    prefixes: set[DocPath] = set()
    for wanted_doc, wanted_path in wanted:
        for end in range(len(wanted_path) + 1):
            prefixes.add((wanted_doc, wanted_path[:end]))
    found: dict[DocPath, Position] = {}
    stack: list[_Frame] = []
    doc = -1
    path: Path | None
    loader = _LOADER(text)
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = type(event)
            if kind is ev.DocumentStartEvent:
                doc += 1
                stack.clear()
                continue
            if kind in (ev.StreamStartEvent, ev.StreamEndEvent, ev.DocumentEndEvent):
                continue
            if kind is ev.MappingEndEvent or kind is ev.SequenceEndEvent:
                stack.pop()
                _value_done(stack)
                continue
            parent = stack[-1] if stack else None
            if parent is not None and parent.is_map and parent.key is None:
                if kind is ev.ScalarEvent:
                    parent.key = event.value
                    parent.key_mark = _mark(event.start_mark)
                    continue
                parent.key = False  # complex key: read it, drop its value
                if not _open_if_container(stack, kind, None):
                    _value_done(stack)
                continue
            path = _child_path(parent)
            start = _mark(event.start_mark)
            if path is not None and (doc, path) in prefixes:
                key_mark = parent.key_mark if parent is not None and parent.is_map else None
                found[(doc, path)] = Position(key_mark, start)
            else:
                path = None
            if not _open_if_container(stack, kind, path):
                _value_done(stack)
    except yaml.YAMLError:
        pass  # the first read reported it; keep what was found before
    finally:
        dispose = getattr(loader, "dispose", None)
        if dispose is not None:
            dispose()
    return found


def _child_path(parent: _Frame | None) -> Path | None:
    if parent is None:
        return ()
    if parent.path is None:
        return None
    if parent.is_map:
        return (*parent.path, parent.key) if isinstance(parent.key, str) else None
    return (*parent.path, parent.index)


def _open_if_container(stack: list[_Frame], kind: type, path: Path | None) -> bool:
    if kind is ev.MappingStartEvent:
        stack.append(_Frame(True, path))
        return True
    if kind is ev.SequenceStartEvent:
        stack.append(_Frame(False, path))
        return True
    return False


def _value_done(stack: list[_Frame]) -> None:
    """A value (or a dropped complex key) is complete: advance its parent."""
    if not stack:
        return
    parent = stack[-1]
    if parent.is_map:
        if parent.key is False and parent.key_mark is None:
            parent.key_mark = (0, 0)  # the complex key itself ended; its value comes next
            return
        parent.key = None
        parent.key_mark = None
    else:
        parent.index += 1
