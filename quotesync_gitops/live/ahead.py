"""The CRM read started ahead: ``read_live`` on its own thread while the manifests load.

A plan needs both the manifests and the CRM, and neither needs the other to begin: loading
is work on this machine (parsing, checking, CSV products), reading is mostly waiting for
the CRM (hundreds of calls at 50-200 ms each across the internet). Started together, the
plan costs about the longer of the two instead of their sum.

What the plan sees does not change: the read is the same full ``read_live`` it would make
afterwards, and its answer (or its error) is taken only once the manifests are loaded, so
a manifest problem is still reported before a CRM problem.

The embedded CRM (a client of a server in this process, ``CrmClient.in_process``) is not
read ahead: it answers on this process's own CPU under the same GIL, so the two threads
would only take turns, and their contention cost a plan of 100,000 products about 10%
more time and 20 MB more memory. Its read runs on the thread that asks for the state,
after loading, as before the read ahead existed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.live.reader import read_live
from quotesync_gitops.model import LiveState


class ReadAhead:
    """A ``read_live(client)`` running on a thread of its own, started on creation (for an
    in-process client: run on the first ``state`` call instead).

    The thread is a daemon, so a plan that ends without the answer (invalid manifests with
    nothing loaded, Ctrl+C, a bug) does not wait for the whole read; the interpreter still
    waits at exit for the calls the read's worker threads have in flight (closing the client
    makes the queued ones fail at once).
    """

    def __init__(self, client: CrmClient) -> None:
        self._answer: Future[LiveState] = Future()
        self._deferred: CrmClient | None = None
        if client.in_process:
            self._deferred = client
            return
        thread = threading.Thread(
            target=self._read, args=(client,), name="quotesync-read-ahead", daemon=True
        )
        thread.start()

    def _read(self, client: CrmClient) -> None:
        self._answer.set_running_or_notify_cancel()
        try:
            self._answer.set_result(read_live(client))
        except BaseException as exc:  # handed to the thread that takes the answer
            self._answer.set_exception(exc)

    def state(self, kinds: Iterable[str] | None = None) -> LiveState:
        """The CRM as read (raising what the read raised), or only its resources of
        ``kinds``, as ``read_live(client, kinds)`` would have read them."""
        if self._deferred is not None:
            client, self._deferred = self._deferred, None
            self._read(client)
        live = self._answer.result()
        if kinds is None:
            return live
        wanted = set(kinds)
        resources = {key: r for key, r in live.resources.items() if r.kind in wanted}
        return LiveState(resources, notes=live.notes, context=live.context)
