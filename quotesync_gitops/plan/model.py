"""The Plan: what would change, in the order apply carries it out.

A plan's changes are :mod:`quotesync_gitops.changes`' values (below the stages, so a kind's
writer can take one); they are imported here and named again, so ``plan.model`` stays the
one place a stage takes a plan's values from. Everything that leaves the process goes
through :func:`secrets.mask` (see :meth:`Plan.to_dict`), so a plan can be printed or saved
without revealing a secret.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from quotesync_gitops.changes import Action, Change, FieldChange, Section, TestResult, Touched
from quotesync_gitops.model import Kind, SourceRef
from quotesync_gitops.plan.documents import PlanDoc

__all__ = [
    "PLAN_FORMAT_VERSION",
    "Action",
    "Change",
    "FieldChange",
    "GuardReport",
    "Plan",
    "Section",
    "TestResult",
    "Touched",
    "Unmanaged",
    "change_from_dict",
    "plan_from_dict",
]

#: 2: creates carry their values (products too), a replace says what becomes of the old
#: object (``retire``), and a plan records ``workdir`` and ``targets`` (docs/plan-format.md).
PLAN_FORMAT_VERSION = 2


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
    #: "kind/name" -> sha256 of the live object's canonical form as read (plan-file staleness;
    #: a fresh plan's are made when first read, see ``plan/fingerprints.py``).
    live_fingerprints: Mapping[str, str] = field(default_factory=dict)
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
