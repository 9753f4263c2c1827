"""Value types shared by the pipeline: resources, desired and live state.

See docs/design.md for the canonical spec of every kind.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, TypedDict, get_args


class Kind(StrEnum):
    """Manifest kinds, declared in dependency order: what others refer to comes first
    (apply creates in this order and soft-deletes in reverse)."""

    ERP_CONNECTOR = "ErpConnector"
    ERP_CONNECTION = "ErpConnection"
    QUOTE_CONNECTION = "QuoteConnection"
    SYNC_SETTINGS = "SyncSettings"
    PRICE_LIST = "PriceList"
    PRODUCT_FIELD_SETTINGS = "ProductFieldSettings"
    SALE_TYPE_QUOTE_SETTINGS = "SaleTypeQuoteSettings"
    REPOSITORY_SETTINGS = "RepositorySettings"
    #: A product inside its price list: a kind of change and of guard count, not of manifest.
    PRODUCT = "Product"


#: Kinds a manifest may declare, in dependency order.
MANIFEST_KINDS: tuple[Kind, ...] = tuple(k for k in Kind if k is not Kind.PRODUCT)

#: Kinds of which at most one manifest may exist.
SINGLETON_KINDS = frozenset(
    {Kind.SYNC_SETTINGS, Kind.PRODUCT_FIELD_SETTINGS, Kind.REPOSITORY_SETTINGS}
)

#: Kinds that manage settings of objects quotesync does not own (sale types): apply never
#: creates or deletes them, a manifest naming an unknown one is an error, a tombstone only
#: stops management, and a live one that no manifest names is simply not managed.
ATTACHED_KINDS = frozenset({Kind.SALE_TYPE_QUOTE_SETTINGS})

#: Kinds that live in the CRM (RepositorySettings configures the tool only), in apply order.
CRM_KINDS: tuple[str, ...] = tuple(k for k in MANIFEST_KINDS if k is not Kind.REPOSITORY_SETTINGS)

ERP_ACTOR_TYPES = ("Customer", "Supplier", "Partner", "Person", "Project", "Employee", "Sale")
CRM_ACTOR_TYPES = ("Contact", "Person", "Project", "Sale")
#: Which way a mapped field syncs: SyncToCrm/SyncToErp both=T/T, toCrm=T/F, toErp=F/T, none=F/F.
Direction = Literal["toCrm", "toErp", "both", "none"]
DIRECTIONS: tuple[Direction, ...] = get_args(Direction)
#: The quote settings of a sale type a SaleTypeQuoteSettings manifest may give, in order.
SALE_TYPE_QUOTE_KEYS = (
    "allowQuoteAlternatives",
    "defaultQuoteValidity",
    "quoteLinesTemplate",
    "confirmationLinesTemplate",
    "maxDiscountPercent",
    "minEarningPercent",
    "groupQuoteLinesBy",
    "sortGroupLinesBy",
)


@dataclass(frozen=True, order=True)
class SourceRef:
    """Where something was written: 1-based line and column."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


#: How bad a problem is: an error fails validate and plan; a warning and a notice (a file
#: skipped, for example) are shown and pass.
Level = Literal["error", "warning", "notice"]
#: How bad a problem only the CRM can reveal is (``SpecProblem``).
SpecLevel = Literal["error", "warning"]
#: Where a problem is shown in a manifest: at the value, or at its key.
Anchor = Literal["value", "key"]


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in the manifests, pointing at the file, line and column."""

    source: SourceRef
    message: str
    level: Level = "error"

    def __str__(self) -> str:
        return f"{self.source}: {self.level}: {self.message}"


ResourceKey = tuple[str, str]  # (kind, name)

#: A value inside a canonical spec, seen by code generic over kinds (diff, plan, render):
#: JSON-like (None, bool, int, float, str, lists, maps with str keys) with ``Secret``,
#: ``UNREADABLE`` and ``ImageFile`` leaves. It is ``object``, not a union: every kind's
#: spec is a TypedDict (kinds/), which passes only as a ``Mapping[str, object]``, so generic
#: code narrows a value (isinstance) before it uses one; one kind's code reads its TypedDict.
SpecValue = object
#: A canonical spec as code generic over kinds holds it (``Resource.spec``).
SpecMap = Mapping[str, SpecValue]


def image_value(mime_type: str, size: int, sha256: str | None = None) -> str:
    """How a product image is compared and shown: its type, size and content digest (never
    its bytes). Without a digest (only the CRM's ImageInfo was read) it equals no file."""
    described = f"{mime_type}, {size:,} bytes"
    return f"{described}, sha256 {sha256}" if sha256 else described


class ImageFile(str):
    """A product image named by a manifest: compares and serialises as its ``image_value``;
    ``path`` is the file apply uploads (re-read then, and checked against the digest)."""

    __slots__ = ("mime_type", "path", "sha256", "size")

    path: str
    mime_type: str
    size: int
    sha256: str

    def __new__(cls, path: str, mime_type: str, size: int, sha256: str) -> ImageFile:
        value = super().__new__(cls, image_value(mime_type, size, sha256))
        value.path, value.mime_type, value.size, value.sha256 = path, mime_type, size, sha256
        return value


@dataclass(frozen=True)
class Match:
    """A step in a spec path that picks the first list entry with these ``(key, value)``
    pairs (key ``""``: the entry itself equals the value). Manifests write mappings,
    defaults, list mappings and scope names as lists, where the canonical spec has maps."""

    pairs: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, **pairs: str) -> Match:
        return cls(tuple(sorted(pairs.items())))

    @classmethod
    def item(cls, value: str) -> Match:
        return cls((("", value),))

    def matches(self, entry: object) -> bool:
        for key, value in self.pairs:
            if key == "":
                if entry != value:
                    return False
            elif not isinstance(entry, dict) or entry.get(key) != value:
                return False
        return True


#: A path into a manifest's spec, in manifest form: keys, list indexes, or ``Match`` steps.
SpecPath = tuple[str | int | Match, ...]


@dataclass(frozen=True)
class SpecProblem:
    """A problem only the CRM can reveal, at a value (or key) of one resource's spec.

    The planner and apply know specs, not files; the pipeline turns these into
    ``Diagnostic``s at the offending key's own FILE:LINE:COL.
    """

    kind: Kind
    name: str
    path: SpecPath
    message: str
    at: Anchor = "value"
    level: SpecLevel = "error"


class ResourceIds(TypedDict, total=False):
    """The server ids of a live object (docs/design.md): what apply writes by."""

    #: the object's own id (every kind but the singletons without one)
    id: int
    #: ErpConnection: its connector's id, and per actor type ERP field key -> ErpFieldId
    connectorId: int
    fieldIds: dict[str, dict[str, int]]
    #: PriceList: product code -> ProductId
    productIds: dict[str, int]
    #: SyncSettings: ERP connection name -> ErpConnectionId (those not deleted)
    connectionIds: dict[str, int]


@dataclass(frozen=True)
class Resource:
    """One desired or live object in canonical form (see docs/design.md)."""

    kind: Kind
    name: str
    spec: SpecMap
    #: Where the manifest declared it (desired side only).
    source: SourceRef | None = None
    #: Where the manifest wrote each top-level spec key (desired side only), for problems
    #: only the CRM can reveal about one setting.
    key_sources: Mapping[str, SourceRef] = field(default_factory=dict)
    #: Server ids and other facts the apply step needs (live side only), e.g. {"id": 12}.
    ids: ResourceIds = field(default_factory=lambda: ResourceIds())

    @property
    def key(self) -> ResourceKey:
        return (self.kind, self.name)

    @property
    def deleted(self) -> bool:
        return bool(self.spec.get("deleted", False))


@dataclass(frozen=True)
class RepositorySettings:
    """The RepositorySettings manifest: pruning, guards and acknowledged objects."""

    prune: frozenset[str] = frozenset()
    allow_deletes: bool = False
    max_delete_percent: float = 30.0
    max_update_percent: float = 30.0
    min_existing: int = 10
    #: (kind, name) of live objects no manifest describes that the repository knows about:
    #: reported as acknowledged, never drift, never pruned.
    acknowledged: frozenset[tuple[str, str]] = frozenset()


@dataclass
class State:
    """A set of resources keyed by (kind, name)."""

    resources: dict[ResourceKey, Resource] = field(default_factory=dict)

    def add(self, resource: Resource) -> None:
        self.resources[resource.key] = resource

    def get(self, kind: str, name: str) -> Resource | None:
        return self.resources.get((kind, name))

    def of_kind(self, kind: str) -> list[Resource]:
        return sorted((r for r in self.resources.values() if r.kind == kind), key=lambda r: r.name)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)


@dataclass
class DesiredState(State):
    """What the manifests declare, with the repository's settings and the files read."""

    settings: RepositorySettings = field(default_factory=RepositorySettings)
    #: Manifest files read, with a sha256 of their bytes (plan-file fingerprint).
    files: dict[str, str] = field(default_factory=dict)


@dataclass
class LiveState(State):
    """What the CRM holds. Soft-deleted objects are included with spec["deleted"] True."""

    #: Notes the reader wants shown once (e.g. secrets the CRM cannot hand back).
    notes: list[str] = field(default_factory=list)
    context: LiveContext = field(default_factory=lambda: LiveContext())


#: Words in a config field key that mark it as a credential.
CREDENTIAL_WORDS = ("password", "passwd", "passphrase", "pwd", "secret", "apikey", "api_key",
                    "token", "privatekey", "private_key", "credential")  # fmt: skip


def credential_key(key: str) -> bool:
    """Whether a config field key names a credential (``apiPassword``, ``client_secret``)."""
    lowered = key.lower()
    return any(word in lowered for word in CREDENTIAL_WORDS)


@dataclass(frozen=True)
class FieldInfo:
    """A connector-declared configuration field (SuperOffice FieldMetadata)."""

    key: str
    field_type: str = "Text"  # Checkbox|Text|Password|Integer|Double|List|Date|Label
    access: str = "Normal"  # Normal|Mandatory|ReadOnly
    default: str = ""
    max_length: int = 0
    list_name: str = ""
    rank: int = 0

    @property
    def write_only(self) -> bool:
        """Declared ``Password``: the CRM keeps the value and never hands it back."""
        return self.field_type == "Password"

    @property
    def secret(self) -> bool:
        """Shown as ``(sensitive)``: a Password field, or one whose key says it holds a
        credential whatever type the connector declares (a connector that declares its
        password as Text must not have it printed)."""
        return self.write_only or credential_key(self.key)


@dataclass(frozen=True)
class ErpFieldInfo:
    """An ERP field of one actor type of one existing ERP connection."""

    key: str
    field_id: int
    field_type: str = "Text"
    access: str = "Normal"
    list_name: str = ""


class LineFieldInfo(TypedDict):
    """A quote line field as the CRM declares it (``QuoteLineConfiguration``)."""

    id: int
    #: the CRM locks it: it cannot be made editable or mandatory
    restrictEdit: bool
    #: the configuration as read (CRM JSON), which a save sends back with the settings
    carrier: Mapping[str, Any]


@dataclass
class LiveContext:
    """Facts the CRM declares that plan and apply check manifests against."""

    #: connector display name -> (connector id, its config fields by key)
    erp_connectors: dict[str, tuple[int, dict[str, FieldInfo]]] = field(default_factory=dict)
    #: the same of the soft-deleted connectors read (usable only once restored)
    erp_connectors_deleted: dict[str, tuple[int, dict[str, FieldInfo]]] = field(
        default_factory=dict
    )
    #: quote connector name -> its config fields by key
    quote_connectors: dict[str, dict[str, FieldInfo]] = field(default_factory=dict)
    #: (ERP connection name, actor type) -> ERP field key -> info
    erp_fields: dict[tuple[str, str], dict[str, ErpFieldInfo]] = field(default_factory=dict)
    #: (ERP connection name, "actor/erpField") -> ERP list item id -> ERP item name
    erp_list_items: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)
    #: CRM list name -> item name -> id (country, category, ...)
    crm_lists: dict[str, dict[str, int]] = field(default_factory=dict)
    #: quote line field name -> what the CRM declares of it
    line_fields: dict[str, LineFieldInfo] = field(default_factory=dict)
    #: sale type name -> id (sale types in use)
    sale_types: dict[str, int] = field(default_factory=dict)
    #: quote document type (QuoteLines, ConfirmationLines) -> template name -> template id
    quote_templates: dict[str, dict[str, int]] = field(default_factory=dict)
    #: currency code (MDO list ``currency``) -> id
    currencies: dict[str, int] = field(default_factory=dict)
    #: (ERP connection name, "actor/erpField") -> (the CRM field it is mapped to, the name
    #: of that field's CRM list, "" when it is not a list field), as GetConnectionListMappings says
    crm_list_of: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    #: ERP connection names whose ERP catalog (actor types, fields, lists) was read
    erp_catalog_read: set[str] = field(default_factory=set)
    #: CRM actor -> CRM field keys existing mappings use (the API has no catalog of them;
    #: these only feed a did-you-mean)
    crm_fields_seen: dict[str, set[str]] = field(default_factory=dict)
