"""What a plan hands apply: one change to one resource, carrying both sides.

The value types every stage shares about changes, below the stages and the kinds (a kind's
writer in ``kinds/`` writes from a :class:`Change`; ``plan/`` makes them, ``plan/model.py``
keeps the :class:`~quotesync_gitops.plan.model.Plan` that orders them): the ``Action``, the
typed ``Section``s a change touches, its ``FieldChange``s, and a connection test's
``TestResult``.

Values in ``FieldChange.before``/``after`` may be :class:`~quotesync_gitops.secrets.Secret`
or ``UNREADABLE``; everything that leaves the process goes through :func:`secrets.mask`, so
a change can be printed or saved without revealing a secret.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import NotRequired, TypedDict

from quotesync_gitops.model import Kind, Resource, SourceRef, SpecValue
from quotesync_gitops.secrets import MASK, is_sensitive, mask

#: The JSON shape of a change as ``Change.to_dict()`` writes it (schemas/plan.schema.json):
#: what leaves the process, so values are masked JSON (``secrets.mask``), never Secrets.


class FieldChangeDoc(TypedDict):
    path: str
    before: object
    after: object
    sensitive: bool


class SourceDoc(TypedDict):
    file: str
    line: int
    column: int


class ChangeDoc(TypedDict):
    kind: Kind
    name: str
    action: str
    fields: list[FieldChangeDoc]
    reason: NotRequired[str]
    source: NotRequired[SourceDoc]
    liveIds: NotRequired[dict[str, int | str]]
    children: NotRequired[list[ChangeDoc]]
    unchangedChildren: NotRequired[int]
    retire: NotRequired[list[FieldChangeDoc]]


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
