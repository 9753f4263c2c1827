"""Manifest specs → canonical specs (docs/design.md, "Kinds and their canonical spec").

Runs only on documents without problems: every value here has the type the schema demands.
Each kind's form is its own (``quotesync_gitops.kinds``); what every kind shares is here.
"""

from __future__ import annotations

from collections.abc import Mapping

from quotesync_gitops.kinds import KINDS
from quotesync_gitops.kinds.base import ManifestSpec, Spec


def canonical_spec(kind: str, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
    """Defaults applied, unordered collections sorted, numbers floats rounded to 6 places;
    ``deleted`` always present (the kind's ``<Kind>Spec``; generic code holds it as a Spec)."""
    return {**KINDS[kind].canonical(spec, products), "deleted": bool(spec.get("deleted", False))}
