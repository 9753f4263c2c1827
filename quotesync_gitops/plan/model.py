"""The Plan: what would change, in the order apply carries it out.

Values in ``FieldChange.before``/``after`` may be :class:`~quotesync_gitops.secrets.Secret`
or ``UNREADABLE``; everything that leaves the process goes through :func:`secrets.mask`
(see :meth:`Plan.to_dict`), so a plan can be printed or saved without revealing a secret.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from quotesync_gitops.model import Kind, Resource, SourceRef, SpecValue
from quotesync_gitops.plan.documents import ChangeDoc, FieldChangeDoc, PlanDoc
from quotesync_gitops.secrets import MASK, is_sensitive, mask

#: 2: creates carry their values (products too), a replace says what becomes of the old
#: object (``retire``), and a plan records ``workdir`` and ``targets`` (docs/plan-format.md).
PLAN_FORMAT_VERSION = 2


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"  # always a soft delete
    RESTORE = "restore"
    REPLACE = "replace"
    REORDER = "reorder"


class Section(StrEnum):
    """A top-level part of a canonical spec (docs/design.md): what apply decides to write
    from. Every kind's canonical keys are members (tests/plan/test_sections.py checks it)."""

    URL = "url"
    CONNECTOR = "connector"
    DESCRIPTION = "description"
    SECRETS_VERSION = "secretsVersion"
    ACTIVE = "active"
    SCOPE = "scope"
    CONFIG = "config"
    ACTORS = "actors"
    LIST_MAPPINGS = "listMappings"
    ERP_NAME = "erpName"
    ERP_CONNECTION = "erpConnection"
    PRIORITY = "priority"
    AUTOMATIC_SYNC = "automaticSync"
    INTERVAL = "interval"
    CURRENCY = "currency"
    CURRENCY_NAME = "currencyName"
    VALID_FROM = "validFrom"
    VALID_TO = "validTo"
    ERP_KEY = "erpKey"
    QUOTE_CONNECTION = "quoteConnection"
    PRODUCTS = "products"
    IMAGES = "images"
    FIELDS = "fields"
    ALLOW_QUOTE_ALTERNATIVES = "allowQuoteAlternatives"
    DEFAULT_QUOTE_VALIDITY = "defaultQuoteValidity"
    QUOTE_LINES_TEMPLATE = "quoteLinesTemplate"
    CONFIRMATION_LINES_TEMPLATE = "confirmationLinesTemplate"
    MAX_DISCOUNT_PERCENT = "maxDiscountPercent"
    MIN_EARNING_PERCENT = "minEarningPercent"
    GROUP_QUOTE_LINES_BY = "groupQuoteLinesBy"
    SORT_GROUP_LINES_BY = "sortGroupLinesBy"
    DELETED = "deleted"


@dataclass(frozen=True)
class FieldChange:
    """One field's before → after. ``None`` before means "absent", after likewise.

    ``path`` is how the change is shown and saved (``actors.Customer.mappings.no``);
    ``steps`` is the same path as the diff walked it, so nothing parses ``path`` back
    (a config key may itself hold a dot). Changes read back from a plan file have no steps.
    """

    path: str
    before: SpecValue
    after: SpecValue
    steps: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def sensitive(self) -> bool:
        """Either side is secret (or was, in a plan read back from a file)."""
        return any(is_sensitive(v) or v == MASK for v in (self.before, self.after))

    def to_dict(self) -> FieldChangeDoc:
        """Masked: when one side is secret, both are shown as (sensitive)."""
        before: object
        after: object
        if self.sensitive:
            before = None if self.before is None else MASK
            after = None if self.after is None else MASK
        else:
            before, after = mask(self.before), mask(self.after)
        return {"path": self.path, "before": before, "after": after, "sensitive": self.sensitive}


@dataclass(frozen=True)
class Touched:
    """The sections a change touches, and inside those that are maps of named parts, which
    parts (actor types, quote line fields, product codes of images)."""

    parts: Mapping[Section, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, fields: Iterable[FieldChange]) -> Touched:
        parts: dict[Section, set[str]] = {}
        for change in fields:
            steps = change.steps or (change.path,)
            inner = parts.setdefault(Section(steps[0]), set())
            if len(steps) > 1:
                inner.add(steps[1])
        return cls({section: frozenset(names) for section, names in parts.items()})

    def __contains__(self, section: object) -> bool:
        return section in self.parts

    def __iter__(self) -> Iterator[Section]:
        return iter(self.parts)

    def __bool__(self) -> bool:
        return bool(self.parts)

    def any_of(self, *sections: Section) -> bool:
        return any(s in self.parts for s in sections)

    def beyond(self, *sections: Section) -> bool:
        """Whether a section other than these is touched."""
        return any(s not in sections for s in self.parts)

    def within(self, section: Section) -> frozenset[str]:
        """The named parts of ``section`` touched (empty when it is not, or has none)."""
        return self.parts.get(section, frozenset())


@dataclass(frozen=True)
class Change:
    """A change to one resource (or one product inside a price list).

    It carries both sides it was computed from (octodns' ``Update(existing, new)``): the
    prepared desired resource and the live one with its ids, so apply writes from the
    change and never looks anything up by name or prepares it again. Neither side is
    serialised: a plan file holds what ``to_dict`` gives, and applying one plans again
    from the saved manifests and a fresh read (the stale check compares the two).
    """

    kind: Kind
    name: str
    action: Action
    fields: tuple[FieldChange, ...] = ()
    reason: str = ""
    source: SourceRef | None = None
    #: Server ids of the live object this change touches (empty for create).
    live_ids: dict[str, int | str] = field(default_factory=dict)
    #: Product changes inside a price list.
    children: tuple[Change, ...] = ()
    #: Products of a price list left as they are.
    unchanged_children: int = 0
    #: A replace: what becomes of the old object (renamed out of the way, deactivated).
    retire: tuple[FieldChange, ...] = ()
    #: The desired resource, prepared against the CRM (config defaults, Password fields
    #: as secrets); None for a prune, and in a change read back from a plan file.
    desired: Resource | None = field(default=None, compare=False, repr=False)
    #: The live resource as read (spec and every id); None for a create.
    live: Resource | None = field(default=None, compare=False, repr=False)
    #: A product inside its price list: its code (the change is named "<list>/<code>").
    code: str = field(default="", compare=False)

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.name}"

    @cached_property
    def touched(self) -> Touched:
        """The sections of the resource this change writes, from its field changes."""
        return Touched.of(self.fields)

    def to_dict(self) -> ChangeDoc:
        out: ChangeDoc = {
            "kind": self.kind,
            "name": self.name,
            "action": str(self.action),
            "fields": [f.to_dict() for f in self.fields],
        }
        if self.reason:
            out["reason"] = self.reason
        if self.source is not None:
            out["source"] = {
                "file": self.source.file,
                "line": self.source.line,
                "column": self.source.column,
            }
        if self.live_ids:
            out["liveIds"] = dict(self.live_ids)
        if self.children or self.unchanged_children:
            out["children"] = [c.to_dict() for c in self.children]
            out["unchangedChildren"] = self.unchanged_children
        if self.retire:
            out["retire"] = [f.to_dict() for f in self.retire]
        return out

    def retired_value(self, path: str) -> SpecValue:
        """The value a replace gives the old object's field ``path`` (None when untouched)."""
        for field_change in self.retire:
            if field_change.path == path:
                return field_change.after
        return None


@dataclass(frozen=True)
class Unmanaged:
    """A live object no manifest describes (reported, never touched unless pruned)."""

    kind: Kind
    name: str
    deleted: bool = False
    #: Listed in RepositorySettings.acknowledgeUnmanaged: known, so not drift.
    acknowledged: bool = False

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "deleted": self.deleted,
            "acknowledged": self.acknowledged,
        }


@dataclass(frozen=True)
class TestResult:
    """Outcome of a connector's connection test run with the desired configuration."""

    __test__ = False  # not a pytest test class

    kind: Kind
    name: str
    ok: bool
    explanation: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "ok": self.ok,
            "explanation": self.explanation,
        }


@dataclass(frozen=True)
class GuardReport:
    """Why apply would refuse this plan without --allow-deletes / --allow-mass-changes."""

    needs_allow_deletes: tuple[str, ...] = ()
    needs_allow_mass_changes: tuple[str, ...] = ()

    @property
    def blocked(self) -> bool:
        return bool(self.needs_allow_deletes or self.needs_allow_mass_changes)

    def to_dict(self) -> dict[str, object]:
        return {
            "blocked": self.blocked,
            "needsAllowDeletes": list(self.needs_allow_deletes),
            "needsAllowMassChanges": list(self.needs_allow_mass_changes),
        }


@dataclass
class Plan:
    """Ordered changes plus what a reviewer and apply need to know about them."""

    changes: list[Change] = field(default_factory=list)
    unmanaged: list[Unmanaged] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tests: list[TestResult] = field(default_factory=list)
    guard: GuardReport = field(default_factory=GuardReport)
    #: "kind/name" -> sha256 of the live object's canonical form as read (plan-file staleness).
    live_fingerprints: dict[str, str] = field(default_factory=dict)
    #: manifest file -> sha256 of its bytes.
    manifest_fingerprints: dict[str, str] = field(default_factory=dict)
    #: "kind/name" -> sha256 of the desired canonical spec, secrets masked (targeted plans:
    #: only what a plan touches must be unchanged when it is applied).
    desired_fingerprints: dict[str, str] = field(default_factory=dict)
    #: Manifest paths given to plan (apply of a plan file re-reads them for secret values),
    #: relative to ``workdir`` unless absolute.
    paths: list[str] = field(default_factory=list)
    #: The folder plan ran in (absolute): relative manifest paths, manifest fingerprint keys
    #: and a relative ``local:`` target are relative to it.
    workdir: str = ""
    #: ``--target`` addresses the plan was limited to; empty = everything.
    targets: list[str] = field(default_factory=list)
    #: The CRM target, without credentials.
    target: str = ""

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    def counts(self) -> Counter[tuple[str, str]]:
        """(kind, action) -> number of changes; products counted as kind Product."""
        counter: Counter[tuple[str, str]] = Counter()
        for change in self.changes:
            if change.action is not Action.UPDATE or change.fields or not change.children:
                counter[(change.kind, str(change.action))] += 1
            for child in change.children:
                counter[(child.kind, str(child.action))] += 1
        return counter

    def deletions_first(self) -> list[Change]:
        """Display order: deletions and replacements first, then the rest in apply order."""
        first = [c for c in self.changes if c.action in (Action.DELETE, Action.REPLACE)]
        rest = [c for c in self.changes if c.action not in (Action.DELETE, Action.REPLACE)]
        return first + rest

    def to_dict(self) -> PlanDoc:
        """The versioned JSON shape (schemas/plan.schema.json); secrets masked."""
        return {
            "formatVersion": PLAN_FORMAT_VERSION,
            "target": self.target,
            "paths": list(self.paths),
            "workdir": self.workdir,
            "targets": list(self.targets),
            "summary": {
                "changes": len(self.changes),
                "byKindAndAction": [
                    {"kind": k, "action": a, "count": n}
                    for (k, a), n in sorted(self.counts().items())
                ],
            },
            "changes": [c.to_dict() for c in self.changes],
            "unmanaged": [u.to_dict() for u in self.unmanaged],
            "notes": list(self.notes),
            "tests": [t.to_dict() for t in self.tests],
            "guard": self.guard.to_dict(),
            "fingerprints": {
                "live": dict(sorted(self.live_fingerprints.items())),
                "manifests": dict(sorted(self.manifest_fingerprints.items())),
                "desired": dict(sorted(self.desired_fingerprints.items())),
            },
        }


def _source_from(data: object) -> SourceRef | None:
    if not isinstance(data, dict):
        return None
    return SourceRef(str(data["file"]), int(data["line"]), int(data["column"]))


def change_from_dict(data: dict[str, Any]) -> Change:
    return Change(
        kind=Kind(data["kind"]),  # not one: the plan file is damaged (ValueError)
        name=str(data["name"]),
        action=Action(data["action"]),
        fields=tuple(
            FieldChange(str(f["path"]), f.get("before"), f.get("after")) for f in data["fields"]
        ),
        reason=str(data.get("reason", "")),
        source=_source_from(data.get("source")),
        live_ids=dict(data.get("liveIds", {})),
        children=tuple(change_from_dict(c) for c in data.get("children", [])),
        unchanged_children=int(data.get("unchangedChildren", 0)),
        retire=tuple(
            FieldChange(str(f["path"]), f.get("before"), f.get("after"))
            for f in data.get("retire", [])
        ),
    )


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """Rebuild a Plan from its saved JSON form (values stay masked)."""
    guard = data.get("guard", {})
    fingerprints = data.get("fingerprints", {})
    return Plan(
        changes=[change_from_dict(c) for c in data.get("changes", [])],
        unmanaged=[
            Unmanaged(
                Kind(u["kind"]),
                str(u["name"]),
                bool(u.get("deleted", False)),
                bool(u.get("acknowledged", False)),
            )
            for u in data.get("unmanaged", [])
        ],
        notes=[str(n) for n in data.get("notes", [])],
        tests=[
            TestResult(
                Kind(t["kind"]), str(t["name"]), bool(t["ok"]), str(t.get("explanation", ""))
            )
            for t in data.get("tests", [])
        ],
        guard=GuardReport(
            tuple(guard.get("needsAllowDeletes", ())), tuple(guard.get("needsAllowMassChanges", ()))
        ),
        live_fingerprints=dict(fingerprints.get("live", {})),
        manifest_fingerprints=dict(fingerprints.get("manifests", {})),
        desired_fingerprints=dict(fingerprints.get("desired", {})),
        paths=[str(p) for p in data.get("paths", [])],
        workdir=str(data.get("workdir", "")),
        targets=[str(t) for t in data.get("targets", [])],
        target=str(data.get("target", "")),
    )
