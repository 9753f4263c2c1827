"""A broken or hostile CRM is a clean error (exit 1, naming the operation), never a traceback.

The CRM is the emulator served on 127.0.0.1 behind ``Hostile`` middleware that replaces the
answer to one kind of call: wrong types in well-formed JSON, HTML pages, truncated or
endless bodies, NaN, absurd nesting, bytes that are not UTF-8, redirects, and error messages
carrying terminal escape sequences. The CLI runs in process with exceptions propagating, so
any traceback fails the test with its stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.helpers import (
    Crm,
    WsgiApp,
    copy_examples,
    fast_retries,
    problems_after,
    retry_policy,
    run_cli,
    running_crm,
)
from tests.reliability.hostile import MALFORMED, TYPE_CONFUSIONS, Corruption, Hostile, mutated


@pytest.fixture(scope="module")
def applied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Crm, Hostile, Path]]:
    """One CRM with the examples applied (so every read returns rows), shared: plan only."""
    folder = tmp_path_factory.mktemp("hostile")
    manifests = copy_examples(folder)
    holder: list[Hostile] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        holder.append(Hostile(app))
        return holder[0]

    with running_crm(folder, wrap=wrap) as crm, fast_retries():
        assert run_cli("apply", str(manifests), "--auto-approve", env=crm.env).exit_code == 0
        yield crm, holder[0], manifests


def _plan_fails_cleanly(applied: tuple[Crm, Hostile, Path], target: str, bad: Corruption) -> str:
    crm, hostile, manifests = applied
    hostile.set(target, bad)
    try:
        result = run_cli("plan", str(manifests), env=crm.env)
        hits = hostile.hits
    finally:
        hostile.set(None, None)
    assert hits > 0, f"no call matched {target}"
    errors = [line for line in result.output.splitlines() if line.startswith("error: ")]
    assert result.exit_code == 1, result.output
    assert errors and target.lower() in errors[0].lower(), result.output
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output and len(errors[0]) < 1000
    return errors[0]


#: Every read plan makes, by a piece of its path (its operation name contains it).
READS = [
    "MDOList/associate",
    "GetAllConnectors",
    "GetErpSyncConnectorEntity",
    "ErpSync/GetConfigurationFields",
    "GetAllConnections",
    "GetErpConnectionConfigFields",
    "GetActorTypeMapping",
    "GetConnectionListMappings",
    "GetDefaultValueInfo",
    "GetEngineStatus",
    "GetAllAvailableQuoteConnections",
    "GetAllInstalledQuoteConnections",
    "Quote/GetConfigurationFields",
    "Quote/GetConnectionConfigFields",
    "/api/v1/Pricelist",
    "/api/v1/Product",
    "GetAllQuoteLineConfigurations",
]


@pytest.mark.parametrize("target", READS)
def test_text_of_the_wrong_type_in_any_read(
    applied: tuple[Crm, Hostile, Path], target: str
) -> None:
    _plan_fails_cleanly(applied, target, TYPE_CONFUSIONS["text as lists"])


@pytest.mark.parametrize(
    ("target", "confusion"),
    [
        ("GetAllConnections", "numbers as text"),
        ("GetAllConnections", "booleans as text"),
        ("GetAllConnections", "text as numbers"),
        ("/api/v1/Product", "numbers as text"),
        ("/api/v1/Product", "booleans as text"),
        ("GetActorTypeMapping", "numbers as text"),
        ("MDOList/usergroup", "numbers as text"),
        ("GetEngineStatus", "text as numbers"),
    ],
)
def test_ids_flags_and_numbers_of_the_wrong_type(
    applied: tuple[Crm, Hostile, Path], target: str, confusion: str
) -> None:
    message = _plan_fails_cleanly(applied, target, TYPE_CONFUSIONS[confusion])
    assert "should be" in message or "wrong shape" in message


def test_a_time_span_that_is_no_time_span(applied: tuple[Crm, Hostile, Path]) -> None:
    bad = mutated(lambda body: {**body, "Interval": "soon"})
    assert "Interval" in _plan_fails_cleanly(applied, "GetEngineStatus", bad)


@pytest.mark.parametrize("target", ["GetAllConnections", "/api/v1/Product"])
@pytest.mark.parametrize("variant", list(MALFORMED))
def test_malformed_answers(applied: tuple[Crm, Hostile, Path], target: str, variant: str) -> None:
    _plan_fails_cleanly(applied, target, MALFORMED[variant])


def _is_map(value: dict[str, Any]) -> bool:
    """Config values and field metadata by key: data, not a carrier with fields."""
    items = list(value.values())  # an empty object may be either: left alone
    return all(isinstance(v, str) for v in items) or all(isinstance(v, dict) for v in items)


def _with_extra_fields(value: Any) -> Any:
    """Every carrier of every answer gains fields no document mentions."""
    if isinstance(value, dict):
        walked = {k: _with_extra_fields(v) for k, v in value.items()}
        if _is_map(value):
            return walked
        return {**walked, "UnexpectedField": {"nested": [1, "two", None]}, "ZzFuture": 3.5}
    if isinstance(value, list):
        return [_with_extra_fields(v) for v in value]
    return value


_extra_fields = mutated(_with_extra_fields)


def test_unexpected_fields_are_ignored_and_apply_converges(tmp_path: Path) -> None:
    manifests = copy_examples(tmp_path)
    holder: list[Hostile] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        holder.append(Hostile(app, target="/api/v1/", corruption=_extra_fields))
        return holder[0]

    with running_crm(tmp_path, wrap=wrap) as crm:
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert result.exit_code == 0, result.output
        assert holder[0].hits > 50
        holder[0].set(None, None)
        assert problems_after(crm, manifests) == []


@pytest.mark.parametrize(
    ("target", "variant"),
    [
        ("Agents/ErpSync/SaveConnection", "HTML page with 200"),
        ("ToggleErpConnectionActive", "a list for an object"),
    ],
)
def test_hostile_answers_to_apply_fail_that_resource_cleanly(
    tmp_path: Path, target: str, variant: str
) -> None:
    manifests = copy_examples(tmp_path)
    holder: list[Hostile] = []

    def wrap(app: WsgiApp) -> WsgiApp:
        holder.append(Hostile(app, target=target, corruption=MALFORMED[variant]))
        return holder[0]

    with running_crm(tmp_path, wrap=wrap) as crm, fast_retries():
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert holder[0].hits > 0
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert target.split("/")[-1] in result.output
        holder[0].set(None, None)
        again = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert again.exit_code == 0, again.output
        assert problems_after(crm, manifests) == []


def _refusal(status: str, body: Any, environ: dict[str, Any]) -> Any:
    return MALFORMED["terminal escapes in a huge message"](status, body, environ)


def test_a_refused_mapping_read_is_an_error_not_a_plan(applied: tuple[Crm, Hostile, Path]) -> None:
    _plan_fails_cleanly(applied, "GetActorTypeMapping", _refusal)


# --- numbers, time and size a server controls ---------------------------------------------


def _huge_number(status: str, body: Any, environ: dict[str, Any]) -> Any:
    """Every number of the real answer becomes 1e400 (a float past the range: Infinity)."""
    import json
    import re

    text = re.sub(r'(?<=": )\d+(\.\d+)?', "1e400", json.dumps(body))
    payload = text.encode()
    return "200 OK", [("Content-Type", "application/json")], [payload]


def test_a_number_past_the_range_of_a_float_is_refused(
    applied: tuple[Crm, Hostile, Path],
) -> None:
    """1e400 would be Infinity in JSON output, which no JSON reader accepts."""
    error = _plan_fails_cleanly(applied, "/api/v1/Product", _huge_number)
    assert "out of range" in error or "not JSON" in error


def _slow_drip(status: str, body: Any, environ: dict[str, Any]) -> Any:
    """Headers at once, then one byte every 0.2 s: each read is quick, the answer endless."""
    import time

    def chunks() -> Iterator[bytes]:
        yield b'{"value": ['
        for _ in range(10_000):
            time.sleep(0.2)
            yield b" "

    return "200 OK", [("Content-Type", "application/json")], chunks()


def test_a_server_that_drips_its_answer_meets_the_call_deadline(
    applied: tuple[Crm, Hostile, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read timeout bounds each wait for bytes; the call's deadline bounds the whole
    answer (120 s by default; 2 s here)."""
    import time

    started = time.monotonic()
    with retry_policy(base_delay=0.005, max_delay=0.05, total_timeout=2):
        error = _plan_fails_cleanly(applied, "GetAllConnectors", _slow_drip)
    assert time.monotonic() - started < 20
    assert "time allowed for the call ran out" in error


def _endless_pages(status: str, body: Any, environ: dict[str, Any]) -> Any:
    """Full pages of new ascending ids, whatever was asked, for ever."""
    import json
    import re

    query = str(environ.get("QUERY_STRING", ""))
    found = re.search(r"ProductId(?:\+|%20)gt(?:\+|%20)(\d+)", query)
    low = int(found.group(1)) if found else 0
    if "desc" in query:  # the highest id: a moving target
        rows = [{"ProductId": low + 10**12}]
    else:
        rows = [{"ProductId": low + 1 + i, "Code": f"P{low + 1 + i}"} for i in range(1000)]
    payload = json.dumps({"value": rows, "odata.nextLink": "more"}).encode()
    return "200 OK", [("Content-Type", "application/json")], [payload]


def test_endless_product_pages_stop_at_the_row_bound(
    applied: tuple[Crm, Hostile, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """500,000 rows by default (20,000 here, so the test is quick)."""
    from quotesync_gitops.crm import rest

    monkeypatch.setattr(rest, "MAX_ROWS", 20_000)
    error = _plan_fails_cleanly(applied, "/api/v1/Product", _endless_pages)
    assert "goes on past 20,000 rows" in error
