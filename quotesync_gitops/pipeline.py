"""The one pipeline: load → validate → read live → diff → plan → apply → verify.

Commands (plan, drift, apply, show) call these functions; they return values and raise
QuotesyncError subclasses, and never print. Policy lives here too (which CRM a saved plan
may be applied to, when it is stale, what the guards refuse), so the CLI only parses its
options, calls, and turns what comes back into output and an exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from quotesync_gitops.apply.connection_tests import run_connection_tests
from quotesync_gitops.apply.stale_credentials import find_stale_credentials
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.errors import GuardError, ManifestError, QuotesyncError, StalePlanError
from quotesync_gitops.kinds.price_list.images import read_product_images
from quotesync_gitops.live.ahead import ReadAhead
from quotesync_gitops.live.reader import read_live
from quotesync_gitops.manifest import load_manifests
from quotesync_gitops.manifest.options import ManifestOptions
from quotesync_gitops.manifest.problems import problem_summary
from quotesync_gitops.manifest.spec_locate import locate_spec_problems, problem_locator
from quotesync_gitops.model import DesiredState, Diagnostic, Kind, LiveState, SpecProblem
from quotesync_gitops.plan.model import Action, Change, Plan, Section, TestResult
from quotesync_gitops.plan.planfile import is_plan_file, load_plan
from quotesync_gitops.plan.planner import build_plan, prepare_plan
from quotesync_gitops.plan.run_secrets import hide_run_secrets
from quotesync_gitops.target import anchored, describe_target

if TYPE_CHECKING:  # the writers load only when apply runs (plan does not need them)
    from quotesync_gitops.apply.engine import ApplyResult


class InvalidManifests(ManifestError):
    """Manifests have problems; ``diagnostics`` says where."""

    def __init__(
        self, diagnostics: Sequence[Diagnostic], verdict: str = "the manifests are not valid"
    ) -> None:
        super().__init__(problem_summary(diagnostics, verdict))
        self.diagnostics = list(diagnostics)


@dataclass
class PlanRun:
    desired: DesiredState
    live: LiveState
    plan: Plan
    warnings: list[Diagnostic] = field(default_factory=list)


def plan_against(
    client: CrmClient,
    options: ManifestOptions,
    *,
    targets: Iterable[str] = (),
    test_connections: bool = False,
    target_label: str = "",
    ahead: ReadAhead | None = None,
) -> PlanRun:
    """Everything `plan` and `drift` do short of rendering.

    Problems come all at once: when manifests have offline problems, the resources that did
    load are still checked against the CRM, and both are reported together. ``ahead``: the
    client's read, if the caller started it earlier (the CLI does, before it imports this).
    """
    ahead = ahead or ReadAhead(client)  # the CRM is read while the manifests load
    loaded = load_manifests(
        [Path(p) for p in options.paths] or [Path(".")],
        env=options.env,
        variables=options.variables,
        allow_files_outside=options.allow_files_outside,
        cwd=options.base,
    )
    desired = loaded.desired
    warnings = [d for d in loaded.diagnostics if d.level != "error"]
    base = options.base
    if not loaded.ok:
        found = _crm_problems(ahead, desired, targets, base)
        raise InvalidManifests(loaded.diagnostics + found)
    live = ahead.state()
    read_product_images(client, desired, live)
    _check_targets(targets, desired, live)
    prepared = prepare_plan(desired, live, targets=targets)
    located = _located(prepared.problems, desired, base) + prepared.diagnostics
    if any(d.level == "error" for d in located):
        raise InvalidManifests(
            sorted(set(loaded.diagnostics) | set(located)), "the manifests do not fit this CRM"
        )
    warnings += located
    tests: list[TestResult] = []
    stale: frozenset[str] = frozenset()
    if test_connections:
        tests = run_connection_tests(client, prepared.prepared.values(), live, targets=targets)
        # rotated on the ERP side: the plan writes the manifest's secrets again
        tests, stale = find_stale_credentials(client, desired, live, tests)
    plan = build_plan(desired, live, targets=targets, stored_fail=stale, prepared=prepared).plan
    hide_run_secrets(plan, desired)  # its values equal to the run's secrets, masked
    plan.tests = tests
    plan.paths = [str(p) for p in options.paths] or ["."]
    plan.workdir = str(options.base.absolute())
    plan.targets = sorted(set(targets))
    plan.target = target_label
    return PlanRun(desired, live, plan, warnings)


def _located(
    problems: Sequence[SpecProblem], desired: DesiredState, base: Path
) -> list[Diagnostic]:
    return locate_spec_problems(problems, desired.resources, base)


def _crm_problems(
    ahead: ReadAhead, desired: DesiredState, targets: Iterable[str], base: Path
) -> list[Diagnostic]:
    """CRM checks of the resources that loaded, when the CRM can be read (else none)."""
    if not len(desired):
        return []
    try:
        live = ahead.state(kinds={r.kind for r in desired})  # only what is checked
    except QuotesyncError:
        return []  # the offline problems are reported; the CRM's wait for the next run
    wanted = set(targets)
    known = [t for t in wanted if _known(t, desired, live)]
    if wanted and not known:
        return []
    found = prepare_plan(desired, live, targets=known)
    return _located(found.problems, desired, base) + found.diagnostics


def _known(target: str, desired: DesiredState, live: LiveState) -> bool:
    kind, _, name = target.partition("/")
    return desired.get(kind, name) is not None or live.get(kind, name) is not None


def _check_targets(targets: Iterable[str], desired: DesiredState, live: LiveState) -> None:
    known = {f"{k}/{n}" for k, n in desired.resources} | {f"{k}/{n}" for k, n in live.resources}
    unknown = sorted(set(targets) - known)
    if unknown:
        raise QuotesyncError(
            f"--target {', '.join(unknown)} matches no resource in the manifests or the CRM "
            "(expected KIND/NAME, e.g. ErpConnection/Demo ERP)"
        )


def stale_objects(saved: Plan, fresh: Plan) -> list[str]:
    """What changed since a saved plan was made: its manifests, and every object it touches.

    A plan of everything needs every manifest file unchanged. A ``--target`` plan needs only
    its targets' manifests unchanged (their desired form, CSV products included), so it
    still applies while other manifests have edits pending.
    """
    stale: list[str] = []
    if saved.targets:
        stale += [
            f"manifest of {address}"
            for address in _differing(saved.desired_fingerprints, fresh.desired_fingerprints)
        ]
    elif saved.manifest_fingerprints != fresh.manifest_fingerprints:
        stale += [
            f"manifest {path}"
            for path in _differing(saved.manifest_fingerprints, fresh.manifest_fingerprints)
        ]
    touched = {c.address for c in saved.changes} | {c.address for c in fresh.changes}
    for address in sorted(touched):
        if saved.live_fingerprints.get(address) != fresh.live_fingerprints.get(address):
            stale.append(address)
    if not stale and [c.to_dict() for c in saved.changes] != [c.to_dict() for c in fresh.changes]:
        stale.append("the planned changes (the CRM or the tool's reading of it differs)")
    return stale


def _differing(saved: Mapping[str, str], fresh: Mapping[str, str]) -> list[str]:
    return sorted(key for key in set(saved) | set(fresh) if saved.get(key) != fresh.get(key))


def check_guards(plan: Plan, *, allow_deletes: bool, allow_mass_changes: bool) -> None:
    reasons: list[str] = []
    if plan.guard.needs_allow_deletes and not allow_deletes:
        reasons.append(
            f"deletions need --allow-deletes: {', '.join(plan.guard.needs_allow_deletes)}"
        )
    if plan.guard.needs_allow_mass_changes and not allow_mass_changes:
        reasons.append(
            "more changes than the guard allows need --allow-mass-changes: "
            + "; ".join(plan.guard.needs_allow_mass_changes)
        )
    if reasons:
        raise GuardError("apply refused, nothing was changed: " + " | ".join(reasons))


def check_tests(plan: Plan) -> None:
    """``apply --test-connections`` (or a saved plan made with it) stops, before writing
    anything, when a connection's test fails, as ``plan --test-connections`` exits 1."""
    failed = [t for t in plan.tests if not t.ok]
    if failed:
        raise QuotesyncError(
            "apply refused, nothing was changed: connection test failed: "
            + "; ".join(f"{t.kind}/{t.name}: {t.explanation or 'no explanation'}" for t in failed)
        )


@dataclass(frozen=True)
class ApplySource:
    """What apply was given: manifests, or a saved plan and the manifests it names."""

    paths: tuple[str, ...]
    saved: Plan | None = None
    #: Where the saved plan's relative paths lead (None: the current directory).
    workdir: str | None = None

    @property
    def targets(self) -> list[str]:
        return self.saved.targets if self.saved is not None else []

    @property
    def tested(self) -> bool:
        """Whether the saved plan was made with connection tests."""
        return self.saved is not None and bool(self.saved.tests)


def apply_source(paths: Sequence[str]) -> ApplySource:
    """``apply PLANFILE`` or ``apply PATH...``: one argument that is a plan file is a plan."""
    if len(paths) == 1 and is_plan_file(paths[0]):
        saved = load_plan(paths[0])
        return ApplySource(tuple(saved.paths), saved, saved_workdir(saved))
    return ApplySource(tuple(paths))


def saved_workdir(saved: Plan) -> str | None:
    """Where a saved plan's relative paths lead: the folder plan ran in, or, when that does
    not exist here (another machine or checkout), the current directory."""
    if saved.workdir and Path(saved.workdir).is_dir():
        return saved.workdir
    return None


def apply_target(crm: str | None, env: Mapping[str, str], source: ApplySource) -> str:
    """The CRM apply writes to: ``--crm``/``QUOTESYNC_CRM``, else a saved plan's own.

    A saved plan is applied only to the CRM it was made for; naming another is an error
    before anything is read."""
    target = describe_target(crm, env)
    saved = source.saved
    if saved is not None and saved.target:
        base = Path(source.workdir) if source.workdir else Path.cwd()
        planned = anchored(saved.target, base)
        target = planned if crm is None else anchored(target, Path.cwd())
        if target != planned:
            raise QuotesyncError(
                f"the saved plan was made for {planned}, not {target}; nothing was changed "
                "(plan again against this CRM, or point --crm/QUOTESYNC_CRM at the plan's CRM)"
            )
    return target


def plan_for_apply(
    client: CrmClient,
    options: ManifestOptions,
    source: ApplySource,
    target: str,
    *,
    allow_deletes: bool,
    allow_mass_changes: bool,
    test_connections: bool = False,
) -> PlanRun:
    """The plan apply carries out, made as `plan` makes it; refused (nothing written) when
    a saved plan went stale (exit 3), a connection test fails (exit 1) or a guard blocks it
    (exit 4). A saved plan made with connection tests is applied with them (its rotations
    of stale credentials are among its changes)."""
    run = plan_against(
        client,
        options,
        targets=source.targets,
        test_connections=test_connections or source.tested,
        target_label=target,
    )
    if source.saved is not None:
        stale = stale_objects(source.saved, run.plan)
        if stale:
            raise StalePlanError(
                "the saved plan is stale, nothing was changed; changed since it was made: "
                + ", ".join(stale)
            )
    check_tests(run.plan)
    if run.plan.has_changes:
        check_guards(run.plan, allow_deletes=allow_deletes, allow_mass_changes=allow_mass_changes)
    return run


#: ErpConnection sections GetAllConnections answers (the rest needs a connection's own calls).
_ERP_HEADER = (Section.DESCRIPTION, Section.ACTIVE, Section.SCOPE, Section.DELETED)


def _header_only(change: Change) -> bool:
    return (
        change.kind == Kind.ERP_CONNECTION
        and change.action is Action.UPDATE
        and bool(change.touched)
        and not change.touched.beyond(*_ERP_HEADER)
    )


def _verify_scope(run: PlanRun, touched: set[str], reread: list[str]) -> str:
    """What the verification reads again and what it keeps from the plan's read, worded."""

    def kept(kinds: set[str], kind: str) -> int:
        resources = run.live.of_kind(kind) if touched & kinds else []
        return sum(f"{r.kind}/{r.name}" not in reread for r in resources)

    connections = kept({Kind.ERP_CONNECTION, Kind.SYNC_SETTINGS}, Kind.ERP_CONNECTION)
    price_lists = kept({Kind.PRICE_LIST}, Kind.PRICE_LIST)
    written = sum(a.startswith(f"{Kind.PRICE_LIST}/") for a in reread)
    parts = [f"the products of {written} price list(s) apply wrote"] if written else []
    as_read = [f"the products of {price_lists} price list(s)"] if price_lists else []
    as_read += [f"the details of {connections} ERP connection(s)"] if connections else []
    if as_read:
        parts.append(f"{' and '.join(as_read)} as the plan read them: apply did not write them")
    return f" ({'; '.join(parts)})" if parts else ""


def execute(
    client: CrmClient,
    run: PlanRun,
    progress: Callable[[str], None],
    bulk_progress: Callable[[str, int, int], None] | None = None,
) -> ApplyResult:
    """Apply a checked plan, then read the CRM again to verify it now matches.

    The verification re-reads the kinds apply wrote; of the ERP connections, only the
    written ones are read in detail (the others keep what the plan read: same list row
    fresh, about 30 calls a connection saved), and of the price lists only the written
    ones' products (a filtered read each); the progress says so.
    """
    from quotesync_gitops.apply.engine import apply_plan
    from quotesync_gitops.kinds.writing import ApplyContext

    context = ApplyContext(client, run.live, progress)
    base = Path(run.plan.workdir) if run.plan.workdir else Path.cwd()
    context.locate = problem_locator(run.desired.resources, base)
    if bulk_progress is not None:
        context.bulk_progress = bulk_progress
    result = apply_plan(run.plan, context)
    targets = [c.address for c in run.plan.changes]
    touched: set[str] = {c.kind for c in run.plan.changes}  # verify only what apply wrote
    # An ERP connection whose change is only in its list row (description, state, scope) is
    # verified from that row, read anyway; the rest of it is what the plan read.
    reread = [c.address for c in run.plan.changes if not _header_only(c)]
    progress("verifying: reading the CRM again" + _verify_scope(run, touched, reread))
    live = read_live(client, kinds=touched, reuse=run.live, reread=reread)
    read_product_images(client, run.desired, live)
    after = build_plan(run.desired, live, targets=targets, fingerprint_targets=False).plan
    failed = {o.change.address for o in result.failed}
    for change in after.changes:
        if change.address in failed:
            continue  # reported with its reason already; still differing is expected
        detail = ", ".join(f.path for f in change.fields) or str(change.action)
        result.remaining.append(f"{change.address}: {detail}")
    return result
