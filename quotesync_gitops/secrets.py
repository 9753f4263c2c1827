"""Sensitive values: a wrapper that cannot be printed or serialised by accident.

Everything that may hold a credential (``${env:}``/``${file:}`` values and values of
connector fields declared as ``Password``) is a :class:`Secret`. ``str()``/``repr()``/
``format()`` all give ``(sensitive)``; only :meth:`Secret.reveal` yields the value, and
only the code that builds request bodies calls it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final, overload

MASK: Final = "(sensitive)"

#: Every sensitive value this process has held (Secrets, what the client redacts): the crash
#: handler redacts them from an unexpected exception's message and traceback, which may
#: quote any value at all. Values only grow; the process holds them in memory anyway.
_SENSITIVE: set[str] = set()


def remember_sensitive(values: Iterable[str]) -> None:
    """Note values that must never be shown, wherever they may turn up later."""
    _SENSITIVE.update(v for v in values if v)


def sensitive_values() -> frozenset[str]:
    """Everything :func:`remember_sensitive` and every :class:`Secret` noted so far."""
    return frozenset(_SENSITIVE)


class Secret:
    """A sensitive string. Compares by value; shows only ``(sensitive)``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        if value:
            _SENSITIVE.add(value)

    def reveal(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK

    __repr__ = __str__

    def __format__(self, spec: str) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:  # pickling would write the value somewhere
        raise TypeError("a Secret cannot be pickled")


class _Unreadable:
    """The CRM holds a value it will not hand back (a Password field that is set)."""

    _instance: _Unreadable | None = None

    def __new__(cls) -> _Unreadable:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "(set, not readable)"

    __str__ = __repr__


UNREADABLE: Final = _Unreadable()
#: The type of :data:`UNREADABLE`, for specs that may hold it (live config values).
Unreadable = _Unreadable


def reveal(value: Any) -> Any:
    """Deeply replace Secrets by their values: only for building request bodies."""
    if isinstance(value, Secret):
        return value.reveal()
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


#: Types that hold no Secret: a container of only these is not walked item by item.
_PLAIN_TYPES: Final = frozenset({str, int, float, bool, type(None)})


def secret_values(value: object) -> list[str]:
    """Every secret's value inside ``value`` (deeply): what a client must hide from echoes."""
    found: list[str] = []
    _collect_secrets(value, found)
    return found


def _collect_secrets(value: object, found: list[str]) -> None:
    if isinstance(value, Secret):
        found.append(value.reveal())
        return
    if isinstance(value, dict):
        items: Iterable[Any] = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return
    # A flat container (a product's fields: strings and numbers) is decided in one C-level
    # pass over its items' types; a price list of 100,000 products is walked in ~0.1 s.
    if _PLAIN_TYPES.issuperset(map(type, items)):
        return
    for item in items:
        _collect_secrets(item, found)


def mask(value: object) -> object:
    """Deeply replace Secrets (and UNREADABLE) by display strings: safe to print or save."""
    if isinstance(value, Secret):
        return MASK
    if value is UNREADABLE:
        return MASK
    if isinstance(value, dict):
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask(v) for v in value]
    return value


@overload
def plain(value: Secret) -> str: ...
@overload
def plain(value: object) -> object: ...
def plain(value: object) -> object:
    """For comparison only: a Secret equals the plain string it holds."""
    return value.reveal() if isinstance(value, Secret) else value


def is_sensitive(value: object) -> bool:
    return isinstance(value, Secret) or value is UNREADABLE
