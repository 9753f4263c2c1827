"""Collect every problem found, then turn them into file:line:col diagnostics in one go.

Most checks know a problem by its path in a document (``spec.actors.Customer.mappings[2]``);
their positions are looked up at the end, re-reading a file only when a path lies deeper
than the positions recorded on the first read.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import get_args

from quotesync_gitops.manifest.locate import DocPath, locate
from quotesync_gitops.manifest.yamlparse import Mark, ParsedDocument, Path, Position
from quotesync_gitops.manifest.yamlscalars import resolve_plain
from quotesync_gitops.model import Anchor, Diagnostic, Level, SourceRef

LEVELS: tuple[Level, ...] = get_args(Level)
ANCHORS: tuple[Anchor, ...] = get_args(Anchor)


def as_level(value: str) -> Level:
    """Text from outside the type system (a plugin, a test) as a Level."""
    for known in LEVELS:
        if value == known:
            return known
    raise ValueError(f"unknown problem level {value!r}; expected one of {', '.join(LEVELS)}")


def as_anchor(value: str) -> Anchor:
    """Text from outside the type system (a plugin, a test) as an Anchor."""
    for known in ANCHORS:
        if value == known:
            return known
    raise ValueError(f"unknown problem anchor {value!r}; expected one of {', '.join(ANCHORS)}")


def problem_summary(
    diagnostics: Sequence[Diagnostic], verdict: str = "the manifests are not valid"
) -> str:
    """The one wording of an error summary, for validate, plan, drift and apply alike:
    ``3 problems in 2 files; the manifests are not valid``."""
    errors = [d for d in diagnostics if d.level == "error"]
    files = len({d.source.file for d in errors})
    return (
        f"{len(errors)} {'problem' if len(errors) == 1 else 'problems'} in {files} "
        f"{'file' if files == 1 else 'files'}; {verdict}"
    )


@dataclass(frozen=True)
class Where:
    """A value in a manifest document: ``at`` picks its key or the value itself."""

    file: str
    doc: int
    path: Path
    at: Anchor = "value"

    def child(self, *more: str | int, at: Anchor = "value") -> Where:
        return Where(self.file, self.doc, self.path + more, at)

    def key(self) -> Where:
        return Where(self.file, self.doc, self.path, "key")


@dataclass(frozen=True)
class _Deferred:
    where: Where | SourceRef
    message: str
    first: Where | SourceRef | None
    level: Level


#: Problems kept for one run; the rest are counted and summed up in one last line.
MAX_PROBLEMS = 1000
#: Longest message kept, in UTF-8 bytes: a value quoted in a message is cut in the middle,
#: so a 1 MB string repeated by aliases cannot turn into gigabytes of output.
MAX_MESSAGE_BYTES = 2000
_HEAD_BYTES = 1400


def bounded(message: str, limit: int = MAX_MESSAGE_BYTES) -> str:
    """``message`` cut in the middle to at most about ``limit`` UTF-8 bytes."""
    data = message.encode("utf-8")
    if len(data) <= limit:
        return message
    head = data[: limit * _HEAD_BYTES // MAX_MESSAGE_BYTES].decode("utf-8", "ignore")
    tail = data[-(limit - len(head.encode("utf-8"))) :].decode("utf-8", "ignore")
    cut = len(data) - len(head.encode("utf-8")) - len(tail.encode("utf-8"))
    return f"{head}… ({cut:,} bytes not shown) …{tail}"


class Problems:
    def __init__(self) -> None:
        self._direct: list[Diagnostic] = []
        self._deferred: list[_Deferred] = []
        #: Problems reported past MAX_PROBLEMS: counted, not kept.
        self.dropped = 0

    def _room(self) -> bool:
        if len(self._direct) + len(self._deferred) < MAX_PROBLEMS:
            return True
        self.dropped += 1
        return False

    def add(self, source: SourceRef, message: str, level: Level = "error") -> None:
        if self._room():
            self._direct.append(Diagnostic(source, bounded(message), level))

    @property
    def count(self) -> int:
        """How many problems were reported so far (to tell whether a step added any)."""
        return len(self._direct) + len(self._deferred) + self.dropped

    def at(
        self,
        where: Where | SourceRef,
        message: str,
        *,
        first: Where | SourceRef | None = None,
        level: Level = "error",
    ) -> None:
        """A problem at ``where``; ``{first}`` in the message becomes the position of ``first``."""
        if self._room():
            self._deferred.append(_Deferred(where, bounded(message), first, level))

    def diagnostics(
        self,
        documents: Callable[[str], Sequence[ParsedDocument]],
        text: Callable[[str], str | None],
    ) -> list[Diagnostic]:
        """Every problem with its position, sorted by file, line and column, without repeats."""
        places = _Places(documents, text)
        for item in self._deferred:
            for where in (item.where, item.first):
                if isinstance(where, Where):
                    places.want(where)
        places.resolve()
        out = set(self._direct)
        for item in self._deferred:
            source = places.source(item.where) if isinstance(item.where, Where) else item.where
            message = item.message
            if item.first is not None:
                first = places.source(item.first) if isinstance(item.first, Where) else item.first
                shown = f"line {first.line}" if first.file == source.file else str(first)
                message = message.replace("{first}", shown)
            if _QUOTE_HINT.search(message):
                message = places.as_written(source, message)
            out.add(Diagnostic(source, message, item.level))
        found = sorted(out)
        if self.dropped:
            last = found[-1].source if found else SourceRef("<manifests>", 1, 1)
            found.append(
                Diagnostic(
                    last,
                    f"{self.dropped:,} more problems are not shown (at most {MAX_PROBLEMS:,} "
                    "are); fix the ones above first",
                )
            )
        return found


#: The hint of wording.type_hint, which knows the parsed value (42) but not its text (0042).
_QUOTE_HINT = re.compile(r'(; put it in quotes to make it text: )"([^"]*)"$')
_PLAIN_TOKEN = re.compile(r"[^\s,\[\]{}#]+")


class _Places:
    def __init__(
        self,
        documents: Callable[[str], Sequence[ParsedDocument]],
        text: Callable[[str], str | None],
    ) -> None:
        self._documents = documents
        self._text = text
        self._missing: dict[str, set[DocPath]] = defaultdict(set)
        self._found: dict[str, dict[DocPath, Position]] = defaultdict(dict)
        self._texts: dict[str, str] = {}

    def _doc(self, where: Where) -> ParsedDocument | None:
        docs = self._documents(where.file)
        return docs[where.doc] if 0 <= where.doc < len(docs) else None

    def want(self, where: Where) -> None:
        doc = self._doc(where)
        if doc is not None and where.path not in doc.positions:
            self._missing[where.file].add((where.doc, where.path))

    def resolve(self) -> None:
        for file, wanted in self._missing.items():
            content = self._text(file)
            if content is not None:
                self._found[file] = locate(content, wanted)

    def as_written(self, source: SourceRef, message: str) -> str:
        """The quote hint with the value as the manifest writes it (``"0042"``, not ``"42"``).

        Only the error path pays for this: the file is read again to see the scalar's text.
        """
        hint = _QUOTE_HINT.search(message)
        content = self._texts.get(source.file)
        if content is None:
            content = self._texts[source.file] = self._text(source.file) or ""
        lines = content.split("\n")
        if hint is None or not 0 < source.line <= len(lines):
            return message
        token = _PLAIN_TOKEN.match(lines[source.line - 1], max(source.column - 1, 0))
        if token is None:
            return message
        written = token.group(0)
        value = resolve_plain(written)
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        if isinstance(value, str) or value is None or shown != hint.group(2):
            return message
        return message[: hint.start()] + f'{hint.group(1)}"{written}"'

    def source(self, where: Where) -> SourceRef:
        doc = self._doc(where)
        if doc is None:
            return SourceRef(where.file, 1, 1)
        found = self._found.get(where.file, {})
        position = Position(None, doc.start)
        for end in range(len(where.path), -1, -1):
            prefix = where.path[:end]
            hit = doc.positions.get(prefix) or found.get((where.doc, prefix))
            if hit is not None:
                position = hit
                break
        mark: Mark = position.value
        if where.at == "key" and position.key is not None:
            mark = position.key
        return SourceRef(where.file, mark[0], mark[1])
