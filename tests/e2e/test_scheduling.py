"""Apply writes independent resources at the same time, and keeps the dependency order."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx
import pytest

from quotesync_gitops.apply.engine import _OrderedProgress, waits_for
from quotesync_gitops.emulator import FaultConfig
from quotesync_gitops.pipeline import ManifestOptions, plan_against
from quotesync_gitops.plan.model import Action
from tests.e2e.conftest import Workspace
from tests.reliability.helpers import TOKEN, copy_examples, run_cli, running_crm

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class WriteLog:
    """WSGI middleware: (method name, start, end) of every agent save."""

    def __init__(self) -> None:
        self.saves: list[tuple[str, float, float]] = []
        self._lock = threading.Lock()

    def wrap(self, app: WsgiApp) -> WsgiApp:
        def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = str(environ.get("PATH_INFO", ""))
            began = time.monotonic()
            body = list(app(environ, start_response))
            if path.endswith("/ErpSync/SaveConnection"):
                with self._lock:
                    self.saves.append((path, began, time.monotonic()))
            return body

        return logged


def _edit_descriptions(manifests: Path) -> list[str]:
    edited = []
    for path in sorted(manifests.rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "kind: ErpConnection\n" in text:
            path.write_text(text.replace("description: ", "description: Edited. ", 1), "utf-8")
            edited.append(path.name)
    return edited


def test_independent_connections_are_written_at_the_same_time(tmp_path: Path) -> None:
    log = WriteLog()
    with running_crm(tmp_path / "crm", wrap=log.wrap) as crm:
        manifests = copy_examples(tmp_path)
        first = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert first.exit_code == 0, first.output
        assert len(_edit_descriptions(manifests)) == 2
        log.saves.clear()
        crm.faults(FaultConfig(latency_ms=150))
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert result.exit_code == 0, result.output
        crm.faults()
        again = run_cli("plan", str(manifests), "--detailed-exitcode", env=crm.env)
    assert again.exit_code == 0, again.output
    assert len(log.saves) == 2, log.saves
    (_, start_a, end_a), (_, start_b, end_b) = log.saves
    assert start_a < end_b and start_b < end_a, "the two saves did not overlap"
    # Progress keeps the plan's order: each resource's lines together, in plan order.
    lines = [
        line.strip()
        for line in result.output.splitlines()
        if line.strip().startswith(("update ErpConnection/", "updated ErpConnection/"))
    ]
    assert lines == [
        "update ErpConnection/Demo Accounting ...",
        "updated ErpConnection/Demo Accounting",
        "update ErpConnection/Demo ERP – Production ...",
        "updated ErpConnection/Demo ERP – Production",
    ]


def _waits(ws: Workspace, *, creates_only: bool = False) -> tuple[list[str], list[frozenset[int]]]:
    with ws.client() as client:
        options = ManifestOptions(paths=[str(ws.manifests)], env=dict(os.environ), variables={})
        run = plan_against(client, options)
        changes = [c for c in run.plan.changes if not creates_only or c.action is Action.CREATE]
        return [c.address for c in changes], waits_for(changes)


def test_an_update_waits_for_what_it_refers_to(applied: Workspace) -> None:
    connectors = applied.manifests / "erp" / "connectors.yaml"
    text = connectors.read_text(encoding="utf-8")
    connectors.write_text(text.replace("/demo-erp\n", "/demo-erp/\n"), encoding="utf-8")
    nok = applied.manifests / "pricing" / "standard-nok-2026.yaml"
    text = nok.read_text(encoding="utf-8")
    nok.write_text(text.replace("spec:\n", "spec:\n  quoteConnection: ERP Quotes\n", 1), "utf-8")
    _edit_descriptions(applied.manifests)
    quote = applied.manifests / "quote" / "erp-quotes.yaml"
    text = quote.read_text(encoding="utf-8")
    quote.write_text(text.replace("description: ", "description: Edited. ", 1), "utf-8")
    addresses, waits = _waits(applied)
    at = {a: i for i, a in enumerate(addresses)}

    def waited(address: str) -> set[str]:
        return {addresses[j] for j in waits[at[address]]}

    assert waited("ErpConnection/Demo ERP – Production") == {"ErpConnector/Demo ERP"}
    assert waited("ErpConnection/Demo Accounting") == set()  # its connector is unchanged
    assert waited("QuoteConnection/ERP Quotes") == {"ErpConnection/Demo ERP – Production"}
    assert waited("PriceList/Standard NOK 2026") == {"QuoteConnection/ERP Quotes"}
    assert all(j < i for i, w in enumerate(waits) for j in w)


def test_creates_keep_the_plan_order(ws: Workspace) -> None:
    addresses, waits = _waits(ws, creates_only=True)
    assert len(addresses) > 3
    # A fresh CRM: nearly everything is a create (the examples' sale-type settings are an
    # update, free to run beside them); each create waits, directly or through the create
    # before it, for every create before it: the plan's order, one at a time.
    closure: list[set[int]] = []
    for w in waits:
        closure.append(set(w).union(*(closure[j] for j in w)))
    assert closure == [set(range(i)) for i in range(len(addresses))]


def test_progress_of_a_later_resource_waits_for_the_earlier_ones() -> None:
    said: list[str] = []
    progress = _OrderedProgress(said.append, 3)
    progress.line(1, "b1")
    progress.line(0, "a1")
    progress.line(2, "c1")
    progress.finish(2)
    assert said == ["a1"]
    progress.line(1, "b2")
    progress.finish(0)
    assert said == ["a1", "b1", "b2"]
    progress.line(1, "b3")
    progress.finish(1)
    assert said == ["a1", "b1", "b2", "b3", "c1"]


@pytest.mark.parametrize(
    ("edit", "kept", "mapping_reads"),
    [
        # A description lives in the list row: no connection is read again in detail.
        (("description: ", "description: Edited. "), 2, 2 * 7),
        # A mapping: the writer reads the actor's mapping to save it (1), and the edited
        # connection's actors are read again to verify (7 actor types).
        (("direction: toCrm}", "direction: both}"), 1, 2 * 7 + 1 + 7),
    ],
    ids=["description", "mapping"],
)
def test_verification_rereads_what_apply_wrote(
    tmp_path: Path, edit: tuple[str, str], kept: int, mapping_reads: int
) -> None:
    with running_crm(tmp_path / "crm") as crm:
        manifests = copy_examples(tmp_path)
        first = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert first.exit_code == 0, first.output
        accounting = manifests / "erp" / "demo-accounting.yaml"
        text = accounting.read_text(encoding="utf-8")
        assert edit[0] in text
        accounting.write_text(text.replace(*edit, 1), "utf-8")
        httpx.delete(f"{crm.url}/_emulator/stats", headers={"Authorization": f"Bearer {TOKEN}"})
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        per_path = crm.stats()["requests_per_path"]
        again = run_cli("plan", str(manifests), "--detailed-exitcode", env=crm.env)
    assert result.exit_code == 0, result.output
    assert again.exit_code == 0, again.output
    assert f"(the details of {kept} ERP connection(s) as the plan read them" in result.output
    assert per_path["/api/v1/Agents/ErpSync/GetActorTypeMapping"] == mapping_reads
    # Config values travel with every connection save: always read again.
    assert per_path["/api/v1/Agents/ErpSync/GetErpConnectionConfigFields"] == 2 + 2
