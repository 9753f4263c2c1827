"""Detect another writer (a second apply, or a person) between our read and our write.

SuperOffice has no ETag, If-Match or lock for these resources, so apply checks
optimistically, right before it writes a resource: the object it is about to create must
still not exist, and the object it is about to change must still look as it did when the
plan read it (its header: name, state, description, scope, validity). A difference stops
the whole run with exit 3, so two applies cannot interleave silently. What each kind's
check reads is its ``write_guard`` (``kinds/base.WriteGuard``).

Right after a create, the kind's writer closes the gap the check before it leaves
(``kinds/writing.record_created``): when two runs created the same name at once, the later
copy is retired (the kind's ``retire``) and its run stops (exit 3).
"""

from __future__ import annotations

from quotesync_gitops.changes import Action, Change
from quotesync_gitops.crm.errors import CrmNotFound
from quotesync_gitops.kinds import KINDS
from quotesync_gitops.kinds.base import WriteGuard
from quotesync_gitops.kinds.writing import ApplyContext, conflict, ids_named


def check_before_write(ac: ApplyContext, change: Change) -> None:
    """Raise ConcurrentChange when the CRM no longer matches what the plan read."""
    guard = _guard(change.kind)
    if guard is None:
        return
    if change.action is Action.CREATE:
        if ids_named(ac, guard, change.name):
            raise conflict(change, "was created by someone else")
        return
    have = change.live
    if have is None or "id" not in change.live_ids or guard.read is None:
        return
    assert guard.head_of_carrier is not None
    try:
        head = guard.head_of_carrier(guard.read(ac.client, int(change.live_ids["id"])))
    except CrmNotFound:
        raise conflict(change, "disappeared") from None
    if head != guard.head_of_spec(have.name, have.spec, head):
        raise conflict(change, "was changed by someone else")


def _guard(kind: str) -> WriteGuard | None:
    definition = KINDS.get(kind)
    return definition.write_guard if definition is not None else None
