"""Read the live CRM into a LiveState: every kind's read, scheduled together.

What each kind reads, and how its answers become canonical resources, is the kind's own
(``KindDef.fetch``/``add`` in ``kinds/``); this module schedules them over ``KINDS``. Only
list calls where SuperOffice has them; per-object calls only where the API offers nothing
else (config values, actor mappings, default values), and those run through the client's
bounded-concurrency ``run_bulk``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds import KINDS, KindDef
from quotesync_gitops.kinds.reading import SINGLETON_NAME, LiveRead
from quotesync_gitops.live.directory import read_directory
from quotesync_gitops.model import MANIFEST_KINDS, FieldInfo, LiveState


def read_live(
    client: CrmClient,
    kinds: Iterable[str] | None = None,
    *,
    reuse: LiveState | None = None,
    reread: Collection[str] = (),
) -> LiveState:
    """Read every Quote/Sync object (or only those of ``kinds``) into a LiveState.

    With ``reuse`` (a state read earlier in this run), an ERP connection whose address is not
    in ``reread`` keeps the actor mappings, defaults and list mappings read then (about 30
    calls a connection); its list row (name, description, state, scope) and its config are
    read fresh. Likewise a price list not in ``reread`` keeps the products read then (its row
    is read fresh); the others' products are read with a filter on their key. Apply's
    verification uses it: it re-reads what it wrote, not the rest.

    Reads that do not need each other's answers go out together: every branch (users and
    groups, then each kind's ``fetch``: connectors, ERP connections with their per-object
    reads, the engine, quote connections, price lists with their products, quote line
    settings) starts at once, and a branch's follow-up calls start as soon as the answer
    they need is in. The client's semaphore keeps at most ``max_concurrency`` requests in
    flight however many wait. The answers are then turned into resources on this thread by
    each kind's ``add``, in ``KINDS`` order, so the result does not depend on which answer
    came first (and a kind may use what one before it read: names by id, list rows).
    """
    wanted = set(kinds) if kinds is not None else {str(k) for k in MANIFEST_KINDS}
    state = LiveState()
    read = LiveRead(client, frozenset(wanted), reuse, frozenset(reread))
    branches = read_branches(read)
    calls: list[Callable[[], Any]] = [lambda: read_directory(client, state.context)]
    calls += [call for _, call in branches if call is not None]
    # One thread per branch: each waits for its own calls, holding no request slot.
    answers = iter(client.run_bulk(calls, workers=len(calls))[1:])
    for definition, call in branches:
        definition.add(state, next(answers) if call is not None else None, read)
    for resource in list(state):
        if resource.kind not in wanted:
            del state.resources[resource.key]
    return state


def read_branches(read: LiveRead) -> list[tuple[KindDef, Callable[[], Any] | None]]:
    """Every kind, in ``KINDS`` order, with the call its read starts with (None: none)."""
    return [(definition, definition.fetch(read)) for definition in KINDS.values()]


__all__ = ["SINGLETON_NAME", "FieldInfo", "read_live"]
