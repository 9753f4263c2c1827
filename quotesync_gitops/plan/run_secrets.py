"""Values of a plan that equal a secret of the manifests it was made from: shown masked.

A value the CRM hands back is plain text, even one an earlier apply wrote from an
``${env:}`` reference into a plain Text field, and any CRM value may happen to equal a
secret of these manifests. Every value of a plan that equals one of its own run's secrets
becomes a :class:`Secret` holding the same text, so text, Markdown, JSON, the plan file and
drift mask it (both sides of its field, as for any secret) while comparisons and writes,
which go through ``plain``/``reveal``, see the value as before.

The set is the plan's own, from its desired state: never a process-wide one (one process may
run many commands; a later command's innocent value must not be masked for an earlier one's
secret).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from quotesync_gitops.model import DesiredState
from quotesync_gitops.plan.model import Change, FieldChange, Plan
from quotesync_gitops.secrets import Secret, secret_values


def run_secret_values(desired: DesiredState) -> frozenset[str]:
    """Every secret's value in the manifests of this run (empty values are no secret)."""
    return frozenset(
        value for resource in desired for value in secret_values(resource.spec) if value
    )


def hide_run_secrets(plan: Plan, secrets: Collection[str]) -> None:
    """Every value of ``plan`` equal to one of ``secrets`` becomes a Secret (in place)."""
    if secrets:
        plan.changes = [_change(change, secrets) for change in plan.changes]


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
