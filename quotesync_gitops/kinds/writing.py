"""What every writer needs beside its change: the client, the live state (ids of objects
it refers to, the CRM's catalogs), ids of objects made in this run.

There is no desired state here on purpose: a writer takes its desired object from the
change it carries out (``wanted``), never by looking a name up again."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from quotesync_gitops.changes import Change
from quotesync_gitops.errors import QuotesyncError
from quotesync_gitops.model import LiveState, Resource, SpecProblem

if TYPE_CHECKING:  # the kinds load without the HTTP client (validate, schema)
    from quotesync_gitops.crm.client import CrmClient


class ResourceFailed(QuotesyncError):
    """This resource could not be applied; the rest of the plan goes on without it."""


@dataclass
class ApplyContext:
    client: CrmClient
    live: LiveState
    progress: Callable[[str], None] = lambda _message: None
    #: (label, done, total) while bulk product writes run; the CLI draws a bar on a TTY
    bulk_progress: Callable[[str, int, int], None] = lambda _label, _done, _total: None
    #: (kind, name) -> id of objects created during this run
    created: dict[tuple[str, str], int] = field(default_factory=dict)
    #: Problems against the CRM's catalogs as report lines; the pipeline sets one that
    #: points at each manifest line (apply knows specs, not files)
    locate: Callable[[Sequence[SpecProblem]], list[str]] = field(
        default=lambda problems: [f"{p.kind} {p.name!r}: {p.message}" for p in problems]
    )

    def id_of(self, kind: str, name: str | None) -> int:
        """Server id of an object, whether it existed before or was created in this run."""
        if not name:
            return 0
        if (kind, name) in self.created:
            return self.created[(kind, name)]
        existing = self.live.get(kind, name)
        if existing is None:
            raise ResourceFailed(f"{kind} {name!r} does not exist in the CRM")
        return int(existing.ids["id"])


def wanted(change: Change) -> Resource:
    """The prepared desired resource a change writes (every change but a prune has one)."""
    if change.desired is None:
        raise ResourceFailed(f"{change.kind} {change.name!r} is not in the manifests")
    return change.desired


def created_id(saved: Mapping[str, object], id_key: str, what: str) -> int:
    """The id of an object the CRM says it created; a create answered without one failed."""
    ident = saved.get(id_key)
    if isinstance(ident, bool) or not isinstance(ident, int) or ident <= 0:
        raise ResourceFailed(f"the CRM answered the create of {what} without an {id_key}")
    return ident


def find_by_name(
    rows: list[dict[str, object]], name_field: str, name: str
) -> dict[str, object] | None:
    """The non-deleted row with this display name (used to check whether a create landed)."""
    for row in rows:
        if row.get(name_field) == name and not row.get("Deleted"):
            return row
    return None
