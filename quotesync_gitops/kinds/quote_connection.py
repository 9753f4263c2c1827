"""QuoteConnection: a connection of a Quote Connector (``QuoteConnection``).

Its carrier is built in apply/carriers.py and read in live/quote_reader.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from quotesync_gitops.kinds.base import (
    BaseKind,
    DiffRules,
    ManifestSpec,
    Reference,
    Spec,
    reference_at,
    scope,
    secrets_version,
)
from quotesync_gitops.model import Kind


class QuoteConnectionKind(BaseKind):
    kind = Kind.QUOTE_CONNECTION
    rules = DiffRules(server_filled=frozenset({"secretsVersion"}))

    def canonical(self, spec: ManifestSpec, products: Mapping[str, object] | None) -> Spec:
        return {
            "connector": spec.get("connector", ""),
            "erpName": spec.get("erpName", ""),
            "erpConnection": spec.get("erpConnection"),
            "description": spec.get("description", ""),
            **secrets_version(spec),
            "scope": scope(spec.get("scope")),
            "config": dict(spec.get("config") or {}),
        }

    def references(self, spec: Mapping[str, object]) -> list[Reference]:
        return reference_at(spec, "erpConnection", Kind.ERP_CONNECTION)


KIND = QuoteConnectionKind()
