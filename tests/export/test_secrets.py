"""Passwords never leave the CRM through export: not in files, not on stdout or stderr."""

from __future__ import annotations

import re
from pathlib import Path

from quotesync_gitops.export.names import env_names
from tests.export import crm_builder as built
from tests.export.conftest import CANARY, printed_env_vars, run, tree_of


def test_the_canary_is_stored_in_the_crm(hand_built: str) -> None:
    """Guards the tests below: the secret they look for really is in the CRM."""
    assert CANARY.encode() in Path(hand_built.removeprefix("local:")).read_bytes()


def test_no_password_reaches_files_or_output(hand_built: str, tmp_path: Path) -> None:
    outputs: list[str] = []
    files: dict[str, bytes] = {}
    for index, extra in enumerate(
        [(), ("--include-deleted",), ("--products-csv-threshold", "0", "--include-deleted")]
    ):
        out = tmp_path / f"out{index}"
        result = run("--debug", "export", "--out", str(out), "--crm", hand_built, *extra)
        assert result.exit_code == 0, result.output
        outputs += [result.stdout, result.stderr]
        files.update({f"{index}/{path}": content for path, content in tree_of(out).items()})
    for secret in (CANARY, built.VALID["password"]):
        assert not [path for path, content in files.items() if secret.encode() in content]
        assert not [text for text in outputs if secret in text]
    assert not [path for path, content in files.items() if b"********" in content]


def test_every_password_is_an_env_reference_listed_once(hand_built: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("export", "--out", str(out), "--crm", hand_built, "--include-deleted")
    listed = printed_env_vars(result.stdout)
    referenced = {
        name
        for path, content in tree_of(out).items()
        if path.endswith(".yaml")  # "$${env:X}" is a literal text, CSV cells are never resolved
        for name in re.findall(r"(?<!\$)\$\{env:([A-Z0-9_]+)\}", content.decode("utf-8"))
    }
    assert set(listed) == referenced
    assert listed == {
        "QUOTESYNC_ERP_CONNECTION_BJORN_S_ERP_PROD_TEST_1_PASSWORD": "password",
        "QUOTESYNC_ERP_CONNECTION_ACCOUNTING_50_NOT_A_REF_MORE_API_KEY": "apiKey",
        "QUOTESYNC_QUOTE_CONNECTION_QUOTES_ERP_MAIN_API_PASSWORD": "apiPassword",
    }
    assert result.stdout.index("Set these environment variables") > result.stdout.index("Exported ")
    line = "QUOTESYNC_QUOTE_CONNECTION_QUOTES_ERP_MAIN_API_PASSWORD +QuoteConnection " + re.escape(
        "'Quotes: ERP/\"main\" ✓' config.apiPassword"
    )
    assert re.search(f"^  {line}$", result.stdout, re.MULTILINE), result.stdout


def test_env_names_follow_the_documented_rule() -> None:
    names = env_names(
        [
            ("ErpConnection", "Demo ERP – Production", "password"),
            ("QuoteConnection", "ERP Quotes", "apiPassword"),
            ("ErpConnection", "Ærøskøbing Økonomi", "apiKey"),
            ("ErpConnection", "🚀", "password"),
        ]
    )
    assert names[("ErpConnection", "Demo ERP – Production", "password")] == (
        "QUOTESYNC_ERP_CONNECTION_DEMO_ERP_PRODUCTION_PASSWORD"
    )
    assert names[("QuoteConnection", "ERP Quotes", "apiPassword")] == (
        "QUOTESYNC_QUOTE_CONNECTION_ERP_QUOTES_API_PASSWORD"
    )
    assert names[("ErpConnection", "Ærøskøbing Økonomi", "apiKey")] == (
        "QUOTESYNC_ERP_CONNECTION_AEROSKOBING_OKONOMI_API_KEY"
    )
    assert re.fullmatch(r"QUOTESYNC_ERP_CONNECTION_[0-9A-F]{6}_PASSWORD", names[
        ("ErpConnection", "🚀", "password")
    ])  # fmt: skip
    for name in names.values():
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", name)


def test_env_names_that_would_collide_get_a_hash_whatever_the_order() -> None:
    keys = [
        ("ErpConnection", "Demo ERP", "password"),
        ("ErpConnection", "demo-erp", "password"),
        ("ErpConnection", "Other", "password"),
    ]
    forward, backward = env_names(keys), env_names(list(reversed(keys)))
    assert forward == backward
    assert len(set(forward.values())) == 3
    assert forward[keys[2]] == "QUOTESYNC_ERP_CONNECTION_OTHER_PASSWORD"
    for key in keys[:2]:
        assert re.fullmatch(r"QUOTESYNC_ERP_CONNECTION_DEMO_ERP_PASSWORD_[0-9A-F]{6}", forward[key])
