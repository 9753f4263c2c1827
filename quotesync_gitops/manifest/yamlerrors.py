"""libyaml's errors in the words and positions of a manifest diagnostic."""

from __future__ import annotations

import yaml

Mark = tuple[int, int]  # 1-based line, 1-based column


def _mark(m: yaml.Mark) -> Mark:
    return (m.line + 1, m.column + 1)


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
