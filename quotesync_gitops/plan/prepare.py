"""Bring desired and live specs onto common ground before they are compared.

Two things only the CRM knows decide how a manifest value must be read:

* which connector fields are ``Password`` fields (their values are secrets even when written
  literally in a manifest, and the CRM does not hand them back);
* which default a connector field has (a field the manifest leaves out takes its default).

The checks against what the CRM declares live in plan/crm_checks.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from quotesync_gitops.model import LiveContext, Resource
from quotesync_gitops.plan.crm_checks import connector_fields
from quotesync_gitops.plan.diff import with_config_defaults
from quotesync_gitops.secrets import Secret

__all__ = ["connector_fields", "prepare_desired", "prepare_live"]


def prepare_desired(resource: Resource, ctx: LiveContext) -> Resource:
    """Wrap Password values as secrets and fill config defaults from the connector."""
    fields = connector_fields(resource, ctx)
    if not fields:
        return resource
    config: dict[str, Any] = {}
    for key, value in dict(resource.spec.get("config", {})).items():
        info = fields.get(key)
        if info is not None and info.secret and isinstance(value, str) and value:
            value = Secret(value)
        config[key] = value
    defaults = {k: ("" if f.secret else f.default) for k, f in fields.items()}
    spec = dict(resource.spec)
    spec["config"] = with_config_defaults(config, defaults)
    return replace(resource, spec=spec)


def prepare_live(resource: Resource, ctx: LiveContext) -> Resource:
    """Live config with every declared field present (missing = its default)."""
    fields = connector_fields(resource, ctx)
    if not fields:
        return resource
    defaults = {k: ("" if f.secret else f.default) for k, f in fields.items()}
    spec = dict(resource.spec)
    spec["config"] = with_config_defaults(dict(resource.spec.get("config", {})), defaults)
    return replace(resource, spec=spec)
