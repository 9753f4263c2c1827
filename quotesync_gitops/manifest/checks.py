"""Rules inside one document that a JSON Schema cannot say: repeats, references within the
spec, real dates and currencies.

Every check tolerates values of the wrong type (the schema check reports those), so all
problems of a document are found in one run.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from quotesync_gitops.manifest.currencies import CURRENCY_CODES
from quotesync_gitops.manifest.problems import Problems, Where
from quotesync_gitops.manifest.wording import closest
from quotesync_gitops.model import Kind


def check_spec(kind: str, spec: Any, where: Where, problems: Problems) -> None:
    if not isinstance(spec, dict):
        return
    checker = _CHECKS.get(kind)
    if checker is not None:
        checker(spec, where, problems)


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    if not isinstance(value, list):
        return []
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)]


def _once(
    items: list[tuple[int, Any]],
    where: Callable[[int], Where],
    problems: Problems,
    template: str,
) -> dict[str, int]:
    """Report every value seen before, at the repeat; ``template`` has ``{value}`` and
    ``{first}`` (where the first one is). Returns value → index of its first entry."""
    first: dict[str, int] = {}
    for index, value in items:
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        key = str(value)
        if key in first:
            message = template.replace("{value}", repr(key))
            problems.at(where(index), message, first=where(first[key]))
        else:
            first[key] = index
    return first


def _listed(values: Any) -> list[tuple[int, Any]]:
    return list(enumerate(values)) if isinstance(values, list) else []


def check_scope(scope: Any, where: Where, problems: Problems) -> None:
    if not isinstance(scope, dict):
        return
    for part in ("users", "groups"):
        _once(
            _listed(scope.get(part)),
            partial(_item, where, part),
            problems,
            f"{{value}} is listed twice in scope.{part} (first at {{first}})",
        )
    if scope.get("allUsers") is True and (scope.get("users") or scope.get("groups")):
        problems.at(
            where.child("allUsers"),
            "scope.allUsers is true, which gives every user access, but users or groups are "
            "also listed; remove them, or set allUsers to false to limit access to them",
        )


def _item(where: Where, *path_and_index: str | int) -> Where:
    return where.child(*path_and_index)


def _field_of(where: Where, section: str, key: str, index: int) -> Where:
    return where.child(section, index, key)


def _erp_connection(spec: dict[str, Any], where: Where, problems: Problems) -> None:
    check_scope(spec.get("scope"), where.child("scope"), problems)
    actors = spec.get("actors")
    mapped: dict[str, dict[str, int]] = {}
    if isinstance(actors, dict):
        for actor, settings in actors.items():
            if isinstance(settings, dict):
                mapped[actor] = _actor(actor, settings, where.child("actors", actor), problems)
    _list_mappings(spec.get("listMappings"), mapped, where.child("listMappings"), problems)


def _actor(
    actor: str, settings: dict[str, Any], where: Where, problems: Problems
) -> dict[str, int]:
    mappings = _entries(settings.get("mappings"))
    mapped = _once(
        [(i, m.get("erpField")) for i, m in mappings],
        partial(_field_of, where, "mappings", "erpField"),
        problems,
        f"ERP field {{value}} is mapped twice in {actor} (first at {{first}})",
    )
    _once(
        [(i, d.get("erpField")) for i, d in _entries(settings.get("defaults"))],
        partial(_field_of, where, "defaults", "erpField"),
        problems,
        f"ERP field {{value}} has two default values in {actor} (first at {{first}})",
    )
    order = _listed(settings.get("fieldOrder"))
    _once(
        order,
        partial(_item, where, "fieldOrder"),
        problems,
        f"{{value}} is listed twice in {actor}.fieldOrder (first at {{first}})",
    )
    for index, name in order:
        if isinstance(name, str) and name not in mapped:
            near = closest(name, list(mapped))
            hint = f"; did you mean {near!r}?" if near else ""
            problems.at(
                where.child("fieldOrder", index),
                f"fieldOrder names {name!r}, which is not mapped in {actor}.mappings; "
                f"only mapped fields can be ordered{hint}",
            )
    return mapped


def _list_mappings(
    value: Any, mapped: Mapping[str, Mapping[str, int]], where: Where, problems: Problems
) -> None:
    seen: dict[tuple[str, str], int] = {}
    for index, entry in _entries(value):
        actor, field = entry.get("actor"), entry.get("erpField")
        here = where.child(index)
        if isinstance(actor, str) and isinstance(field, str):
            if (actor, field) in seen:
                problems.at(
                    here.child("erpField"),
                    f"{actor}/{field} has two list mappings (first at {{first}}); put all its "
                    "items in one",
                    first=where.child(seen[(actor, field)], "erpField"),
                )
            else:
                seen[(actor, field)] = index
            if actor not in mapped:
                problems.at(
                    here.child("actor"),
                    f"list mapping for actor {actor!r}, which is not configured under "
                    f"spec.actors; configure {actor} and map {field!r} there",
                )
            elif field not in mapped[actor]:
                problems.at(
                    here.child("erpField"),
                    f"list mapping for {actor}/{field}, but {field!r} is not mapped in "
                    f"{actor}.mappings; list mappings need a mapped field",
                )
        _once(
            [(i, item.get("erpItem")) for i, item in _entries(entry.get("items"))],
            partial(_field_of, here, "items", "erpItem"),
            problems,
            "ERP list item {value} is mapped twice in this list mapping (first at {first}); "
            "each ERP list item maps to one CRM list item",
        )


def _quote_connection(spec: dict[str, Any], where: Where, problems: Problems) -> None:
    check_scope(spec.get("scope"), where.child("scope"), problems)


def _sync_settings(spec: dict[str, Any], where: Where, problems: Problems) -> None:
    _once(
        _listed(spec.get("priority")),
        partial(_item, where, "priority"),
        problems,
        "{value} appears twice in the priority list (first at {first})",
    )
    if spec.get("interval") == "00:00:00":
        problems.at(where.child("interval"), "interval must be longer than 00:00:00")


def _price_list(spec: dict[str, Any], where: Where, problems: Problems) -> None:
    currency = spec.get("currency")
    known_form = isinstance(currency, str) and len(currency) == 3 and currency.isupper()
    if known_form and currency not in CURRENCY_CODES:
        problems.at(
            where.child("currency"),
            f"{currency!r} is not an ISO 4217 currency code; use a code such as NOK, SEK, "
            "DKK, EUR, GBP or USD",
        )
    dates: dict[str, dt.date] = {}
    for name in ("validFrom", "validTo"):
        value = spec.get(name)
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                dates[name] = dt.date.fromisoformat(value)
            except ValueError:
                problems.at(where.child(name), f"{name} {value!r} is not a real date")
    if len(dates) == 2 and dates["validFrom"] > dates["validTo"]:
        problems.at(
            where.child("validTo"),
            f"validTo ({dates['validTo']}) is before validFrom ({dates['validFrom']}); the "
            "price list would never be valid",
        )


def _repository_settings(spec: dict[str, Any], where: Where, problems: Problems) -> None:
    guards = spec.get("guards")
    if isinstance(guards, dict):
        for name, value in guards.items():
            if isinstance(value, float) and not math.isfinite(value):
                problems.at(where.child("guards", name), f"guards.{name} must be a finite number")
    _once(
        _listed(spec.get("prune")),
        partial(_item, where, "prune"),
        problems,
        "{value} is listed twice in prune (first at {first})",
    )
    acknowledged = spec.get("acknowledgeUnmanaged")
    entries = [
        (i, f"{a.get('kind')}/{a.get('name')}")
        for i, a in _listed(acknowledged)
        if isinstance(a, dict) and isinstance(a.get("kind"), str) and isinstance(a.get("name"), str)
    ]
    _once(
        entries,
        partial(_item, where, "acknowledgeUnmanaged"),
        problems,
        "{value} is listed twice in acknowledgeUnmanaged (first at {first})",
    )


_CHECKS: dict[str, Callable[[dict[str, Any], Where, Problems], None]] = {
    Kind.ERP_CONNECTION: _erp_connection,
    Kind.QUOTE_CONNECTION: _quote_connection,
    Kind.SYNC_SETTINGS: _sync_settings,
    Kind.PRICE_LIST: _price_list,
    Kind.REPOSITORY_SETTINGS: _repository_settings,
}
