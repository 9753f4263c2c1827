"""Request, response and error shapes shared by the endpoint modules.

SuperOffice answers failures in two ways, and so does the emulator:
- agents (``/api/v1/Agents/...``) answer 200 with ``null`` or with ``{"Message", "MessageDetail"}``
  (``AgentMessage``);
- REST resources and the HTTP layer answer a status code with
  ``{"Error": true, "ErrorType", "ErrorMessage"}`` (``HttpError``).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from quotesync_gitops.emulator.binding import JsonObject, json_object_hook

#: Column limits of the CRM (GUIDE: names/descriptions 254, config values and URLs 1023).
MAX_NAME = 254
MAX_VALUE = 1023
PASSWORD_MASK = "********"


class HttpError(Exception):
    """Answer with a status code and a REST error body."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"Error": True, "ErrorType": self.error_type, "ErrorMessage": self.message}


def bad_request(message: str) -> HttpError:
    return HttpError(400, "BadRequest", message)


def not_found(message: str) -> HttpError:
    return HttpError(404, "NotFound", message)


class AgentMessage(Exception):
    """A rule violation answered the agent way: 200 with ``{"Message", "MessageDetail"}``."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def body(self) -> dict[str, Any]:
        return {"Message": self.message, "MessageDetail": self.detail}


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


INT32 = range(-(2**31), 2**31)


@dataclass(frozen=True)
class Request:
    """A request as the handlers see it."""

    method: str
    path: str
    query: Mapping[str, str]  # keys lower-cased: SuperOffice treats them case-insensitively
    headers: Mapping[str, str]  # keys lower-cased
    body: bytes
    base_url: str

    def param(self, name: str) -> str | None:
        return self.query.get(name.lower())

    def int_param(self, name: str) -> int | None:
        """A 32-bit integer from the query string (``?priceListId=3``); None when absent."""
        raw = self.param(name)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError as exc:
            raise bad_request(f"'{name}' must be an integer.") from exc
        if value not in INT32:
            raise bad_request(f"'{name}' is out of range for a 32-bit integer.")
        return value

    def json(self) -> Any:
        """The parsed JSON body; an empty body reads as ``None``. Malformed JSON is a 400.

        Every object in it is a ``JsonObject``: property names bind without regard to case.
        """
        if not self.body.strip():
            return None
        try:
            return json.loads(
                self.body.decode("utf-8"),
                parse_constant=_no_constant,
                object_pairs_hook=json_object_hook,
            )
        except (UnicodeDecodeError, ValueError) as exc:
            raise bad_request(f"The request body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise bad_request("The request body is nested too deeply.") from exc

    def json_object(self) -> JsonObject:
        """The body as a JSON object (agents take one); empty or ``null`` reads as ``{}``."""
        data = self.json()
        if data is None:
            return JsonObject()
        if not isinstance(data, JsonObject):
            raise bad_request("The request body must be a JSON object.")
        return data


@dataclass(frozen=True)
class Response:
    """An answer: status, JSON body (``has_body`` False: none at all) and extra headers."""

    status: int = 200
    body: Any = None
    has_body: bool = True
    headers: tuple[tuple[str, str], ...] = ()


NO_CONTENT = Response(status=204, has_body=False)


def ok(body: Any) -> Response:
    return Response(200, body)


@dataclass(frozen=True)
class Call:
    """What a handler gets: the request, its path parameters and the open transaction."""

    request: Request
    db: sqlite3.Connection
    params: Mapping[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Response]


@dataclass(frozen=True)
class Route:
    """A route whose ``{name}`` segments become path parameters; matching ignores case."""

    method: str
    template: str  # e.g. /api/v1/Pricelist/{id}
    handler: Handler
    writes: bool

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """Compiled on first use: a process serves a few of the hundred routes."""
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        return re.compile(f"^{regex}/?$", re.IGNORECASE)

    def match(self, path: str) -> re.Match[str] | None:
        # A template without parameters matches only paths of its length, one "/" or one
        # "\n" ($) longer (IGNORECASE matches a character to one character): no need to
        # compile the other routes' patterns to know they do not match.
        if "{" not in self.template and not 0 <= len(path) - len(self.template) <= 2:
            return None
        return self.pattern.match(path)


def route(method: str, template: str, handler: Handler, *, writes: bool) -> Route:
    return Route(method, template, handler, writes)


def _prefix(path: str) -> tuple[str, ...]:
    return tuple(path.lower().split("/")[:4])  # "", "api", "v1", "product"


class RouteIndex:
    """The routes by their first three segments, so a request tries only those that can
    match it. A pattern matches only a path starting with its literal segments (ignoring
    case); a path with other than ASCII (whose case folding a pattern may match otherwise)
    or with a newline (``$`` matches before one) tries every route, and so does every
    path when a template has a parameter or its end within its first three segments."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        index: dict[tuple[str, ...], list[Route]] = {}
        for r in routes:
            index.setdefault(_prefix(r.template), []).append(r)
        usable = all(len(k) == 4 and k[3] and not any("{" in p for p in k) for k in index)
        self._index = index if usable else None

    def candidates(self, path: str) -> list[Route]:
        """The routes that can match ``path``, in the routes' order."""
        if self._index is None or not path.isascii() or "\n" in path:
            return self.routes
        return self._index.get(_prefix(path), [])


def agent_routes(agent: str, methods: Mapping[str, tuple[Handler, bool]]) -> list[Route]:
    """``POST /api/v1/Agents/<agent>/<Method>`` for each (handler, writes) entry."""
    return [
        route("POST", f"/api/v1/Agents/{agent}/{name}", handler, writes=writes)
        for name, (handler, writes) in methods.items()
    ]


# --- typed access to JSON bodies (wrong types are a 400, as model binding would give) ---------


def _named(data: Mapping[str, Any], key: str) -> str:
    """How an error answer names a property: as documented, and as sent when that differs."""
    sent = data.sent_as(key) if isinstance(data, JsonObject) else key
    return f"'{key}'" if sent == key else f"'{key}' (sent as '{sent}')"


def get_int(data: Mapping[str, Any], key: str, default: int = 0) -> int:
    value = data.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise bad_request(f"{_named(data, key)} must be an integer.")
    if int(value) not in INT32:
        raise bad_request(f"{_named(data, key)} is out of range for a 32-bit integer.")
    return int(value)


def get_str(data: Mapping[str, Any], key: str, default: str = "") -> str:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, str):
        raise bad_request(f"{_named(data, key)} must be a string.")
    return value


def get_bool(data: Mapping[str, Any], key: str, default: bool = False) -> bool:
    value = data.get(key)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise bad_request(f"{_named(data, key)} must be true or false.")
    return value


def get_object(data: Mapping[str, Any], key: str) -> dict[str, Any] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise bad_request(f"{_named(data, key)} must be an object.")
    return value


def get_list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_request(f"{_named(data, key)} must be an array.")
    return value


def get_int_list(data: Mapping[str, Any], key: str) -> list[int]:
    items = get_list(data, key)
    if any(isinstance(i, bool) or not isinstance(i, int) or i not in INT32 for i in items):
        raise bad_request(f"{_named(data, key)} must be an array of 32-bit integers.")
    return [int(i) for i in items]


def get_str_dict(data: Mapping[str, Any], key: str) -> dict[str, str] | None:
    value = get_object(data, key)
    if value is None:
        return None
    if any(not isinstance(v, str) for v in value.values()):
        raise bad_request(f"{_named(data, key)} values must be strings.")
    return {str(k): str(v) for k, v in value.items()}


def check_length(label: str, value: str, limit: int = MAX_NAME) -> None:
    """Reject a value longer than its column (the agent way: a Message body)."""
    if len(value) > limit:
        raise AgentMessage(
            f"{label} is too long ({len(value)} characters; at most {limit}).",
            f"The CRM stores {label} in a column of {limit} characters.",
        )
