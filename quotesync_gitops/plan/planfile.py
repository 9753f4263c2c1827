"""Saved plans: versioned JSON, no secret values, written atomically."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.plan.model import PLAN_FORMAT_VERSION, Plan, plan_from_dict

PLAN_KIND = "quotesync-plan"


class PlanFileError(QuotesyncError):
    """A plan file that cannot be read or is not a quotesync plan."""


def save_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write the plan (masked) so that a reader never sees half a file."""
    data = {"kind": PLAN_KIND, **plan.to_dict()}
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".plan-", dir=target.parent)
    except OSError as exc:
        raise PlanFileError(f"cannot write plan file {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_plan(path: str | os.PathLike[str]) -> Plan:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanFileError(f"cannot read plan file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise PlanFileError(f"{path} is not a quotesync plan file (not UTF-8 text)") from exc
    try:
        data: Any = json.loads(raw)
    except ValueError as exc:
        raise PlanFileError(f"{path} is not a quotesync plan file (not JSON: {exc})") from exc
    except RecursionError as exc:  # a hand-made file nested thousands of levels deep
        raise PlanFileError(f"{path} is not a quotesync plan file (nested too deeply)") from exc
    if not isinstance(data, dict) or data.get("kind") != PLAN_KIND:
        raise PlanFileError(f"{path} is not a quotesync plan file")
    if data.get("formatVersion") != PLAN_FORMAT_VERSION:
        raise PlanFileError(
            f"{path} has plan format {data.get('formatVersion')!r}; this quotesync reads "
            f"format {PLAN_FORMAT_VERSION}"
        )
    try:
        return plan_from_dict(data)
    except (KeyError, TypeError, ValueError, RecursionError) as exc:
        raise PlanFileError(f"{path} is damaged: {exc!s:.200}") from exc


def is_plan_file(path: str | os.PathLike[str]) -> bool:
    """True for a file that looks like a saved plan (apply PLANFILE vs apply PATH...).

    A ``.json`` or ``.plan`` file is taken for a plan unless it reads as a JSON manifest
    (``apiVersion`` near its start): an empty, truncated or binary plan file must be
    refused as "not a plan file", never read as a set of no manifests ("No changes")."""
    candidate = Path(path)
    try:
        if not candidate.is_file() or candidate.suffix.lower() not in (".json", ".plan"):
            return False
        with candidate.open("rb") as handle:
            head = handle.read(4096)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return f'"{PLAN_KIND}"'.encode() in head or b'"apiVersion"' not in head
