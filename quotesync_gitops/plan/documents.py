"""The JSON shape of a plan (schemas/plan.schema.json, docs/plan-format.md), as
``Plan.to_dict()`` and ``Change.to_dict()`` write it: what leaves the process, so values are
masked JSON (``secrets.mask``), never Secrets. A change's own shape is in ``changes.py``,
beside ``Change``; it is re-exported here."""

from __future__ import annotations

from typing import TypedDict

from quotesync_gitops.changes import ChangeDoc, FieldChangeDoc, SourceDoc


class PlanDoc(TypedDict):
    formatVersion: int
    target: str
    paths: list[str]
    workdir: str
    targets: list[str]
    summary: dict[str, object]
    changes: list[ChangeDoc]
    unmanaged: list[dict[str, object]]
    notes: list[str]
    tests: list[dict[str, object]]
    guard: dict[str, object]
    fingerprints: dict[str, dict[str, str]]


__all__ = ["ChangeDoc", "FieldChangeDoc", "PlanDoc", "SourceDoc"]
