"""OData query options (``$top``, ``$skip``, ``$orderBy``, ``$filter``, ``$select``) as SQL.

``$filter`` understands comparisons (``eq ne gt ge lt le``), ``and``, ``or``, ``not``,
parentheses, string literals in single quotes (``''`` escapes a quote), numbers, ``true``/``false``,
the string operators ``contains`` and ``begins`` (SuperOffice style: ``Name begins 'A'``) and the
functions ``startswith(F,'x')``, ``endswith(F,'x')``, ``contains(F,'x')``, ``substringof('x',F)``.
Everything becomes a parameterised WHERE over real columns, so ``ProductId gt N`` with
``$orderBy=ProductId`` is an index range scan (keyset paging stays linear).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from quotesync_gitops.emulator.http import Request, bad_request
from quotesync_gitops.emulator.tables import Column, Table

PAGE_SIZE = 1000  # SuperOffice advises 1000 rows a page; larger $top values are capped

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<num>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][\w.]*)"
    r"|(?P<punct>[(),]))"
)
_COMPARE = {"eq": "=", "ne": "<>", "gt": ">", "ge": ">=", "lt": "<", "le": "<="}
_LIKE_OPS = {"contains": ("%", "%"), "begins": ("", "%")}
_FUNCTIONS = {"startswith": ("", "%"), "endswith": ("%", ""), "contains": ("%", "%")}


@dataclass(frozen=True)
class ODataQuery:
    """``$filter``, ``$orderBy``, ``$top``, ``$skip`` and ``$select`` as SQL."""

    where: str
    params: tuple[Any, ...]
    order_by: str
    top: int
    skip: int
    select: tuple[Column, ...]


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise bad_request(f"$filter: cannot read '{text[position:].strip()}'.")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _FilterParser:
    def __init__(self, table: Table, text: str) -> None:
        self.table = table
        self.tokens = _tokens(text)
        self.position = 0
        self.params: list[Any] = []

    def parse(self) -> str:
        sql = self._or()
        if self.position != len(self.tokens):
            raise bad_request(f"$filter: unexpected '{self.tokens[self.position][1]}'.")
        return sql

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise bad_request("$filter: the expression ends too early.")
        self.position += 1
        return token

    def _keyword(self, *words: str) -> str | None:
        token = self._peek()
        if token is not None and token[0] == "name" and token[1].lower() in words:
            self.position += 1
            return token[1].lower()
        return None

    def _expect(self, punct: str) -> None:
        if self._next() != ("punct", punct):
            raise bad_request(f"$filter: expected '{punct}'.")

    def _or(self) -> str:
        parts = [self._and()]
        while self._keyword("or"):
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._unary()]
        while self._keyword("and"):
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _unary(self) -> str:
        if self._keyword("not"):
            return f"NOT ({self._unary()})"
        token = self._peek()
        if token == ("punct", "("):
            self.position += 1
            inner = self._or()
            self._expect(")")
            return f"({inner})"
        if (
            token is not None
            and token[0] == "name"
            and token[1].lower() in (*_FUNCTIONS, "substringof")
        ):
            following = (
                self.tokens[self.position + 1] if self.position + 1 < len(self.tokens) else None
            )
            if following == ("punct", "("):
                return self._function()
        return self._comparison()

    def _column(self) -> Column:
        kind, name = self._next()
        column = self.table.by_carrier(name) if kind == "name" else None
        if column is None:
            raise bad_request(f"$filter: {self.table.unknown_field(name)}")
        return column

    def _literal(self, column: Column) -> Any:
        kind, text = self._next()
        if kind == "str":
            value: Any = text[1:-1].replace("''", "'")
        elif kind == "num":
            value = float(text) if "." in text else int(text)
            if isinstance(value, int) and not -(2**63) <= value < 2**63:
                value = float(value)  # beyond SQLite's integers; compares the same
        elif kind == "name" and text.lower() in ("true", "false"):
            value = text.lower() == "true"
        elif kind == "name" and text.lower() == "null":
            value = None
        else:
            raise bad_request(f"$filter: expected a value, not '{text}'.")
        if column.kind in ("int", "float") and isinstance(value, str):
            try:
                value = float(value) if column.kind == "float" else int(value)
            except ValueError as exc:
                raise bad_request(f"$filter: {column.carrier} takes a number.") from exc
        if column.kind == "bool" and isinstance(value, bool | int):
            value = int(bool(value))
        return value

    def _like(self, column: Column, value: Any, prefix: str, suffix: str) -> str:
        escaped = str(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        self.params.append(f"{prefix}{escaped}{suffix}")
        return f"{column.name} LIKE ? ESCAPE '\\'"

    def _comparison(self) -> str:
        column = self._column()
        kind, op = self._next()
        op = op.lower()
        if kind == "name" and op in _COMPARE:
            value = self._literal(column)
            if value is None:
                return f"{column.name} IS {'NOT ' if op == 'ne' else ''}NULL"
            self.params.append(value)
            return f"{column.name} {_COMPARE[op]} ?"
        if kind == "name" and op in _LIKE_OPS:
            return self._like(column, self._literal(column), *_LIKE_OPS[op])
        raise bad_request(f"$filter: unknown operator '{op}'.")

    def _function(self) -> str:
        name = self._next()[1].lower()
        self._expect("(")
        if name == "substringof":
            kind, text = self._next()
            if kind != "str":
                raise bad_request("$filter: substringof takes a string first.")
            self._expect(",")
            column = self._column()
            self._expect(")")
            return self._like(column, text[1:-1].replace("''", "'"), "%", "%")
        column = self._column()
        self._expect(",")
        value = self._literal(column)
        self._expect(")")
        return self._like(column, value, *_FUNCTIONS[name])


def _int_option(request: Request, name: str, default: int) -> int:
    raw = request.param(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise bad_request(f"{name} must be a whole number.") from exc
    if value < 0:
        raise bad_request(f"{name} must not be negative.")
    return min(value, 2**31 - 1)


def parse(request: Request, table: Table) -> ODataQuery:
    top = min(_int_option(request, "$top", PAGE_SIZE), PAGE_SIZE)
    skip = _int_option(request, "$skip", 0)
    where, params = "1 = 1", ()
    text = request.param("$filter")
    if text and text.strip():
        parser = _FilterParser(table, text)
        where, params = parser.parse(), tuple(parser.params)
    order_parts: list[str] = []
    for part in (request.param("$orderby") or "").split(","):
        words = part.split()
        if not words:
            continue
        column = table.by_carrier(words[0])
        direction = words[1].lower() if len(words) > 1 else "asc"
        if column is None or direction not in ("asc", "desc") or len(words) > 2:
            raise bad_request(f"$orderBy: cannot sort by '{part.strip()}'.")
        order_parts.append(f"{column.name} {direction.upper()}")
    if not any(p.startswith(f"{table.key.name} ") for p in order_parts):
        order_parts.append(f"{table.key.name} ASC")  # a stable order makes paging exact
    select: list[Column] = []
    for name in (request.param("$select") or "").split(","):
        if name.strip():
            column = table.by_carrier(name.strip())
            if column is None:
                raise bad_request(f"$select: {table.unknown_field(name.strip())}")
            select.append(column)
    return ODataQuery(
        where, params, ", ".join(order_parts), top, skip, tuple(select) or table.columns
    )


def next_link(request: Request, query: ODataQuery) -> str:
    """The same request for the following page."""
    options = {k: v for k, v in request.query.items() if k not in ("$skip", "$top")}
    options["$top"] = str(query.top)
    options["$skip"] = str(query.skip + query.top)
    return f"{request.base_url}{request.path}?{urlencode(options, quote_via=quote)}"
