"""What ERP and quote connections share in their carriers: scope and configuration values,
both ways, and the connection header's description (which also keeps ``secretsVersion``)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, cast

from quotesync_gitops.kinds.base import ScopeSpec, SecretsVersionSpec, text
from quotesync_gitops.model import FieldInfo, Resource
from quotesync_gitops.secrets import UNREADABLE, Secret, Unreadable, reveal
from quotesync_gitops.secrets_version import join_description, split_description

#: A connection's config value: a string, a secret from ``${env:}``, or (live) a set
#: Password field the CRM does not hand back.
ConfigValue = str | Secret | Unreadable


class DescriptionSpec(SecretsVersionSpec):
    """A connection header's description, and the secretsVersion it records."""

    description: str


def config_of(resource: Resource) -> Mapping[str, ConfigValue]:
    """The config values of an ErpConnection or a QuoteConnection (both kinds' specs hold
    ``config``, of this one type)."""
    # Both kinds' canonical() and carriers build "config" as a dict of ConfigValues.
    return cast(Mapping[str, ConfigValue], resource.spec.get("config", {}))


def scope_of(resource: Resource) -> ScopeSpec:
    """The scope of an ErpConnection or a QuoteConnection (both kinds' specs hold it)."""
    # Both kinds' canonical() (kinds.base.scope) and carriers build "scope" as a ScopeSpec.
    return cast(ScopeSpec, resource.spec.get("scope", {}))


#: What the CRM answers instead of a stored Password value (and takes as "keep it").
PASSWORD_MASK = "********"


def config_to_carrier(
    config: Mapping[str, ConfigValue | None],
    *,
    keep_passwords: bool,
    password_keys: Collection[str] = (),
) -> dict[str, str]:
    """Request-ready config. keep_passwords sends the mask for the connector's Password
    fields (``password_keys``), which tells the CRM to keep the stored password: used when
    the configuration itself is not being changed. Any other field is sent as its value,
    even a secret one (from ``${env:}``): the CRM would store the mask in a Text field."""
    out: dict[str, str] = {}
    for key, value in config.items():
        if value is UNREADABLE or (keep_passwords and key in password_keys):
            out[key] = PASSWORD_MASK
        elif isinstance(value, Secret):
            out[key] = value.reveal()
        else:
            out[key] = "" if value is None else str(value)
    return out


def config_from_carrier(
    values: Mapping[str, object], fields: Mapping[str, FieldInfo]
) -> dict[str, ConfigValue]:
    """Config values as strings; a set Password field becomes UNREADABLE."""
    out: dict[str, ConfigValue] = {}
    for key, value in values.items():
        info = fields.get(key)
        raw = text(value)
        if info is not None and info.write_only and raw:
            out[key] = UNREADABLE
        else:
            out[key] = raw
    return out


def scope_to_carrier(
    scope: ScopeSpec, users: Mapping[str, int], groups: Mapping[str, int]
) -> dict[str, Any]:
    """AllAccess and the access id lists (``users``/``groups``: name → id)."""
    all_users = bool(scope.get("allUsers", True))
    return {
        "AllAccess": all_users,
        "AssociateAccessIds": [] if all_users else [users[u] for u in scope.get("users", [])],
        "UserGroupAccessIds": [] if all_users else [groups[g] for g in scope.get("groups", [])],
    }


def scope_from_carrier(
    carrier: Mapping[str, Any], users: Mapping[int, str], groups: Mapping[int, str]
) -> ScopeSpec:
    """Canonical scope (``users``/``groups``: id → name; an unknown id reads ``#id``)."""
    all_access = bool(carrier.get("AllAccess", False))
    user_ids = carrier.get("AssociateAccessIds") or []
    group_ids = carrier.get("UserGroupAccessIds") or []
    return {
        "allUsers": all_access,
        "users": [] if all_access else sorted(users.get(i, f"#{i}") for i in user_ids),
        "groups": [] if all_access else sorted(groups.get(i, f"#{i}") for i in group_ids),
    }


def description_to_carrier(spec: DescriptionSpec) -> str:
    """DisplayDescription: the description, with the secretsVersion it records."""
    return join_description(str(reveal(spec.get("description", ""))), spec.get("secretsVersion"))


def description_from_carrier(carrier: Mapping[str, Any]) -> DescriptionSpec:
    """``description`` and, when the CRM records one, ``secretsVersion``."""
    description, version = split_description(text(carrier.get("DisplayDescription")))
    out: DescriptionSpec = {"description": description}
    if version is not None:
        out["secretsVersion"] = version
    return out
    return {"description": description, **({} if version is None else {"secretsVersion": version})}


def test_config(resource: Resource) -> dict[str, str]:
    """Request-ready config for a connection test: every value as it would be saved (secrets
    revealed); a password the CRM keeps but will not hand back is left out."""
    config = config_of(resource)
    known = {k: v for k, v in config.items() if v is not UNREADABLE}
    return config_to_carrier(known, keep_passwords=False)
