"""Compare desired with live state and produce an ordered, guarded Plan.

Knows nothing of HTTP or files: it takes two states and returns a Plan plus the problems
only the CRM could reveal (unknown connectors, fields, users...).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace

from quotesync_gitops.kinds import KINDS, price_list, rules_of
from quotesync_gitops.kinds.connection_parts import config_of
from quotesync_gitops.kinds.crm_checks import check_against_crm, deferred_checks
from quotesync_gitops.kinds.product_parts import ProductSpec
from quotesync_gitops.kinds.writing import retired_name
from quotesync_gitops.model import (
    ATTACHED_KINDS,
    CRM_KINDS,
    SINGLETON_KINDS,
    DesiredState,
    Diagnostic,
    Kind,
    LiveContext,
    LiveState,
    RepositorySettings,
    Resource,
    ResourceKey,
    SourceRef,
    SpecProblem,
)
from quotesync_gitops.plan.diff import DiffResult, diff_specs, is_order_only
from quotesync_gitops.plan.fingerprints import LiveFingerprints, fingerprint
from quotesync_gitops.plan.guards import evaluate_guards
from quotesync_gitops.plan.model import Action, Change, FieldChange, Plan, Unmanaged
from quotesync_gitops.plan.prepare import (
    check_live_duplicates,
    check_sale_types,
    prepare_desired,
    prepare_live,
)
from quotesync_gitops.plan.products import created_product, diff_products
from quotesync_gitops.secrets import MASK, is_sensitive

#: Apply order: what others refer to comes first. Deletions run in reverse.
KIND_ORDER = CRM_KINDS


#: Why a plan writes secrets no manifest change asked for (``plan --test-connections``).
STORED_FAIL_REASON = (
    "the credentials the CRM has stored fail the connection test, the manifest's pass "
    "(rotated on the ERP side?): write the manifest's secrets"
)


@dataclass(frozen=True)
class PlanResult:
    """The plan, with what the CRM would refuse and what it holds wrongly."""

    plan: Plan
    #: What the CRM would refuse, each at a spec path of its resource (see crm_checks)
    problems: list[SpecProblem]
    #: Problems with what the CRM holds (duplicate product codes), at the resource
    diagnostics: list[Diagnostic] = field(default_factory=list)
    #: Every desired resource planned, prepared against the CRM once (connection tests
    #: use these; each change carries its own)
    prepared: dict[ResourceKey, Resource] = field(default_factory=dict)


@dataclass
class PreparedPlan:
    """The first half of a plan: every resource checked against the CRM and prepared, both
    sides (what connection tests need, before the changes are compared)."""

    #: (key, prepared desired or None, prepared live or None), in plan order
    pairs: list[tuple[ResourceKey, Resource | None, Resource | None]]
    problems: list[SpecProblem]
    diagnostics: list[Diagnostic]
    waiting: list[str]
    prepared: dict[ResourceKey, Resource]
    desired_fingerprints: dict[str, str]
    live_fingerprints: LiveFingerprints


def prepare_plan(
    desired: DesiredState,
    live: LiveState,
    *,
    targets: Iterable[str] = (),
    fingerprint_targets: bool = True,
) -> PreparedPlan:
    """Check every desired resource (of ``targets``: only these kind/name) against the CRM
    and prepare both sides, once; :func:`build_plan` compares them.

    ``fingerprint_targets=False``: a targeted plan that is never saved (apply's verification)
    skips the desired fingerprints, a JSON dump of every product of every targeted list."""
    ctx = live.context
    wanted = set(targets)
    _restored_connectors_usable(desired, ctx, wanted)
    live_by_key = _align_singletons(desired, live)
    out = PreparedPlan([], [], [], [], {}, {}, LiveFingerprints())
    for key in sorted(set(live_by_key) | set(desired.resources), key=_order_key):
        kind, name = key
        if kind == Kind.REPOSITORY_SETTINGS:
            continue
        if wanted and f"{kind}/{name}" not in wanted:
            continue
        want = desired.resources.get(key)
        have = live_by_key.get(key)
        if want is None and kind in ATTACHED_KINDS:
            continue  # the CRM's own objects (sale types): not managed without a manifest
        if want is not None:
            if wanted and fingerprint_targets:  # stale only when its targets' manifests change
                out.desired_fingerprints[f"{kind}/{name}"] = fingerprint(want.spec)
            out.problems += check_against_crm(want, ctx, have)
            out.diagnostics += check_sale_types(want, ctx)
            out.waiting += deferred_checks(want, ctx)
            want = prepare_desired(want, ctx)
            out.prepared[key] = want
        if have is not None:
            if want is not None and not want.deleted:
                out.diagnostics += check_live_duplicates(want, have)
            have = prepare_live(have, ctx)
            out.live_fingerprints.add(f"{kind}/{name}", have.spec)
        out.pairs.append((key, want, have))
    return out


def build_plan(
    desired: DesiredState,
    live: LiveState,
    *,
    targets: Iterable[str] = (),
    stored_fail: Collection[str] = frozenset(),
    prepared: PreparedPlan | None = None,
    fingerprint_targets: bool = True,
) -> PlanResult:
    """The changes that make the CRM match the manifests (``targets``: only these kind/name).

    ``stored_fail``: connections ("kind/name") whose stored credentials fail the connector's
    test while the manifest's pass (``apply/stale_credentials.py``): their secrets are
    written again, as for a raised ``secretsVersion``. ``prepared``: what
    :func:`prepare_plan` made of the same desired and live states and targets (else it
    runs here, with ``fingerprint_targets``).
    """
    ready = prepared
    if ready is None:
        ready = prepare_plan(
            desired, live, targets=targets, fingerprint_targets=fingerprint_targets
        )
    changes: list[Change] = []
    unreadable = 0
    plan = Plan(notes=list(live.notes))
    plan.desired_fingerprints = dict(ready.desired_fingerprints)
    plan.live_fingerprints = ready.live_fingerprints  # made if a plan file or JSON asks
    for key, want, have in ready.pairs:
        kind, name = key
        change, skipped = _compare(want, have, desired.settings, f"{kind}/{name}" in stored_fail)
        unreadable += skipped
        if change is not None:
            changes.append(replace(change, desired=want, live=have))
        elif want is None and have is not None and not _retired(have):
            plan.unmanaged.append(
                Unmanaged(have.kind, name, acknowledged=key in desired.settings.acknowledged)
            )
    plan.changes = _apply_order(changes)
    if unreadable:
        plan.notes.append(
            f"{unreadable} password value(s) cannot be compared: the CRM does not hand stored "
            "passwords back. They are written when their connection is created, its "
            "configuration changes, or its secretsVersion is raised."
        )
    plan.notes += ready.waiting
    plan.guard = evaluate_guards(plan, live, desired.settings)
    plan.manifest_fingerprints = dict(desired.files)
    return PlanResult(plan, list(ready.problems), list(ready.diagnostics), dict(ready.prepared))


def _restored_connectors_usable(
    desired: DesiredState, ctx: LiveContext, wanted: Collection[str]
) -> None:
    """A soft-deleted ERP connector this plan restores is one the manifests' connections may
    name: apply restores it (same id) before it writes any connection (kind order)."""
    for name, found in ctx.erp_connectors_deleted.items():
        want = desired.get(Kind.ERP_CONNECTOR, name)
        if want is None or want.deleted or (wanted and f"{want.kind}/{name}" not in wanted):
            continue
        ctx.erp_connectors.setdefault(name, found)


def _order_key(key: tuple[str, str]) -> tuple[int, str]:
    kind, name = key
    rank = KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)
    return rank, name


def _align_singletons(desired: DesiredState, live: LiveState) -> dict[tuple[str, str], Resource]:
    """Singletons match by kind: the live one takes the manifest's name."""
    by_key = dict(live.resources)
    for kind in SINGLETON_KINDS:
        wanted = [r for r in desired.resources.values() if r.kind == kind]
        existing = [r for r in live.resources.values() if r.kind == kind]
        if wanted and existing:
            del by_key[existing[0].key]
            renamed = replace(existing[0], name=wanted[0].name)
            by_key[renamed.key] = renamed
        elif existing:
            del by_key[existing[0].key]  # singletons without a manifest are simply not managed
    return by_key


def _compare(
    want: Resource | None,
    have: Resource | None,
    settings: RepositorySettings,
    stored_fail: bool = False,
) -> tuple[Change | None, int]:
    if want is None:
        assert have is not None
        if _retired(have) or have.kind not in settings.prune or have.kind in SINGLETON_KINDS:
            return None, 0
        if have.key in settings.acknowledged:
            return None, 0  # acknowledged in git: left alone even with pruning on
        return _change(have, Action.DELETE, reason="not in the manifests (pruning is on)"), 0
    if have is None:
        if want.deleted or want.kind in ATTACHED_KINDS:
            return None, 0  # an unknown sale type was reported by check_against_crm
        return Change(
            want.kind,
            want.name,
            Action.CREATE,
            source=want.source,
            fields=tuple(_creation_fields(want)),
            children=_created_products(want),
        ), 0
    if want.deleted:
        return _tombstone(want, have), 0
    return _update(want, have, stored_fail)


def _retired(have: Resource) -> bool:
    """Soft-deleted, or its kind's equivalent (a price list set inactive). Without a
    manifest such an object is neither managed nor new in the CRM, so neither plan nor
    drift lists it."""
    return KINDS[have.kind].retired(have.spec)


def _change(
    have: Resource, action: Action, reason: str = "", source: SourceRef | None = None
) -> Change:
    return Change(
        have.kind, have.name, action, reason=reason, source=source, live_ids=_plain_ids(have.ids)
    )


def _plain_ids(ids: Mapping[str, object]) -> dict[str, int | str]:
    """Only the scalar ids go into a plan (product id maps would make plan files huge)."""
    return {k: v for k, v in ids.items() if isinstance(v, int | str)}


def _tombstone(want: Resource, have: Resource) -> Change | None:
    definition = KINDS[want.kind]
    if definition.singleton or definition.attached:
        return None  # a tombstone of settings only stops management
    if definition.retired(have.spec):
        return None  # soft-deleted already (or its kind's equivalent)
    return _change(have, Action.DELETE, reason=definition.tombstone_reason, source=want.source)


def _update(want: Resource, have: Resource, stored_fail: bool) -> tuple[Change | None, int]:
    skip = frozenset({"deleted", "products"})
    result = diff_specs(want.kind, have.spec, want.spec, skip)
    rotated = _rotate_secrets(want, result, stored_fail)
    children: tuple[Change, ...] = ()
    unchanged = 0
    retire: tuple[FieldChange, ...] = ()
    replace_fields = rules_of(want.kind).replace_fields
    replaces = not have.deleted and any(c.path in replace_fields for c in result.changes)
    if want.kind == Kind.PRICE_LIST:
        # A replace writes every product into the new list; the old list keeps its own.
        children, unchanged = (
            (_created_products(want), 0) if replaces else diff_products(want, have)
        )
    action: Action | None = None
    reason = STORED_FAIL_REASON if rotated and stored_fail else ""
    if have.deleted:
        action = Action.RESTORE
    elif replaces:
        action = Action.REPLACE
        reason = (
            f"{', '.join(sorted(c.path for c in result.changes if c.path in replace_fields))} "
            "cannot change after creation: the old price list is deactivated and renamed, "
            "a new one is created"
        )
        retire = _retirement(have)
    elif is_order_only(result.changes):
        action = Action.REORDER
    elif result.changes or children:
        action = Action.UPDATE
    if action is None:
        return None, len(result.unreadable)
    change = Change(
        want.kind,
        want.name,
        action,
        fields=tuple(result.changes),
        reason=reason,
        source=want.source,
        live_ids=_plain_ids(have.ids),
        children=children,
        unchanged_children=unchanged,
        retire=retire,
    )
    return change, len(result.unreadable)


def _rotate_secrets(want: Resource, result: DiffResult, stored_fail: bool = False) -> bool:
    """A new ``secretsVersion``, or stored credentials that fail where the manifest's pass:
    every secret of the configuration is written again (masked lines in the plan); apply
    tests the connection with them first, as for any config change. True when it did."""
    if not stored_fail and not any(c.path == "secretsVersion" for c in result.changes):
        return False
    changed = {c.path for c in result.changes}
    config = config_of(want) or {}
    for key in sorted(config):
        path = f"config.{key}"
        if is_sensitive(config[key]) and path not in changed:
            result.changes.append(FieldChange(path, MASK, config[key], ("config", key)))
    result.unreadable = [p for p in result.unreadable if not p.startswith("config.")]
    return any(c.sensitive for c in result.changes)


def _retirement(have: Resource) -> tuple[FieldChange, ...]:
    """What a replace does to the old price list: renamed out of the way and deactivated
    (its products stay in it)."""
    rename = FieldChange("name", have.name, retired_name(have.name, int(have.ids.get("id", 0))))
    if not have.spec.get("active"):
        return (rename,)
    return (rename, FieldChange("active", True, False))


def _created_products(want: Resource) -> tuple[Change, ...]:
    """A new price list's products, each a create (so plans count and list them)."""
    products: Mapping[str, ProductSpec] = (
        price_list.spec_of(want).get("products", {}) if want.kind == Kind.PRICE_LIST else {}
    )
    return tuple(created_product(want.name, code, products[code]) for code in sorted(products))


def _creation_fields(want: Resource) -> list[FieldChange]:
    """A create lists what it sets (products summarised as a count)."""
    empty = Resource(want.kind, want.name, {})
    result = diff_specs(want.kind, empty.spec, want.spec, frozenset({"deleted", "products"}))
    return result.changes


def _apply_order(changes: list[Change]) -> list[Change]:
    """Creates/updates in dependency order; soft deletes last, in reverse dependency order."""
    forward = [c for c in changes if c.action is not Action.DELETE]
    deletes = [c for c in changes if c.action is Action.DELETE]
    deletes.sort(key=lambda c: _order_key((c.kind, c.name)), reverse=True)
    return forward + deletes
