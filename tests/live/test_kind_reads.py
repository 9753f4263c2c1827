"""Each kind reads itself (``KindDef.fetch``/``add``); ``read_live`` only schedules them.

The reads of all kinds start together (one branch each, with the directory); their answers
become resources in ``KINDS`` order, whatever order they arrive in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from quotesync_gitops.kinds import KINDS, KindDef
from quotesync_gitops.kinds.base import BaseKind
from quotesync_gitops.kinds.reading import LiveRead
from quotesync_gitops.live import reader
from quotesync_gitops.model import MANIFEST_KINDS, Kind, LiveState, Resource
from quotesync_gitops.target import open_client


class Untouched:
    """A client no test call may reach: ``fetch`` only builds calls, it makes none."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: object, **kwargs: object) -> Any:
            raise AssertionError(f"fetch called the CRM: {name}")

        return call


def _branches(*kinds: str) -> list[str]:
    read = LiveRead(Untouched(), frozenset(kinds))  # type: ignore[arg-type]
    return [str(d.kind) for d, call in reader.read_branches(read) if call is not None]


def test_every_crm_kind_has_a_read_of_its_own() -> None:
    for kind, definition in KINDS.items():
        reads = type(definition).add is not BaseKind.add
        assert reads is (kind != Kind.REPOSITORY_SETTINGS), kind  # not a CRM object


def test_a_kind_is_added_after_the_kinds_it_names_by_id() -> None:
    order = list(KINDS)
    # quote connections name ERP connections, price lists quote connections, SyncSettings
    # orders the ERP connections' rows; every connection names a connector.
    for before, after in (
        (Kind.ERP_CONNECTOR, Kind.ERP_CONNECTION),
        (Kind.ERP_CONNECTOR, Kind.QUOTE_CONNECTION),
        (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION),
        (Kind.ERP_CONNECTION, Kind.SYNC_SETTINGS),
        (Kind.QUOTE_CONNECTION, Kind.PRICE_LIST),
    ):
        assert order.index(before) < order.index(after), (before, after)


def test_what_is_asked_for_decides_which_branches_start() -> None:
    everything = [str(k) for k in MANIFEST_KINDS]
    # Sale types read after the branches, in their add; the repository is not in the CRM.
    assert _branches(*everything) == [
        Kind.ERP_CONNECTOR,
        Kind.ERP_CONNECTION,
        Kind.QUOTE_CONNECTION,
        Kind.SYNC_SETTINGS,
        Kind.PRICE_LIST,
        Kind.PRODUCT_FIELD_SETTINGS,
    ]
    # Connectors are the catalog of every connection; the ERP connection list names them.
    assert _branches(Kind.ERP_CONNECTOR) == [Kind.ERP_CONNECTOR, Kind.ERP_CONNECTION]
    # A price list names its quote connection by id: the quote connections are read too.
    assert _branches(Kind.PRICE_LIST) == [
        Kind.ERP_CONNECTOR,
        Kind.ERP_CONNECTION,
        Kind.QUOTE_CONNECTION,
        Kind.PRICE_LIST,
    ]
    assert _branches(Kind.SALE_TYPE_QUOTE_SETTINGS) == [Kind.ERP_CONNECTOR, Kind.ERP_CONNECTION]


def test_kept_details_are_those_not_read_again() -> None:
    reuse = LiveState()
    for name, ident in (("A", 1), ("B", 2)):
        reuse.add(Resource(Kind.ERP_CONNECTION, name, {}, ids={"id": ident}))
    reuse.add(Resource(Kind.ERP_CONNECTION, "C", {}))  # never created: no id
    read = LiveRead(Untouched(), frozenset(), reuse, frozenset({"ErpConnection/B"}))  # type: ignore[arg-type]
    assert read.kept(Kind.ERP_CONNECTION) == {1}
    assert LiveRead(Untouched(), frozenset()).kept(Kind.ERP_CONNECTION) == frozenset()  # type: ignore[arg-type]


class Reversed:
    """The client, except that its first batch (read_live's branches) runs last to first,
    one after the other: the answers arrive in the opposite order to the branches."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.first_batch: int | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def run_bulk(self, calls: list[Callable[[], Any]], *, workers: int | None = None) -> list[Any]:
        if self.first_batch is not None:
            return list(self._client.run_bulk(calls, workers=workers))
        self.first_batch = len(calls)
        answers = [call() for call in reversed(calls)]
        return answers[::-1]


class Recording:
    """A kind whose ``add`` is recorded."""

    def __init__(self, definition: KindDef, added: list[str]) -> None:
        self._definition = definition
        self._added = added

    def __getattr__(self, name: str) -> Any:
        return getattr(self._definition, name)

    def add(self, state: LiveState, fetched: Any, read: LiveRead) -> None:
        self._added.append(str(self._definition.kind))
        self._definition.add(state, fetched, read)


def _specs(live: LiveState) -> dict[tuple[str, str], Any]:
    return {r.key: (dict(r.spec), dict(r.ids)) for r in live}


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    added: list[str] = []
    spies = {kind: Recording(definition, added) for kind, definition in KINDS.items()}
    monkeypatch.setattr(reader, "KINDS", spies)
    yield added


def test_answers_become_resources_in_kinds_order_whatever_order_they_arrive(
    examples_crm: str, recorded: list[str]
) -> None:
    with open_client(examples_crm, {}) as client:
        expected = reader.read_live(client)
        recorded.clear()
        backwards = Reversed(client)
        live = reader.read_live(backwards)  # type: ignore[arg-type]
    assert backwards.first_batch == 7  # the directory and six kinds' branches, together
    assert recorded == [str(k) for k in KINDS]
    assert _specs(live) == _specs(expected)
    assert live.notes == expected.notes
    assert {r.kind for r in live} == {str(k) for k in MANIFEST_KINDS} - {Kind.REPOSITORY_SETTINGS}


def test_a_kind_not_asked_for_is_read_only_for_those_that_need_it(examples_crm: str) -> None:
    with open_client(examples_crm, {}) as client:
        everything = reader.read_live(client)
        price_lists = reader.read_live(client, kinds=[Kind.PRICE_LIST])
    assert {r.kind for r in price_lists} == {Kind.PRICE_LIST}
    # Their quote connection, named by id, was read (not kept) to name it here.
    assert _specs(price_lists) == {
        k: v for k, v in _specs(everything).items() if k[0] == Kind.PRICE_LIST
    }
    assert {r.name: r.spec["quoteConnection"] for r in price_lists} == {
        "Services EUR 2026": "ERP Quotes",
        "Standard NOK 2026": None,
    }
