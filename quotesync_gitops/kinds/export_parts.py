"""What each kind's ``export()`` (live canonical spec → manifest spec) shares.

A kind's export is the inverse of its ``canonical()``: what it writes loads back to the
canonical spec it was given. A value is left out only when the loader (or plan, for
connector config defaults) would fill in that very value. ``export/`` dispatches through
``KINDS`` and turns the result into YAML; the markers below (:class:`Flow`,
:class:`FlowList`, :class:`EnvReference`) tell its writer how a value is to be written, so
they live here, below both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from quotesync_gitops.kinds.base import ScopeSpec, Spec
from quotesync_gitops.kinds.connection_parts import PASSWORD_MASK, ConfigValue
from quotesync_gitops.model import FieldInfo, LiveContext, Resource
from quotesync_gitops.secrets import UNREADABLE


class Flow(dict[str, object]):
    """A mapping written on one line: ``{erpField: name, crmField: contact.name}``."""


class FlowList(list[object]):
    """A list written on one line: ``[ANNA, BJORN]``."""


class EnvReference(str):
    """A value that is meant to be a reference (``${env:NAME}``): never escaped."""

    @classmethod
    def env(cls, name: str) -> EnvReference:
        return cls("${env:" + name + "}")


@dataclass(frozen=True)
class ExportContext:
    live: LiveContext
    #: (kind, resource name, config field key) → environment variable name
    env_name: Callable[[str, str, str], str]


def is_hidden_secret(value: object, info: FieldInfo | None) -> bool:
    """A value not to write into a manifest: a set Password field (the CRM would not hand
    it back), or a set field whose key names a credential though the connector declares it
    as Text (the CRM hands it back in clear; it belongs in the environment, not in git).

    When the connector's fields are unknown (it could not be reached), the CRM's mask
    ``********`` is the only sign, and is taken as a password too.
    """
    if value is UNREADABLE:
        return True
    if info is not None:
        return info.secret and bool(value)
    return bool(value == PASSWORD_MASK)


def given(
    spec: Mapping[str, object],
    defaults: Mapping[str, object],
    keys: tuple[str, ...],
    *,
    always: tuple[str, ...] = (),
) -> Spec:
    """The values of ``keys`` (in that order) that differ from ``defaults`` (what the loader
    fills in when a manifest leaves them out: the kind's own ``canonical({})``, so the two
    cannot drift apart); ``always`` ones are written whatever their value."""
    return {k: spec[k] for k in keys if k in always or spec[k] != defaults[k]}


def written_secrets_version(spec: Mapping[str, object], out: Spec) -> None:
    """The version of the secrets the CRM has (see ``secrets_version.py``), when it has one."""
    if spec.get("secretsVersion") is not None:
        out["secretsVersion"] = spec["secretsVersion"]


def ordered(keys: Mapping[str, object], order: tuple[str, ...] | list[str]) -> list[str]:
    """``keys`` in the order given, the ones not in it last, by name."""
    rank = {name: index for index, name in enumerate(order)}
    return sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))


def written_scope(value: ScopeSpec, out: Spec) -> None:
    """Everyone (the default) is left out; nobody is ``{allUsers: false}``."""
    if value["allUsers"]:
        return
    written: Spec = {}
    if value["users"]:
        written["users"] = FlowList(value["users"])
    if value["groups"]:
        written["groups"] = FlowList(value["groups"])
    out["scope"] = written or Flow(allUsers=False)


def config(
    resource: Resource,
    values: Mapping[str, ConfigValue],
    fields: Mapping[str, FieldInfo],
    ctx: ExportContext,
    out: Spec,
) -> None:
    """Config in the connector's rank order; a value equal to the connector's default is left
    out (plan fills defaults in); a set password becomes an ``${env:}`` reference."""
    ranked = sorted(
        values, key=lambda k: (k not in fields, fields[k].rank if k in fields else 0, k)
    )
    written: Spec = {}
    for key in ranked:
        value = values[key]
        info = fields.get(key)
        if is_hidden_secret(value, info):
            written[key] = EnvReference.env(ctx.env_name(resource.kind, resource.name, key))
        elif info is not None and not info.secret and value == info.default:
            continue
        else:
            written[key] = value
    if written:
        out["config"] = written
