"""What the kinds' live reads share: the read itself (``LiveRead``, what ``live.read_live``
hands each kind's ``fetch``/``add``) and the small pieces every reader uses.

Nothing here loads the HTTP client (the client is a type only): a kind module imports its
read module lazily, inside ``fetch``/``add``, so validate and schema stay light.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from quotesync_gitops.kinds.base import text
from quotesync_gitops.model import LiveContext, LiveState

if TYPE_CHECKING:
    from quotesync_gitops.crm.client import CrmClient
    from quotesync_gitops.crm.errors import CrmNotFound, CrmRejected

#: The name live singletons (SyncSettings, ProductFieldSettings) carry.
SINGLETON_NAME = "default"


@dataclass
class LiveRead:
    """One read of the CRM (``live.read_live``), as each kind's ``fetch`` and ``add`` see it.

    ``fetch`` runs on a branch thread, concurrently with the other kinds' (it may only read
    the fields set before the read starts); ``add`` runs on the calling thread in ``KINDS``
    order, so a kind's ``add`` may use what an earlier kind's ``add`` left in ``names`` and
    ``rows``.
    """

    client: CrmClient
    #: The kinds asked for (a kind another one needs is read, not kept, when not asked for).
    wanted: frozenset[str]
    #: A state read earlier in this run, and the "Kind/name" addresses to read again anyway
    #: (apply's verification: it re-reads what it wrote).
    reuse: LiveState | None = None
    reread: frozenset[str] = frozenset()
    #: kind -> CRM id -> name, of the objects read so far (whether asked for or not): a quote
    #: connection names its ERP connection, a price list its quote connection, by id.
    names: dict[str, dict[int, str]] = field(default_factory=dict)
    #: kind -> its list rows as read, for a kind made of another's rows (SyncSettings'
    #: priority is the order of the ERP connections).
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def wants(self, *kinds: str) -> bool:
        """Whether any of ``kinds`` is asked for."""
        return not self.wanted.isdisjoint(kinds)

    def kept(self, kind: str) -> frozenset[int]:
        """Ids of the objects of ``kind`` whose details ``reuse`` already holds and may keep."""
        if self.reuse is None:
            return frozenset()
        return frozenset(
            int(r.ids["id"])
            for r in self.reuse.of_kind(kind)
            if f"{r.kind}/{r.name}" not in self.reread and "id" in r.ids
        )


def only_agent_refusals(exc: CrmRejected | CrmNotFound) -> None:
    """An agent's own answer (null or a Message, HTTP 200) means "not offered here"; an HTTP
    error (400, 403...) is a real failure and must not be read as an empty result."""
    if exc.status not in (None, 200):
        raise exc


def bind(func: Callable[[int], Any], arg: int) -> Callable[[], Any]:
    return lambda: func(arg)


def named(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """An MDO list's rows as name -> id."""
    return {text(r.get("Name")): int(r.get("Id") or 0) for r in rows}


def mdo(client: CrmClient, name: str) -> Callable[[], Any]:
    return lambda: client.mdo_list(name)


def read_crm_lists(client: CrmClient, ctx: LiveContext, names: Iterable[str]) -> None:
    """The items of each CRM list named (once per list, concurrently; cached in ``ctx``)."""
    wanted = sorted({n for n in names if n and n not in ctx.crm_lists})
    for name, rows in zip(wanted, client.run_bulk([mdo(client, n) for n in wanted]), strict=True):
        keep_crm_list(ctx, name, rows)


def keep_crm_list(ctx: LiveContext, name: str, rows: Iterable[Mapping[str, Any]]) -> None:
    """The items of CRM list ``name`` as ``MDOList/{name}`` answered, cached in ``ctx``."""
    ctx.crm_lists[name] = named(rows)


class CrmListReads:
    """Reads of CRM lists shared by concurrent readers: each list is read once, by the
    first reader that asks for it; the others wait for that answer (or its error).

    Each ERP connection's reader asks for the CRM lists behind its list mappings as soon as
    it knows them, alongside its default values, instead of a round of its own after every
    connection is read; two connections mapping to the same list still cost one call.
    """

    def __init__(self, client: CrmClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._reads: dict[str, Future[list[dict[str, Any]]]] = {}

    def read(self, name: str) -> list[dict[str, Any]]:
        with self._lock:
            future = self._reads.get(name)
            first = future is None
            if future is None:
                future = self._reads[name] = Future()
        if first:
            try:
                future.set_result(self._client.mdo_list(name))
            except BaseException as exc:
                future.set_exception(exc)
                raise
        return future.result()


__all__ = [
    "SINGLETON_NAME",
    "CrmListReads",
    "LiveRead",
    "bind",
    "keep_crm_list",
    "mdo",
    "named",
    "only_agent_refusals",
    "read_crm_lists",
]
