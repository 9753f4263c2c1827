"""The canary search of ``tests/reliability/test_secrets_everywhere.py``, signed in to Online.

Every command in every format (with ``--debug`` and DEBUG logging) runs against the emulated
Online tenant with the system user and with an OAuth refresh token (and, onsite style, with
Basic), and again on the error paths: sign-in refused, a tenant that is not running, a
restricted agent, a tenant that keeps moving. The private key (PEM and RSA XML), the system
user token, the refresh token, the client secret, the Basic password and every ticket or
access token the emulator issued must appear nowhere.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.crm import online
from tests.reliability.helpers import run_cli
from tests.reliability.test_secrets_everywhere import _every_output, _leaks, _workspace


@dataclass
class _Target:
    env: dict[str, str]


MODES = {
    "system user": online.system_user_env,
    "refresh token": online.refresh_env,
    "basic": online.basic_env,
}


@pytest.mark.parametrize("mode", list(MODES))
def test_no_sign_in_secret_in_any_output(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    caplog.set_level(logging.DEBUG)
    manifests, env = _workspace(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    with online.online(tmp_path) as server:
        crm_env = MODES[mode](server)
        outputs = _every_output(_Target({**crm_env, "NO_COLOR": "1"}), manifests, env, out)  # type: ignore[arg-type]
        issued = server.login.issued() if server.login else []
    if mode != "basic":
        assert len(issued) >= 5  # every run signed in; each credential is a canary
    leaks = {
        label: online.leaks(text, server) + _leaks(text)
        for label, text in outputs.items()
        if online.leaks(text, server) or _leaks(text)
    }
    assert leaks == {}
    assert online.leaks(caplog.text, server) == [] and _leaks(caplog.text) == []
    assert "(sensitive)" in outputs["plan text"]


def test_no_secret_on_the_sign_in_error_paths(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    manifests, env = _workspace(tmp_path)
    m = str(manifests)
    cases = {
        "refused key": ({}, {"QUOTESYNC_PRIVATE_KEY": online.private_xml().replace("A", "B", 3)}),
        "refused secret": ({}, {"QUOTESYNC_CLIENT_SECRET": online.CLIENT_SECRET + "x"}),
        "suspended": ({"state": "Suspended"}, {}),
        "restricted": ({"restricted_agents": frozenset({"ErpSync"})}, {}),
        "moving": ({"move_every": 3}, {}),
        "expiring": ({"max_uses": 1}, {}),
    }
    for label, (settings, changes) in cases.items():
        with online.online(tmp_path / label, **settings) as server:
            full = {**online.system_user_env(server, **changes), **env, "NO_COLOR": "1"}
            for args in (
                ("--debug", "plan", m, "--format", "json", "--test-connections"),
                ("--debug", "apply", m, "--auto-approve"),
                ("drift", m, "--format", "markdown"),
            ):
                result = run_cli(*args, env=full)
                text = result.output
                assert online.leaks(text, server) == [] and _leaks(text) == [], (label, text)
            assert online.leaks(caplog.text, server) == [], label
