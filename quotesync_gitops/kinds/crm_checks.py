"""Check a desired resource against what the CRM offers (its catalogs, in ``LiveContext``).

Plan runs these for new and existing resources alike; apply runs them again for a new ERP
connection once it exists (its ERP catalog only exists then). Each kind's checks are its
own (``KindDef.crm_checks``: in the kind's module, helpers in ``kinds/checking.py``); this
module dispatches through ``KINDS`` and turns what they find into ``SpecProblem``s, each at
the spec path of the offending key, in manifest form, so the pipeline can point at its own
line. All problems of a resource are returned together.

What the API offers no catalog for is not checked: CRM field keys only get a warning when
close to a key the CRM's mappings use (apply/erp_guard.py has the CRM judge them before
anything else is written); the values of a List-type config field are for the connector's
connection test to judge.
"""

from __future__ import annotations

from quotesync_gitops.kinds import KINDS
from quotesync_gitops.model import FieldInfo, LiveContext, Resource, SpecProblem


def check_against_crm(
    resource: Resource, ctx: LiveContext, live: Resource | None = None
) -> list[SpecProblem]:
    """Problems only the CRM can reveal, each at the offending key of ``resource``
    (``live``: the object as the CRM holds it, for what cannot change after creation)."""
    definition = KINDS.get(resource.kind)
    if resource.deleted or definition is None:
        return []
    return [
        SpecProblem(resource.kind, resource.name, path, message, "value", "warning")
        if at == "warn"
        else SpecProblem(resource.kind, resource.name, path, message, at)
        for path, message, at in definition.crm_checks(resource, ctx, live)
    ]


def waits_for_creation(resource: Resource, ctx: LiveContext) -> bool:
    """Whether the resource's catalog checks wait until apply has created it (a new ERP
    connection: its actor types, ERP fields and lists are known only once it exists)."""
    definition = KINDS.get(resource.kind)
    return definition is not None and definition.waits_for_creation(resource, ctx)


def deferred_checks(resource: Resource, ctx: LiveContext) -> list[str]:
    """What plan cannot check yet, as notes."""
    definition = KINDS.get(resource.kind)
    return definition.deferred_checks(resource, ctx) if definition is not None else []


def connector_fields(resource: Resource, ctx: LiveContext) -> dict[str, FieldInfo] | None:
    """The connector's declared config fields, or None when the CRM has no such connector
    (or the resource's kind has none)."""
    definition = KINDS.get(resource.kind)
    return definition.connector_fields(resource.spec, ctx) if definition is not None else None
