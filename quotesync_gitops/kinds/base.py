"""What every kind implements (``KindDef``) and the values kinds share.

A kind module holds what one kind *is*, so that the stages dispatch through the registry
(``quotesync_gitops.kinds.KINDS``) instead of keeping their own per-kind branches: its
canonical form (from the manifest document), its references to other kinds, how plan
compares it (``DiffRules``), when a live one counts as retired, its live read
(``fetch``/``add``, scheduled by ``live.read_live``), its checks against the CRM's catalogs
(``crm_checks``, dispatched by ``kinds.crm_checks``), its export and export folder. Its CRM
carrier, both ways (``to_carrier``/``from_carrier`` in its module), is tested as a round
trip in tests/kinds/.

kinds/ imports only changes, model, secrets, errors, suggest and crm: the stages import
kinds, never the reverse.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypedDict

from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.model import (
    ATTACHED_KINDS,
    SINGLETON_KINDS,
    FieldInfo,
    Kind,
    LiveContext,
    LiveState,
    Resource,
    SpecPath,
)

if TYPE_CHECKING:  # validate and schema never load the HTTP client
    from quotesync_gitops.changes import Change
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.kinds.export_parts import ExportContext
    from quotesync_gitops.kinds.reading import LiveRead
    from quotesync_gitops.kinds.writing import ApplyContext

#: A spec as the manifest wrote it: parsed YAML at the edge, loosely typed, but schema-valid
#: (every value has the type its kind's schema says); ``canonical()`` gives it its type.
ManifestSpec = Mapping[str, Any]
#: A spec as code generic over kinds holds it: values to narrow before use. Each kind module
#: names its canonical spec's TypedDict (``<Kind>Spec``, docs/design.md's tables) and reads
#: a resource's spec as one through its ``spec_of``.
Spec = dict[str, object]


class SecretsVersionSpec(TypedDict, total=False):
    """``secretsVersion``: only when the manifest sets it (missing: not managed)."""

    secretsVersion: int


class ScopeSpec(TypedDict):
    """Who may use a connection: everyone, or these users and groups (sorted)."""

    allUsers: bool
    users: list[str]
    groups: list[str]


class CarrierError(QuotesyncError):
    """A canonical value has no carrier form in this CRM (a template it does not have)."""


@dataclass(frozen=True)
class Reference:
    """A name in one resource's spec that names a resource of another kind.

    ``path`` is the same in manifest and canonical form (references are plain names in
    both), so validation points at it and apply orders writes by it.
    """

    path: tuple[str | int, ...]
    kind: Kind
    name: str
    #: The manifests must declare it (False: the CRM may hold it; plan checks it there).
    must_be_declared: bool = True

    @property
    def address(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True)
class DiffRules:
    """Where "equal" needs a rule when plan compares a desired spec with a live one."""

    #: Top-level keys where an empty desired value means "leave it to the CRM".
    server_filled: frozenset[str] = frozenset()
    #: Nested maps are compared only on the keys the manifest gives.
    partial: bool = False
    #: Top-level keys are compared only where the manifest gives them.
    given_only: bool = False
    #: Keys the CRM will not change in place: a change means replacing the object.
    replace_fields: frozenset[str] = frozenset()


#: A carrier as the CRM answers it.
Carrier = Mapping[str, Any]

#: Where a check's finding is shown ("key" or "value"), or "warn": a warning at the value.
FoundAt = Literal["value", "key", "warn"]
#: What a kind's catalog checks find: (spec path in manifest form, message, at).
Found = Iterator[tuple[SpecPath, str, FoundAt]]


@dataclass(frozen=True)
class WriteGuard:
    """What apply checks right before it writes an object of a kind, since the CRM has no
    ETag or lock (apply/concurrency.py): by name, that a create's object does not exist
    yet (and after it, that no other run created one too); by id, that the object's head
    still is what the plan read."""

    #: Every object of the kind (soft-deleted ones too, where the API lists them).
    rows: Callable[[CrmClient], Iterable[Carrier]]
    name_field: str
    id_field: str
    #: One object by id, and its head read from the carrier as canonical keys ("name" and
    #: top-level spec keys; None: no head check). The canonical side is derived from them.
    read: Callable[[CrmClient, int], Carrier] | None = None
    head_of_carrier: Callable[[Carrier], dict[str, object]] | None = None

    def head_of_spec(
        self, name: str, spec: Mapping[str, object], keys: Iterable[str]
    ) -> dict[str, object]:
        """The same head in canonical form: ``keys`` (those of :attr:`head_of_carrier`'s
        answer) taken from the spec, "name" from the resource's name."""
        return {key: name if key == "name" else spec.get(key) for key in keys}


class KindDef(Protocol):
    """One kind, as every stage sees it."""

    @property
    def kind(self) -> Kind: ...

    @property
    def rules(self) -> DiffRules: ...

    @property
    def singleton(self) -> bool: ...

    @property
    def attached(self) -> bool: ...

    @property
    def write_guard(self) -> WriteGuard | None: ...

    @property
    def tombstone_reason(self) -> str:
        """Why plan soft-deletes an object whose manifest says ``deleted: true``."""
        ...

    def connector_fields(
        self, spec: Mapping[str, object], ctx: LiveContext
    ) -> dict[str, FieldInfo] | None:
        """The config fields its connector declares (None: the CRM has no such connector,
        or the kind has no connector)."""
        ...

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> Mapping[str, object]:
        """The canonical spec of a schema-valid manifest spec (``deleted`` added by the
        caller; ``products``: a price list's products, already canonical)."""
        ...

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        """The resources of other kinds this spec names, in spec order."""
        ...

    def retired(self, spec: Mapping[str, object]) -> bool:
        """A live object the tool itself took out of use (soft-deleted, or its kind's
        equivalent): without a manifest it is neither managed nor new in the CRM."""
        ...

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """The manifest spec of a live (canonical, not deleted) resource, defaults left out:
        the inverse of ``canonical()``, keys in the order of the kind's reference (helpers in
        ``kinds/export_parts.py``; ``export/`` writes it as YAML)."""
        ...

    @property
    def export_folder(self) -> str:
        """Where export writes its resources, one file each ("" for a singleton)."""
        ...

    @property
    def export_file(self) -> str:
        """A singleton's one export file ("" for a kind with a folder)."""
        ...

    @property
    def fallback_stem(self) -> str:
        """The file name of a resource whose name has no letter or digit."""
        ...

    def fetch(self, read: LiveRead) -> Callable[[], Any] | None:
        """Its live read's first step: the call that reads its objects (and the catalogs that
        come with them), run by ``live.read_live`` as one branch, together with every other
        kind's; the branch starts its follow-up calls itself as soon as the answers they
        need are in. None: nothing to read before ``add`` (or nothing wanted)."""
        ...

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        """Its live read's second step, on the calling thread, in ``KINDS`` order: the
        branch's answer (None when ``fetch`` gave no call) into canonical resources (through
        ``from_carrier``) and catalogs in ``state.context``. It may use what earlier kinds
        left in ``read`` and must leave what later ones need (``LiveRead.names``/``rows``)."""
        ...

    def crm_checks(self, resource: Resource, ctx: LiveContext, live: Resource | None) -> Found:
        """What only the CRM can reveal about a desired (not deleted) resource, checked
        against its catalogs (``live``: the object as the CRM holds it, for what cannot
        change after creation); ``kinds.crm_checks`` turns them into ``SpecProblem``s."""
        ...

    def waits_for_creation(self, resource: Resource, ctx: LiveContext) -> bool:
        """Its catalog exists only once apply has created it: plan defers those checks."""
        ...

    def deferred_checks(self, resource: Resource, ctx: LiveContext) -> list[str]:
        """What plan cannot check yet, as notes."""

    def write(self, ac: ApplyContext, change: Change) -> None:
        """Carry out one change of this kind in the CRM (create, update, delete, restore,
        replace; a price list's products with it), from the change's prepared desired and
        live objects and the sections it touches (``change.touched``). Raises
        ``ResourceFailed`` when the resource cannot be applied (the run goes on without it),
        ``ConcurrentChange`` when another writer got in (the run stops)."""
        ...

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        """Move this run's losing copy of a create out of the way (``kinds/writing.
        claim_created``: another run created the same name at once): renamed to
        ``new_name`` and soft-deleted, never hard-deleted. Only kinds with a
        ``write_guard`` are ever asked."""
        ...


class BaseKind:
    """Defaults for a kind module's object: no references, plain comparison, retired when
    soft-deleted."""

    kind: Kind
    rules: DiffRules = DiffRules()
    write_guard: WriteGuard | None = None
    tombstone_reason = "tombstone (deleted: true)"
    export_folder = ""
    export_file = ""
    fallback_stem = ""

    @property
    def singleton(self) -> bool:
        return self.kind in SINGLETON_KINDS

    @property
    def attached(self) -> bool:
        return self.kind in ATTACHED_KINDS

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        return []

    def retired(self, spec: Mapping[str, object]) -> bool:
        return bool(spec.get("deleted"))

    def connector_fields(
        self, spec: Mapping[str, object], ctx: LiveContext
    ) -> dict[str, FieldInfo] | None:
        return None

    def fetch(self, read: LiveRead) -> Callable[[], Any] | None:
        return None

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        return None

    def crm_checks(self, resource: Resource, ctx: LiveContext, live: Resource | None) -> Found:
        return iter(())

    def waits_for_creation(self, resource: Resource, ctx: LiveContext) -> bool:
        return False

    def deferred_checks(self, resource: Resource, ctx: LiveContext) -> list[str]:
        return []

    def write(self, ac: ApplyContext, change: Change) -> None:
        raise NotImplementedError(f"{self.kind} is not written to the CRM")

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        raise NotImplementedError(f"{self.kind} has no write guard: it has no duplicates")


def reference_at(
    spec: Mapping[str, object], key: str, kind: Kind, *, must_be_declared: bool = True
) -> list[Reference]:
    """The reference a top-level ``key`` holds, when it holds a name."""
    value = spec.get(key)
    if not isinstance(value, str) or not value:
        return []
    return [Reference((key,), kind, value, must_be_declared)]


def references_in(spec: Mapping[str, object], key: str, kind: Kind) -> list[Reference]:
    """The references of a top-level list of names (``priority``)."""
    values = spec.get(key)
    if not isinstance(values, list):
        return []
    return [
        Reference((key, index), kind, value)
        for index, value in enumerate(values)
        if isinstance(value, str) and value
    ]


def scope(value: object) -> ScopeSpec:
    """Canonical scope: ``all`` or absent is everyone; users and groups sorted."""
    if not isinstance(value, dict):  # absent or "all"
        return {"allUsers": True, "users": [], "groups": []}
    users = sorted(value.get("users") or [])
    groups = sorted(value.get("groups") or [])
    all_users = bool(value.get("allUsers", not users and not groups))
    if all_users:
        users, groups = [], []
    return {"allUsers": all_users, "users": users, "groups": groups}


def secrets_version(spec: ManifestSpec) -> SecretsVersionSpec:
    """Only when the manifest sets it: a missing version is "not managed"."""
    version = spec.get("secretsVersion")
    return {} if version is None else {"secretsVersion": version}


def number(value: float | int | str) -> float:
    """Numbers compare as floats rounded to 6 places."""
    return round(float(value), 6)


def text(value: object) -> str:
    """Empty and missing text are the same thing to the CRM."""
    return "" if value is None else str(value)


def date_part(value: object) -> str:
    """SuperOffice sends DateTime; manifests hold dates."""
    return text(value)[:10]
