"""What the kinds' catalog checks (``KindDef.crm_checks``) share: a connection's connector,
config and scope against what the CRM declares, and how a value is shown in a message.

Every problem names the spec path of the offending key, in manifest form, and carries a
did-you-mean from the catalog; ``kinds/crm_checks.py`` turns them into ``SpecProblem``s.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Literal

from quotesync_gitops.kinds.base import Found, ScopeSpec
from quotesync_gitops.kinds.connection_parts import ConfigValue, config_of, scope_of
from quotesync_gitops.model import Anchor, FieldInfo, LiveContext, Match, Resource, SpecPath
from quotesync_gitops.secrets import is_sensitive, plain
from quotesync_gitops.suggest import did_you_mean


def connection_problems(
    resource: Resource,
    fields: Mapping[str, FieldInfo] | None,
    connectors: Mapping[str, object],
    ctx: LiveContext,
) -> Found:
    """A connection's connector (``fields``: its declared config fields, None when the CRM
    has no such connector; ``connectors``: those it has), its config and its scope."""
    spec = resource.spec
    connector = str(spec.get("connector", ""))
    if fields is None:
        hint = did_you_mean(connector, connectors, listing="installed connectors")
        yield ("connector",), f"the CRM has no connector named {connector!r}{hint}", "value"
    else:
        yield from _config(connector, config_of(resource), fields)
    yield from _scope(scope_of(resource), ctx)


def fixed_at_creation(resource: Resource, live: Resource | None) -> Found:
    """The CRM refuses to move a connection to another connector."""
    if live is None:
        return
    wanted, held = resource.spec.get("connector"), live.spec.get("connector")
    if held and wanted != held:
        yield (
            ("connector",),
            f"the connector of an existing connection cannot be changed (it is {held!r}); "
            "give the new connection another name and tombstone this one (deleted: true)",
            "value",
        )


_WHOLE = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_FLAGS = ("true", "false")


def _config(
    connector: str, config: Mapping[str, ConfigValue], fields: Mapping[str, FieldInfo]
) -> Found:
    for key in sorted(config):
        if key not in fields:
            hint = did_you_mean(key, fields, listing="its fields are")
            yield (
                ("config", key),
                f"connector {connector!r} has no configuration field {key!r}{hint}",
                "key",
            )
    for key, info in sorted(fields.items()):
        given = key in config
        value = config.get(key, info.default)
        clear = plain(value)
        text = clear if isinstance(clear, str) else ""
        where: SpecPath = ("config", key) if given else ("config",)
        at: Anchor = "value" if given else "key"
        if info.access == "Mandatory" and not text.strip():
            yield (
                where,
                f"configuration field {key!r} is mandatory for connector {connector!r} "
                "and has no value",
                at,
            )
            continue
        if not given or not text:
            continue
        shown_value = shown(value)
        if info.access == "ReadOnly" and text != info.default:
            yield where, f"configuration field {key!r} is read-only; remove it", "key"
        if info.max_length and len(text) > info.max_length:
            yield (
                where,
                f"configuration field {key!r} is longer than the connector allows "
                f"({len(text)} > {info.max_length} characters)",
                at,
            )
        problem = _type_problem(info.field_type, text.strip())
        if problem:
            yield (
                where,
                f"configuration field {key!r} is a {info.field_type} field: "
                + (f"{shown_value} {problem}"),
                at,
            )


def shown(value: object) -> str:
    """A value for a message: a secret is never shown (nor a did-you-mean derived from it)."""
    return "(sensitive)" if is_sensitive(value) else repr(value)


def listing(items: Mapping[str, object]) -> str:
    return f"; its items are: {', '.join(sorted(items))}"


def _type_problem(field_type: str, text: str) -> str:
    if field_type == "Integer" and not _WHOLE.fullmatch(text):
        return "is not a whole number"
    if field_type == "Double" and not _NUMBER.fullmatch(text):
        return "is not a number"
    if field_type == "Checkbox" and text.lower() not in _FLAGS:
        return 'must be "true" or "false"'
    if field_type == "Date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return "is not a date (YYYY-MM-DD)"
    return ""


def _scope(scope: ScopeSpec, ctx: LiveContext) -> Found:
    parts: tuple[tuple[Literal["users", "groups"], Mapping[str, int], str], ...] = (
        ("users", ctx.users, "user"),
        ("groups", ctx.groups, "group"),
    )
    for part, known, what in parts:
        for name in scope.get(part, []):
            if name not in known:
                hint = did_you_mean(str(name), known)
                yield (
                    ("scope", part, Match.item(str(name))),
                    f"scope names {what} {name!r}, who does not exist in the CRM{hint}"
                    if what == "user"
                    else f"scope names group {name!r}, which does not exist in the CRM{hint}",
                    "value",
                )
