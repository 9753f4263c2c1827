"""The served emulator, as SuperOffice's own TypeScript client (``@superoffice/webapi``) sees it.

``quotesync emulator serve`` runs on 127.0.0.1 with credentials; the example manifests are
applied through it; then ``contract.js`` (node) calls every ErpSync, Quote and MDO agent method
the emulator serves through the client's agents, checks every answer survives the client's own
converters, and makes one change per managed object. ``quotesync drift`` must then report
exactly those changes, each once, and ``quotesync apply`` must put them back. The test fails
when the emulator refuses any of the client's requests, answers one with a Message, answers a
field the client's converters lose, or hands a stored secret back.

node missing: skipped. node present but the client not installed: a failure that names the
command (``npm ci --prefix tests/webapi_client``), which ``.ci/run`` and the README's test
command run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from quotesync_gitops.cli.main import cli
from quotesync_gitops.emulator.app import ROUTES

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples" / "manifests"
CLIENT = HERE / "node_modules" / "@superoffice" / "webapi" / "package.json"
PINNED = "12.4.1514"
CREDENTIALS = {"QUOTESYNC_TICKET": "webapi-ticket", "QUOTESYNC_APP_TOKEN": "webapi-app"}
RUN_CLI = "from quotesync_gitops.cli.main import cli; cli(prog_name='quotesync')"


def _node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the @superoffice/webapi contract test needs node 20")
    if not CLIENT.is_file():
        pytest.fail(
            "SuperOffice's TypeScript client is not installed; run "
            "`npm ci --prefix tests/webapi_client` (the README's test command does)."
        )
    version = json.loads(CLIENT.read_text(encoding="utf-8"))["version"]
    assert version == PINNED, f"@superoffice/webapi {version} installed, {PINNED} pinned"
    return node


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QUOTESYNC_")}
    return {**env, **CREDENTIALS, "NO_COLOR": "1"}


@pytest.fixture
def served(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """``quotesync emulator serve --port 0`` with a ticket and app token; yields its URL.

    Parametrise indirectly with a list of extra ``serve`` options (``--fault ...``).
    """
    extra: list[str] = getattr(request, "param", [])
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            RUN_CLI,
            "emulator",
            "serve",
            "--port",
            "0",
            "--db",
            str(tmp_path / "crm.sqlite"),
            "--ticket",
            CREDENTIALS["QUOTESYNC_TICKET"],
            "--app-token",
            CREDENTIALS["QUOTESYNC_APP_TOKEN"],
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        assert first.startswith("Serving SuperOffice-compatible WebAPI on http://127.0.0.1:"), (
            first + (process.stderr.read() if process.stderr else "")
        )
        yield first.rsplit(" ", 1)[1].strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _quotesync(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env=_env(), catch_exceptions=False)


def _drift(manifests: Path, url: str) -> list[tuple[str, str]]:
    """Every change drift reports, as (address, field path); unmanaged objects with path ""."""
    result = _quotesync("drift", str(manifests), "--crm", url, "--format", "json")
    assert result.exit_code == 2, result.output
    report = json.loads(result.output)
    found: list[tuple[str, str]] = []
    for change in report["changes"]:
        address = f"{change['kind']}/{change['name']}"
        found += [(address, f["path"]) for f in change.get("fields", [])]
        for child in change.get("children", []):
            code = child["name"].rsplit("/", 1)[1]
            found += [(address, f"products.{code}.{f['path']}") for f in child.get("fields", [])]
    found += [(f"unmanaged/{u['name']}", "") for u in report["unmanaged"]]
    return sorted(found)


def _agent_methods() -> set[str]:
    """``Agent/Method`` of every agent method the emulator serves."""
    prefix = "/api/v1/Agents/"
    return {r.template[len(prefix) :] for r in ROUTES if r.template.startswith(prefix)}


def test_superoffice_client_reads_and_writes_and_drift_sees_each_change_once(
    served: str, tmp_path: Path
) -> None:
    node = _node()
    manifests = tmp_path / "manifests"
    shutil.copytree(EXAMPLES, manifests)
    applied = _quotesync("apply", str(manifests), "--crm", served, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    quiet = _quotesync("drift", str(manifests), "--crm", served)
    assert quiet.exit_code == 0, quiet.output

    # the examples' secrets (their ${env:...:-default} values); no answer may hand one back
    secrets = {"CONTRACT_SECRETS": "demo-password,demo-api-key"}
    run = subprocess.run(
        [node, str(HERE / "contract.js"), served],
        capture_output=True,
        text=True,
        env={**_env(), **secrets},
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, f"the TypeScript client failed:\n{run.stderr}{run.stdout}"
    report = json.loads(run.stdout)

    # every agent method the emulator serves went through the client, and nothing else was called
    assert set(report["calls"]) == _agent_methods()
    assert report["checked"] > 1000  # fields compared between the raw answers and the converted
    made = sorted((c["address"], c["path"]) for c in report["changes"])
    assert len(made) == len(set(made)) == 9
    assert _drift(manifests, served) == made

    # and quotesync puts back what the client changed; only the unmanaged connection remains
    repaired = _quotesync("apply", str(manifests), "--crm", served, "--auto-approve")
    assert repaired.exit_code == 0, repaired.output
    assert _drift(manifests, served) == [("unmanaged/Made by webapi", "")]


def _contract(node: str, url: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [node, str(HERE / "contract.js"), url],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_the_client_is_refused_without_credentials(served: str) -> None:
    env = {k: v for k, v in _env().items() if k not in CREDENTIALS}
    run = _contract(_node(), served, env)
    assert run.returncode == 1
    assert "ErpSync/GetAllConnectors: the emulator refused the client's request (401)" in run.stderr


@pytest.mark.parametrize(
    "served", [["--fault", "500,path=ErpSync/GetConfigurationFields"]], indirect=True
)
def test_one_refused_method_fails_the_contract(served: str) -> None:
    """Were the emulator to stop accepting one of the client's requests, the test would fail."""
    run = _contract(_node(), served, _env())
    assert run.returncode == 1
    assert (
        "ErpSync/GetConfigurationFields: the emulator refused the client's request (500)"
        in run.stderr
    )


def test_the_secret_canary_can_fail(served: str) -> None:
    """Declare a value every CRM answers ("Demo ERP") secret: the first answer carrying it fails."""
    run = _contract(_node(), served, {**_env(), "CONTRACT_SECRETS": "Demo ERP"})
    assert run.returncode == 1
    assert "ErpSync/GetAllConnectors: an answer carried a stored secret in clear" in run.stderr
    assert "Demo ERP" not in run.stderr  # the message names the method, never the value


def test_the_lossless_check_catches_what_the_converters_lose() -> None:
    """The check itself can fail: answers SuperOffice's converters drop or misread are caught."""
    run = subprocess.run(
        [_node(), str(HERE / "lossless_cases.js")],
        capture_output=True,
        text=True,
        cwd=HERE,
        timeout=60,
        check=True,
    )
    outcome = dict(line.split(" ", 1) for line in run.stdout.splitlines())
    assert outcome == {
        "valid": "passed",
        "unknownEnum": 'caught: unknownEnum.Status: "Bogus" became undefined',
        "unknownField": "caught: unknownField: the client's converter dropped 'Colour'",
        "badDuration": "caught: badDuration.Interval: duration 15 minutes became P0D",
        "badDate": "caught: badDate.ValidFrom: date 2026-13-45T00:00:00 became Invalid Date",
    }


def test_without_node_the_contract_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="node is not installed"):
        _node()


def test_node_without_the_client_installed_fails_naming_the_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/node")
    monkeypatch.setattr(sys.modules[__name__], "CLIENT", tmp_path / "missing" / "package.json")
    with pytest.raises(pytest.fail.Exception, match=r"npm ci --prefix tests/webapi_client"):
        _node()
