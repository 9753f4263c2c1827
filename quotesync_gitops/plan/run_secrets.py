"""Values of a plan that equal a secret of the manifests it was made from: shown masked.

A value the CRM hands back is plain text, even one an earlier apply wrote from an
``${env:}`` reference into a plain Text field, and any CRM value may happen to equal a
secret of these manifests. Every value of a plan that equals one of its own run's secrets
becomes a :class:`Secret` holding the same text, so text, Markdown, JSON, the plan file and
drift mask it (both sides of its field, as for any secret) while comparisons and writes,
which go through ``plain``/``reveal``, see the value as before.

The set is the plan's own, from its desired state: never a process-wide one (one process may
run many commands; a later command's innocent value must not be masked for an earlier one's
secret). Finding it walks every spec, 100,000 products included, so it is found only when
the plan holds a value that could be one: every Secret's value is among
:func:`secrets.sensitive_values` (a Secret notes its value when made, and cannot be copied),
so a plan none of whose values is among those holds no value equal to a secret of its run,
and is left as it is without the walk.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from quotesync_gitops.model import DesiredState
from quotesync_gitops.plan.model import Change, FieldChange, Plan
from quotesync_gitops.secrets import Secret, secret_values, sensitive_values


def run_secret_values(desired: DesiredState) -> frozenset[str]:
    """Every secret's value in the manifests of this run (empty values are no secret)."""
    return frozenset(
        value for resource in desired for value in secret_values(resource.spec) if value
    )


def hide_run_secrets(plan: Plan, desired: DesiredState) -> None:
    """Every value of ``plan`` equal to a secret of ``desired`` becomes a Secret (in place).
    The manifests are walked for their secrets only when some value could be one."""
    texts: set[str] = set()
    for change in plan.changes:
        _change_texts(change, texts)
    texts &= sensitive_values()  # the run's secrets are among these: see the module
    found = texts & run_secret_values(desired) if texts else texts
    if found:
        plan.changes = [_change(change, found) for change in plan.changes]


def _change_texts(change: Change, out: set[str]) -> None:
    """The text values :func:`_change` looks at (its fields' and its children's)."""
    for f in change.fields:
        _texts(f.before, out)
        _texts(f.after, out)
    for child in change.children:
        _change_texts(child, out)


def _texts(value: Any, out: set[str]) -> None:
    if isinstance(value, str):
        out.add(value)
    elif isinstance(value, dict):
        for item in value.values():
            _texts(item, out)
    elif isinstance(value, list | tuple):
        for item in value:
            _texts(item, out)


def _change(change: Change, secrets: Collection[str]) -> Change:
    """Its fields and its products' (a replace's ``retire`` fields are the tool's own values,
    which apply writes as they are: the old object's new name and state)."""
    return replace(
        change,
        fields=tuple(_field(f, secrets) for f in change.fields),
        children=tuple(_change(child, secrets) for child in change.children),
    )


def _field(change: FieldChange, secrets: Collection[str]) -> FieldChange:
    return replace(
        change, before=_hidden(change.before, secrets), after=_hidden(change.after, secrets)
    )


def _hidden(value: Any, secrets: Collection[str]) -> Any:
    if isinstance(value, str):
        return Secret(value) if value in secrets else value
    if isinstance(value, dict):
        return {key: _hidden(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [_hidden(item, secrets) for item in value]
    if isinstance(value, tuple):
        return tuple(_hidden(item, secrets) for item in value)
    return value
