"""Manifest specs → canonical specs (docs/design.md, "Kinds and their canonical spec").

Runs only on documents without problems: every value here has the type the schema demands.
Each kind's form is its own (``quotesync_gitops.kinds``); what every kind shares is here.
"""

from __future__ import annotations

from typing import Any

from quotesync_gitops.kinds import KINDS

Spec = dict[str, Any]


def canonical_spec(kind: str, spec: Spec, products: dict[str, dict[str, Any]] | None) -> Spec:
    """Defaults applied, unordered collections sorted, numbers floats rounded to 6 places;
    ``deleted`` always present."""
    out = KINDS[kind].canonical(spec, products)
    out["deleted"] = bool(spec.get("deleted", False))
    return out
