"""Rules across documents and files: unique names, singletons, references between kinds."""

from __future__ import annotations

from collections.abc import Sequence

from quotesync_gitops.kinds import Reference, references_of
from quotesync_gitops.manifest.document import Declared
from quotesync_gitops.manifest.problems import Problems, Where
from quotesync_gitops.manifest.wording import dotted
from quotesync_gitops.model import SINGLETON_KINDS, Kind


def check_across(
    declared: Sequence[Declared], problems: Problems, *, complete: bool
) -> list[Declared]:
    """Report repeats and dangling references; return the declarations that count (firsts).

    ``complete`` is False when some file could not be read to its end: a reference to
    something declared there would look dangling, so "not declared" is not reported then.
    """
    unique = _unique(declared, problems)
    by_kind: dict[str, dict[str, Declared]] = {}
    for item in unique:
        by_kind.setdefault(item.kind, {})[item.name] = item
    for item in unique:
        if item.deleted:
            continue
        for ref in references_of(item.kind, item.spec):
            _reference(item, ref, by_kind, problems, complete and ref.must_be_declared)
        if item.kind == Kind.REPOSITORY_SETTINGS:
            _acknowledged_but_declared(item, by_kind, problems)
    return unique


def _acknowledged_but_declared(
    item: Declared, by_kind: dict[str, dict[str, Declared]], problems: Problems
) -> None:
    """An acknowledged unmanaged object that a manifest declares is managed: say the
    entry has no effect (a warning: nothing is wrong with the CRM or the plan)."""
    entries = item.spec.get("acknowledgeUnmanaged")
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        kind, name = entry.get("kind"), entry.get("name")
        declared = by_kind.get(str(kind), {}).get(str(name))
        if declared is None:
            continue
        problems.at(
            Where(item.where.file, item.where.doc, ("spec", "acknowledgeUnmanaged", index)),
            f"{kind} {name!r} is acknowledged as unmanaged, but a manifest declares it "
            "(at {first}), so it is managed: remove this entry",
            first=declared.where,
            level="warning",
        )


def _unique(declared: Sequence[Declared], problems: Problems) -> list[Declared]:
    first_by_key: dict[tuple[str, str], Declared] = {}
    first_singleton: dict[str, Declared] = {}
    unique: list[Declared] = []
    for item in declared:
        first = first_by_key.get((item.kind, item.name))
        if first is not None:
            problems.at(
                item.where,
                f"{item.kind} {item.name!r} is declared twice (first at {{first}}); names must "
                "be unique per kind",
                first=first.where,
            )
            continue
        first_by_key[(item.kind, item.name)] = item
        if item.kind in SINGLETON_KINDS:
            earlier = first_singleton.get(item.kind)
            if earlier is not None:
                problems.at(
                    item.where,
                    f"only one {item.kind} may be declared, and {earlier.name!r} already is "
                    "(at {first})",
                    first=earlier.where,
                )
                continue
            first_singleton[item.kind] = item
        unique.append(item)
    return unique


def _reference(
    item: Declared,
    ref: Reference,
    by_kind: dict[str, dict[str, Declared]],
    problems: Problems,
    must_exist: bool,
) -> None:
    where = Where(item.where.file, item.where.doc, ("spec", *ref.path))
    field = dotted(("spec", *ref.path))
    target = by_kind.get(ref.kind, {}).get(ref.name)
    if target is None:
        if must_exist:
            declared = sorted(by_kind.get(ref.kind, {}))
            listed = f"declared: {', '.join(declared)}" if declared else "none is declared"
            problems.at(
                where,
                f"{field} names {ref.kind} {ref.name!r}, which is not declared in the "
                f"manifests ({listed})",
            )
        return
    if target.deleted:
        problems.at(
            where,
            f"{field} names {ref.kind} {ref.name!r}, which is declared as deleted "
            "(deleted: true at {first}); remove the reference or restore it",
            first=target.where,
        )
