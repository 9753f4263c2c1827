"""Shared pieces of the reliability tests: a served CRM, the CLI, and what the CRM holds.

Everything talks over real HTTP on 127.0.0.1. The CRM is the emulator (``create_app``) served
by a small threaded WSGI server of our own, so a test can put middleware in front of it (a
kill switch that freezes the server after the Nth write, a recorder of writes) and swap it at
runtime. Results are always checked through the client, never by peeking into SQLite.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

import httpx
from click.testing import CliRunner, Result

from quotesync_gitops.cli.main import cli
from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.retry import ONLY_429_NOT_PROCESSED, RetryPolicy
from quotesync_gitops.emulator import Credentials, EmulatorApp, FaultConfig, create_app
from quotesync_gitops.manifest import load_manifests
from quotesync_gitops.model import Kind
from quotesync_gitops.pipeline import ManifestOptions, plan_against
from quotesync_gitops.target import open_client

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "manifests"
#: The CRM's credential in these tests (a Bearer token), and a canary that must never leak.
TOKEN = "crm-token-Rk7vQ2-never-print"

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Fast retries for in-process runs: same policy, tiny waits (Retry-After is still honoured).
FAST_RETRY = RetryPolicy(
    max_attempts=6,
    base_delay=0.005,
    max_delay=0.05,
    total_timeout=60.0,
    not_processed_statuses=ONLY_429_NOT_PROCESSED,
)


# --- a threaded WSGI server we control --------------------------------------------------


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class _QuietHandler(ServerHandler):
    os_environ: dict[str, str] = {}  # noqa: RUF012  (keep our environment out of requests)

    def handle_error(self) -> None:
        """A dropped or killed client is expected here; say nothing, answer nothing."""
        with contextlib.suppress(Exception):
            self.close()


class _QuietRequestHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def handle(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline or not self.parse_request():
            return
        handler = _QuietHandler(
            self.rfile,
            self.wfile,  # type: ignore[arg-type]
            self.get_stderr(),
            self.get_environ(),
            multithread=True,
        )
        handler.request_handler = self  # type: ignore[attr-defined]
        with contextlib.suppress(ConnectionError, OSError):  # a killed client
            handler.run(self.server.get_app())  # type: ignore[attr-defined]


@dataclass
class Served:
    """A WSGI app served on 127.0.0.1; ``app`` can be replaced while it runs."""

    url: str
    server: _Server

    def set_app(self, app: WsgiApp) -> None:
        self.server.set_app(app)


@contextmanager
def serve(app: WsgiApp) -> Iterator[Served]:
    server = _Server(("127.0.0.1", 0), _QuietRequestHandler)
    server.set_app(app)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", server)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# --- the CRM ------------------------------------------------------------------------------


@dataclass
class Crm:
    """The emulator over ``db``, served over HTTP, needing the Bearer ``TOKEN``."""

    db: Path
    app: EmulatorApp
    served: Served

    @property
    def url(self) -> str:
        return self.served.url

    @property
    def env(self) -> dict[str, str]:
        return {"QUOTESYNC_CRM": self.url, "QUOTESYNC_ACCESS_TOKEN": TOKEN, "NO_COLOR": "1"}

    def client(self, retry: RetryPolicy | None = FAST_RETRY) -> CrmClient:
        return open_client(self.url, {"QUOTESYNC_ACCESS_TOKEN": TOKEN}, retry=retry)

    def faults(self, config: FaultConfig | None = None) -> None:
        self.app.faults.configure(config or FaultConfig())

    def stats(self) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.url}/_emulator/stats", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        answer.raise_for_status()
        data: dict[str, Any] = answer.json()
        return data


_TEMPLATE: dict[str, Path] = {}
_TEMPLATE_LOCK = threading.Lock()


def seeded_db(folder: Path) -> Path:
    """A new-tenant database in ``folder`` (copied from one seeded template: fast)."""
    with _TEMPLATE_LOCK:
        if "db" not in _TEMPLATE:
            # One per process (each xdist worker makes its own), removed when it exits.
            template_dir = Path(tempfile.mkdtemp(prefix="quotesync-template-"))
            atexit.register(shutil.rmtree, template_dir, True)
            path = template_dir / "crm.sqlite"
            create_app(path).close()
            _TEMPLATE["db"] = path
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "crm.sqlite"
    shutil.copyfile(_TEMPLATE["db"], target)
    return target


@contextmanager
def running_crm(folder: Path, *, wrap: Callable[[WsgiApp], WsgiApp] | None = None) -> Iterator[Crm]:
    db = seeded_db(folder)
    app = create_app(db, credentials=Credentials(access_token=TOKEN))
    try:
        with serve(wrap(app) if wrap else app) as served:
            yield Crm(db, app, served)
    finally:
        app.close()


# --- manifests and the CLI ----------------------------------------------------------------


def copy_examples(folder: Path) -> Path:
    target = folder / "manifests"
    shutil.copytree(EXAMPLES, target)
    return target


def run_cli(*args: str, env: dict[str, str] | None = None) -> Result:
    """The real CLI in process (click's runner); exceptions are not swallowed."""
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def cli_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "quotesync_gitops", *args]


def run_subprocess(
    *args: str, env: dict[str, str], cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real CLI as a separate process (a real exit code, a real stderr)."""
    full_env = {**os.environ, **env}
    return subprocess.run(
        cli_command(*args),
        env=full_env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@contextmanager
def fast_retries() -> Iterator[None]:
    """The CLI's client builds its own RetryPolicy; make its waits tiny in process.

    Only the delays change: which failures are retried, and how, stays the CLI's own."""
    with retry_policy(base_delay=0.005, max_delay=0.05):
        yield


@contextmanager
def retry_policy(**changes: Any) -> Iterator[None]:
    """The default RetryPolicy of clients built meanwhile, with ``changes``."""
    from quotesync_gitops.crm import core

    name = "RetryPolicy"  # what CrmCore builds its default policy with
    original = getattr(core, name)
    setattr(core, name, functools.partial(RetryPolicy, **changes))
    try:
        yield
    finally:
        setattr(core, name, original)


# --- what the CRM holds ---------------------------------------------------------------------


#: What apply/concurrency.py puts in the name of a copy a losing concurrent apply retired.
RETIRED_MARK = "from a concurrent apply)"


@dataclass(frozen=True)
class Inventory:
    """Everything apply creates, as read through the client."""

    erp_connections: tuple[tuple[str, bool], ...]  # (name, deleted)
    quote_connections: tuple[tuple[str, bool], ...]
    price_lists: tuple[tuple[str, bool, str], ...]  # (name, active, key)
    products: tuple[tuple[str, str], ...]  # (price list key, code)

    def duplicates(self) -> list[str]:
        found = []
        for what, names in (
            ("ERP connection", [n for n, _ in self.erp_connections]),
            ("quote connection", [n for n, _ in self.quote_connections]),
            ("price list", [n for n, _, _ in self.price_lists]),
            ("product", [f"{k}/{c}" for k, c in self.products]),
        ):
            found += [f"{what} {n!r} x{c}" for n, c in Counter(names).items() if c > 1]
        return found

    def product_codes(self, price_list: str) -> list[str]:
        """Codes in the list, without copies a losing concurrent apply retired."""
        keys = [k for n, _, k in self.price_lists if n == price_list]
        return sorted(
            c for k, c in self.products if keys and k == keys[0] and RETIRED_MARK not in c
        )


def read_inventory(client: CrmClient) -> Inventory:
    return Inventory(
        erp_connections=tuple(
            (str(r.get("DisplayName")), bool(r.get("Deleted")))
            for r in client.erp_get_all_connections(include_deleted=True)
        ),
        quote_connections=tuple(
            (str(r.get("DisplayName")), bool(r.get("Deleted")))
            for r in client.quote_get_installed_connections()
        ),
        price_lists=tuple(
            (str(r.get("Name")), bool(r.get("IsActive")), str(r.get("ERPPriceListKey")))
            for r in client.iter_pricelists()
        ),
        products=tuple(
            (str(r.get("ERPPriceListKey")), str(r.get("Code"))) for r in client.iter_products()
        ),
    )


@dataclass(frozen=True)
class Expected:
    """What the manifests ask for: names per kind and product counts per price list."""

    erp_connections: frozenset[str]
    quote_connections: frozenset[str]
    price_lists: dict[str, list[str]] = field(default_factory=dict)  # name -> codes


def expected_from(manifests: Path) -> Expected:
    result = load_manifests([manifests], env={})
    assert result.ok, [str(d) for d in result.diagnostics]
    desired = result.desired
    return Expected(
        erp_connections=frozenset(
            r.name for r in desired.of_kind(Kind.ERP_CONNECTION) if not r.deleted
        ),
        quote_connections=frozenset(
            r.name for r in desired.of_kind(Kind.QUOTE_CONNECTION) if not r.deleted
        ),
        price_lists={
            r.name: sorted(r.spec.get("products", {}))
            for r in desired.of_kind(Kind.PRICE_LIST)
            if not r.deleted
        },
    )


def remaining_changes(crm: Crm, manifests: Path) -> list[str]:
    """What a fresh plan (no faults) would still change: [] when converged."""
    with crm.client() as client:
        run = plan_against(client, ManifestOptions(paths=[str(manifests)], env={}, variables={}))
    return [f"{c.action} {c.address}" for c in run.plan.changes]


def problems_after(crm: Crm, manifests: Path) -> list[str]:
    """Everything wrong with the CRM after a run: remaining changes, duplicates, losses."""
    saved = crm.app.faults.to_json()
    crm.faults()  # the check itself reads without faults
    try:
        problems = [f"plan still has: {c}" for c in remaining_changes(crm, manifests)]
        with crm.client() as client:
            inventory = read_inventory(client)
    finally:
        crm.faults(FaultConfig.from_json(saved))
    problems += [f"duplicate: {d}" for d in inventory.duplicates()]
    want = expected_from(manifests)
    live_erp = {n for n, deleted in inventory.erp_connections if not deleted}
    live_quote = {n for n, deleted in inventory.quote_connections if not deleted}
    problems += [f"lost ERP connection {n!r}" for n in sorted(want.erp_connections - live_erp)]
    problems += [
        f"lost quote connection {n!r}" for n in sorted(want.quote_connections - live_quote)
    ]
    for name, codes in sorted(want.price_lists.items()):
        have = inventory.product_codes(name)
        if have != codes:
            lost = sorted(set(codes) - set(have))
            extra = sorted((Counter(have) - Counter(codes)).elements())
            problems.append(f"price list {name!r}: lost products {lost}, extra {extra}")
    return problems


# --- which requests write -----------------------------------------------------------------

_AGENT_WRITE = re.compile(
    r"/api/v1/agents/\w+/(save|delete|toggle|move|restore|change)\w*$", re.IGNORECASE
)
_REST_WRITE = re.compile(r"/api/v1/(pricelist|product)(/\d+)?$", re.IGNORECASE)


def is_write(method: str, path: str) -> bool:
    """Requests that change the CRM (agent Save*/Delete*/Toggle*/Move*/..., REST POST/PUT)."""
    if method == "POST" and _AGENT_WRITE.search(path):
        return True
    return method in ("POST", "PUT") and bool(_REST_WRITE.search(path))


def request_label(environ: dict[str, Any]) -> str:
    path = str(environ.get("PATH_INFO", ""))
    return f"{environ.get('REQUEST_METHOD', 'GET')} {path.removeprefix('/api/v1/')}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
