"""Field-level comparison of two canonical specs.

Canonical specs (docs/design.md) are already normalised, so comparison is mostly plain
equality. The few places where "equal" needs a rule live here, each named:

* order that carries meaning is compared relatively (only the names the manifest lists);
* values the manifest leaves to the CRM (``None`` / empty, per kind: ``kinds.DiffRules``) are
  not compared;
* a secret the CRM will not hand back cannot be compared: it is counted, not planned.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from quotesync_gitops.kinds import rules_of
from quotesync_gitops.kinds.connection_parts import ConfigValue
from quotesync_gitops.model import SpecMap, SpecValue
from quotesync_gitops.plan.model import FieldChange
from quotesync_gitops.secrets import UNREADABLE, Secret, plain

#: Paths (last segment) whose list order carries meaning and is compared relatively.
ORDER_KEYS = frozenset({"fieldOrder", "priority"})


@dataclass
class DiffResult:
    """The field changes between a live and a desired spec."""

    changes: list[FieldChange] = field(default_factory=list)
    #: secrets that could not be compared because the CRM does not hand them back
    unreadable: list[str] = field(default_factory=list)


def diff_specs(
    kind: str,
    live: SpecMap,
    desired: SpecMap,
    skip: frozenset[str] = frozenset(),
) -> DiffResult:
    """Changes that turn ``live`` into ``desired`` (top-level keys in ``skip`` ignored)."""
    result = DiffResult()
    rules = rules_of(kind)
    server_filled = rules.server_filled
    partial = rules.partial
    given_only = rules.given_only
    for key in sorted(set(live) | set(desired)):
        if key in skip or (given_only and key not in desired):
            continue
        after = desired.get(key)
        if key in server_filled and after in (None, ""):
            continue
        _diff((key,), live.get(key), after, result, partial)
    return result


def _diff(
    steps: tuple[str, ...], before: SpecValue, after: SpecValue, out: DiffResult, partial: bool
) -> None:
    if steps[-1] in ORDER_KEYS and isinstance(after, list):
        _diff_order(steps, before, after, out)
        return
    if isinstance(after, Secret) and before is UNREADABLE:
        out.unreadable.append(".".join(steps))
        return
    if isinstance(after, Mapping) and isinstance(before, Mapping):
        keys = set(after) if partial else set(before) | set(after)
        for key in sorted(keys, key=str):
            _diff((*steps, str(key)), before.get(key), after.get(key), out, partial)
        return
    if partial and after is None:
        return
    if plain(before) != plain(after):
        out.changes.append(FieldChange(".".join(steps), before, after, steps))


def _diff_order(
    steps: tuple[str, ...], before: SpecValue, after: list[SpecValue], out: DiffResult
) -> None:
    """Compare only the relative order of the names the manifest lists ([] = unmanaged)."""
    if not after:
        return
    wanted = set(after)
    # the live side of an order key is a list of names too (canonical form)
    current = [name for name in (before if isinstance(before, list) else []) if name in wanted]
    if current != after:
        out.changes.append(FieldChange(".".join(steps), current, list(after), steps))


def is_order_only(changes: list[FieldChange]) -> bool:
    return bool(changes) and all((c.steps or (c.path,))[-1] in ORDER_KEYS for c in changes)


def with_config_defaults(
    config: Mapping[str, ConfigValue], defaults: Mapping[str, str]
) -> dict[str, ConfigValue]:
    """Config with every declared field present: a field left out takes its default."""
    full: dict[str, ConfigValue] = {key: value for key, value in defaults.items()}
    full.update(config)
    return full
