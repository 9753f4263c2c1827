"""Each kind's writer is its own: apply's engine dispatches through ``KINDS``, and a losing
duplicate of a concurrent create is retired by its kind's ``retire`` hook."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quotesync_gitops.apply.engine import apply_plan
from quotesync_gitops.changes import Action, Change, FieldChange
from quotesync_gitops.cli.main import cli
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds import KINDS
from quotesync_gitops.kinds.base import BaseKind, KindDef, WriteGuard
from quotesync_gitops.kinds.writing import (
    ApplyContext,
    ConcurrentChange,
    claim_created,
    duplicate_name,
    ids_named,
    write_body,
)
from quotesync_gitops.model import CRM_KINDS, Kind, LiveState
from quotesync_gitops.plan.model import Plan
from quotesync_gitops.target import open_client

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "manifests"


def _overrides(definition: KindDef, hook: str) -> bool:
    return getattr(type(definition), hook) is not getattr(BaseKind, hook)


def test_every_kind_the_crm_holds_has_its_writer() -> None:
    writers = {kind for kind, d in KINDS.items() if _overrides(d, "write")}
    assert writers == set(CRM_KINDS)
    assert Kind.REPOSITORY_SETTINGS not in writers  # it configures the tool, not the CRM


def test_a_kind_outside_the_crm_refuses_to_write() -> None:
    ac = ApplyContext(client=_FakeClient(), live=LiveState())  # type: ignore[arg-type]
    change = Change(Kind.REPOSITORY_SETTINGS, "default", Action.UPDATE)
    with pytest.raises(NotImplementedError, match="RepositorySettings is not written"):
        KINDS[Kind.REPOSITORY_SETTINGS].write(ac, change)


def test_exactly_the_guarded_kinds_retire_a_losing_duplicate() -> None:
    guarded = {kind for kind, d in KINDS.items() if d.write_guard is not None}
    retiring = {kind for kind, d in KINDS.items() if _overrides(d, "retire")}
    assert (
        retiring
        == guarded
        == {
            Kind.ERP_CONNECTOR,
            Kind.ERP_CONNECTION,
            Kind.QUOTE_CONNECTION,
            Kind.PRICE_LIST,
        }
    )


def test_importing_the_kinds_loads_no_writer_and_no_http_client() -> None:
    """A kind package's writer is imported on its first write (the writers bring in httpx)."""
    code = (
        "import sys, quotesync_gitops.kinds\n"
        "print(sorted(m for m in sys.modules if m == 'httpx' or m.endswith(('.write', '.guard'))))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


class _FakeClient:
    """What the engine asks of a client when no change has a desired side or a guard."""

    max_concurrency = 1

    def hide_values(self, values: object) -> None:
        raise AssertionError("no change here carries secrets")


def test_the_engine_hands_each_change_to_its_own_kind(monkeypatch: pytest.MonkeyPatch) -> None:
    written: list[tuple[str, str]] = []

    def recorder(kind: str) -> Callable[[ApplyContext, Change], None]:
        def write(ac: ApplyContext, change: Change) -> None:
            written.append((kind, change.name))

        return write

    for kind, definition in KINDS.items():
        monkeypatch.setattr(definition, "write", recorder(kind))
    fields = (FieldChange("description", "a", "b", ("description",)),)
    changes = [Change(kind, f"{kind}-1", Action.UPDATE, fields) for kind in reversed(CRM_KINDS)]
    ac = ApplyContext(client=_FakeClient(), live=LiveState())  # type: ignore[arg-type]
    result = apply_plan(Plan(changes=changes), ac)
    assert [o.status for o in result.outcomes] == ["done"] * len(CRM_KINDS)
    assert sorted(written) == sorted((str(c.kind), c.name) for c in changes)
    assert all(kind == name.removesuffix("-1") for kind, name in written)


# --- each kind's retire, against the embedded CRM -----------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CrmClient]:
    """The embedded CRM with the example manifests applied by the real CLI."""
    root = tmp_path_factory.mktemp("retire")
    crm = f"local:{root / 'crm.sqlite'}"
    result = CliRunner().invoke(
        cli, ["apply", str(EXAMPLES), "--auto-approve"], env={"QUOTESYNC_CRM": crm}
    )
    assert result.exit_code == 0, result.output
    crm_client = open_client(crm, {})
    yield crm_client
    crm_client.close()


def _copy(client: CrmClient, kind: str, object_id: int) -> int:
    """A second object with the same name, as another run's create would make it."""
    if kind == Kind.ERP_CONNECTOR:
        entity = client.erp_get_connector_entity(object_id)
        return int(
            client.erp_save_connector_entity({**entity, "ErpConnectorId": 0})["ErpConnectorId"]
        )
    if kind == Kind.ERP_CONNECTION:
        row = client.erp_get_connection(object_id)
        return int(client.erp_save_connection({**row, "ErpConnectionId": 0})["ErpConnectionId"])
    if kind == Kind.QUOTE_CONNECTION:
        row = client.quote_get_connection(object_id)
        saved = client.quote_save_connection({**row, "QuoteConnectionId": 0})
        return int(saved["QuoteConnectionId"])
    row = write_body(client.get_pricelist(object_id))
    body = {**row, "PriceListId": 0, "ERPPriceListKey": ""}
    return int(client.create_pricelist(body)["PriceListId"])


def _state(client: CrmClient, kind: str, object_id: int) -> tuple[str, bool]:
    """(name, soft-deleted) of one object, read by id (a list may leave deleted ones out)."""
    if kind == Kind.ERP_CONNECTOR:
        entity = client.erp_get_connector_entity(object_id)
        return str(entity["DisplayName"]), bool(entity["Deleted"])
    if kind == Kind.ERP_CONNECTION:
        row = client.erp_get_connection(object_id)
        return str(row["DisplayName"]), bool(row["Deleted"])
    if kind == Kind.QUOTE_CONNECTION:
        row = client.quote_get_connection(object_id)
        return str(row["DisplayName"]), bool(row["Deleted"])
    row = client.get_pricelist(object_id)
    return str(row["Name"]), not row["IsActive"]


def _first(client: CrmClient, guard: WriteGuard) -> tuple[str, int]:
    row: dict[str, Any] = next(
        dict(r) for r in guard.rows(client) if not r.get("Deleted") and r.get(guard.name_field)
    )
    return str(row[guard.name_field]), int(row[guard.id_field])


@pytest.mark.parametrize(
    "kind", [Kind.ERP_CONNECTOR, Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION, Kind.PRICE_LIST]
)
def test_a_losing_duplicate_is_retired_by_its_kind(client: CrmClient, kind: Kind) -> None:
    guard = KINDS[kind].write_guard
    assert guard is not None
    ac = ApplyContext(client=client, live=LiveState())
    name, winner = _first(client, guard)
    ours = _copy(client, kind, winner)
    assert sorted(ids_named(ac, guard, name)) == [winner, ours]

    claim_created(ac, kind, name, winner)  # the first copy is the one that stays
    assert sorted(ids_named(ac, guard, name)) == [winner, ours]

    with pytest.raises(ConcurrentChange) as lost:
        claim_created(ac, kind, name, ours)
    assert str(lost.value) == (
        f"{kind}/{name} was created by another apply at the same time (it holds #{winner}); "
        f"this run's copy #{ours} was renamed and soft-deleted, and the run stopped before "
        "writing more. Run plan again to see the current state."
    )
    assert ids_named(ac, guard, name) == [winner]
    assert _state(client, kind, ours) == (duplicate_name(name, ours), True)
    assert _state(client, kind, winner) == (name, False)
