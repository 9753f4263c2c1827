"""JSON rendering of a Plan: ``Plan.to_dict()`` plus the mode, in the versioned shape of
``schemas/plan.schema.json`` (documented in docs/plan-format.md).

Secrets are masked by ``to_dict()``; the encoder is the standard one, which refuses
unknown types, so a stray ``Secret`` fails loudly instead of being written.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from quotesync_gitops.plan.documents import ChangeDoc
from quotesync_gitops.plan.model import Plan
from quotesync_gitops.render.wording import Mode, check_mode
from quotesync_gitops.secrets import MASK

#: Package resource holding the JSON Schema (draft 2020-12) of the output.
PLAN_SCHEMA_RESOURCE = "schemas/plan.schema.json"


def render_json(plan: Plan, *, mode: Mode = "plan") -> str:
    """The plan as indented JSON with ``"mode": "plan" | "drift"`` (no trailing newline)."""
    check_mode(mode)
    data = plan.to_dict()
    for change in data["changes"]:
        _mask_both_sides(change)
    return json.dumps({**data, "mode": mode}, indent=2)


def _mask_both_sides(change: ChangeDoc) -> None:
    """A sensitive field shows ``(sensitive)`` on both sides, as in text and Markdown.

    ``FieldChange.to_dict`` masks only the side holding the Secret; when a value is a secret
    in the manifests but readable in the CRM (a ``${env:}`` value in a non-Password field),
    the live side would otherwise be printed.
    """
    for field_change in change["fields"]:
        if field_change["sensitive"]:
            if field_change["before"] is not None:
                field_change["before"] = MASK
            if field_change["after"] is not None:
                field_change["after"] = MASK
    for child in change.get("children", ()):
        _mask_both_sides(child)


@cache
def _schema_text() -> str:
    return (resources.files("quotesync_gitops") / PLAN_SCHEMA_RESOURCE).read_text("utf-8")


def plan_schema() -> dict[str, Any]:
    """A fresh copy of the plan JSON Schema (for `quotesync schema` and for tests)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema
