"""Plain words for paths, values and suggestions in diagnostics."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from quotesync_gitops.manifest.yamlparse import Path
from quotesync_gitops.suggest import closest

__all__ = ["closest", "dotted", "expected_types", "kind_of", "suggestion", "type_hint"]


def dotted(path: Path) -> str:
    """``("spec", "mappings", 2, "direction")`` → ``spec.mappings[2].direction``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "the document"


def suggestion(word: str, options: Iterable[str]) -> str:
    options = list(options)
    near = closest(word, options)
    if near is not None:
        return f"; did you mean {near!r}?"
    return f"; expected one of: {', '.join(options)}" if options else ""


def kind_of(value: Any) -> str:
    """What a value is, in words ("text", "a number", ...)."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return "text"  # a Secret


TYPE_WORDS = {
    "string": "text",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "object": "a mapping (key: value)",
    "array": "a list",
    "null": "empty",
}


def expected_types(types: str | list[str]) -> str:
    names = [types] if isinstance(types, str) else list(types)
    return " or ".join(TYPE_WORDS.get(t, t) for t in names)


def type_hint(value: Any, types: str | list[str], *, show_value: bool = True) -> str:
    """A tip for the usual YAML surprises behind a type error. Without ``show_value`` the
    value is not quoted back (it may be a password written as a number)."""
    names = [types] if isinstance(types, str) else list(types)
    if "string" in names and isinstance(value, bool | int | float):
        if not show_value:
            return "; put it in quotes to make it text"
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        return f'; put it in quotes to make it text: "{shown}"'
    yaml11_words = {"yes", "no", "on", "off", "y", "n"}
    if "boolean" in names and isinstance(value, str) and value.lower() in yaml11_words:
        return "; write true or false (yes/no/on/off are text in YAML 1.2)"
    if value is None:
        return "; write a value after the colon, or remove the line"
    return ""
