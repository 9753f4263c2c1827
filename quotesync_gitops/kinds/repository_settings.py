"""RepositorySettings: the singleton that configures the tool (not a CRM object)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from quotesync_gitops.kinds.base import BaseKind, ManifestSpec, Spec, number
from quotesync_gitops.kinds.export_parts import ExportContext, FlowList
from quotesync_gitops.model import Kind, RepositorySettings, Resource

#: The guards when a repository sets none: RepositorySettings' defaults, the one place.
GUARD_DEFAULTS = RepositorySettings()


class AcknowledgedSpec(TypedDict):
    kind: str
    name: str


class GuardsSpec(TypedDict):
    maxDeletePercent: float
    maxUpdatePercent: float
    minExisting: int


class RepositorySettingsFields(TypedDict):
    """What ``canonical()`` gives (``deleted`` is added beside it)."""

    prune: list[str]
    allowDeletes: bool
    #: sorted by kind and name; the manifest's ``note``s dropped
    acknowledgeUnmanaged: list[AcknowledgedSpec]
    guards: GuardsSpec


class RepositorySettingsSpec(RepositorySettingsFields):
    """RepositorySettings' canonical spec (docs/design.md)."""

    deleted: bool


class RepositorySettingsKind(BaseKind):
    kind = Kind.REPOSITORY_SETTINGS
    export_file = "settings/repository.yaml"

    def canonical(
        self, spec: ManifestSpec, products: Mapping[str, object] | None
    ) -> RepositorySettingsFields:
        guards = spec.get("guards") or {}
        return {
            "prune": sorted(spec.get("prune") or []),
            "allowDeletes": spec.get("allowDeletes", GUARD_DEFAULTS.allow_deletes),
            "acknowledgeUnmanaged": sorted(
                ({"kind": a["kind"], "name": a["name"]} for a in _acknowledged(spec)),
                key=lambda a: (str(a["kind"]), str(a["name"])),
            ),
            "guards": {
                "maxDeletePercent": number(
                    guards.get("maxDeletePercent", GUARD_DEFAULTS.max_delete_percent)
                ),
                "maxUpdatePercent": number(
                    guards.get("maxUpdatePercent", GUARD_DEFAULTS.max_update_percent)
                ),
                "minExisting": int(guards.get("minExisting", GUARD_DEFAULTS.min_existing)),
            },
        }

    def export(self, resource: Resource, ctx: ExportContext) -> Spec:
        """Not read from the CRM: export writes the settings it needs, an empty prune list."""
        return {"prune": FlowList()}


KIND = RepositorySettingsKind()


def _acknowledged(spec: ManifestSpec) -> list[dict[str, Any]]:
    entries = spec.get("acknowledgeUnmanaged") or []
    return [a for a in entries if isinstance(a, dict)]
