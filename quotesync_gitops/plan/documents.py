"""The JSON shape of a plan (schemas/plan.schema.json, docs/plan-format.md), as
``Plan.to_dict()`` and ``Change.to_dict()`` write it: what leaves the process, so values are
masked JSON (``secrets.mask``), never Secrets."""

from __future__ import annotations

from typing import NotRequired, TypedDict


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
    kind: str
    name: str
    action: str
    fields: list[FieldChangeDoc]
    reason: NotRequired[str]
    source: NotRequired[SourceDoc]
    liveIds: NotRequired[dict[str, int | str]]
    children: NotRequired[list[ChangeDoc]]
    unchangedChildren: NotRequired[int]
    retire: NotRequired[list[FieldChangeDoc]]


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
