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

from quotesync_gitops.plan.model import Plan
from quotesync_gitops.render.text import check_mode

#: Package resource holding the JSON Schema (draft 2020-12) of the output.
PLAN_SCHEMA_RESOURCE = "schemas/plan.schema.json"


def render_json(plan: Plan, *, mode: str = "plan") -> str:
    """The plan as indented JSON with ``"mode": "plan" | "drift"`` (no trailing newline)."""
    check_mode(mode)
    document: dict[str, Any] = {**plan.to_dict(), "mode": mode}
    return json.dumps(document, indent=2)


@cache
def _schema_text() -> str:
    return (resources.files("quotesync_gitops") / PLAN_SCHEMA_RESOURCE).read_text("utf-8")


def plan_schema() -> dict[str, Any]:
    """A fresh copy of the plan JSON Schema (for `quotesync schema` and for tests)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema
