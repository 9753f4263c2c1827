"""An emulated SuperOffice Online tenant served on 127.0.0.1, and the variables to reach it."""

from __future__ import annotations

import base64
import dataclasses
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from quotesync_gitops.emulator.login import LoginSettings
from quotesync_gitops.emulator.server import RunningServer, start_in_thread

# Canaries: each must never appear in any output.
SYSTEM_USER_TOKEN = "SPI-sysuser-Zq81Lr-canary"
CLIENT_SECRET = "client-secret-Hn42Vx-canary"
CLIENT_ID = "client-id-0042"
REFRESH_TOKEN = "refresh-token-Pw93Ke-canary"
BASIC_USER = "admin"
BASIC_PASSWORD = "basic-pass-Tc55Ym-canary"
CONTEXT_ID = "Cust12345"


@functools.cache
def app_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def private_pem() -> str:
    return (
        app_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        .decode()
    )


def public_pem(key: rsa.RSAPrivateKey | None = None) -> str:
    return (
        (key or app_key())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_xml() -> str:
    """The key as the SuperOffice developer portal hands it out (.NET RSA XML)."""
    numbers = app_key().private_numbers()

    def b64(value: int) -> str:
        return base64.b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).decode()

    parts = {
        "Modulus": numbers.public_numbers.n,
        "Exponent": numbers.public_numbers.e,
        "P": numbers.p,
        "Q": numbers.q,
        "DP": numbers.dmp1,
        "DQ": numbers.dmq1,
        "InverseQ": numbers.iqmp,
        "D": numbers.d,
    }
    return (
        "<RSAKeyValue>"
        + "".join(f"<{k}>{b64(v)}</{k}>" for k, v in parts.items())
        + ("</RSAKeyValue>")
    )


def settings(**changes: Any) -> LoginSettings:
    base = LoginSettings(
        context_id=CONTEXT_ID,
        client_secret=CLIENT_SECRET,
        client_id=CLIENT_ID,
        system_user_token=SYSTEM_USER_TOKEN,
        app_public_key_pem=public_pem(),
        refresh_token=REFRESH_TOKEN,
        basic_user=BASIC_USER,
        basic_password=BASIC_PASSWORD,
    )
    return dataclasses.replace(base, **changes)


@contextmanager
def online(tmp_path: Path, **changes: Any) -> Iterator[RunningServer]:
    server = start_in_thread(tmp_path / "online.sqlite", login=settings(**changes))
    try:
        yield server
    finally:
        server.stop()


def system_user_env(server: RunningServer | str, **extra: str) -> dict[str, str]:
    return {
        "QUOTESYNC_CRM": f"online:{CONTEXT_ID}",
        "QUOTESYNC_ENVIRONMENT_URL": server if isinstance(server, str) else server.url,
        "QUOTESYNC_SYSTEM_USER_TOKEN": SYSTEM_USER_TOKEN,
        "QUOTESYNC_PRIVATE_KEY": private_pem(),
        "QUOTESYNC_CLIENT_SECRET": CLIENT_SECRET,
        **extra,
    }


def refresh_env(server: RunningServer) -> dict[str, str]:
    return {
        "QUOTESYNC_CRM": f"online:{CONTEXT_ID}",
        "QUOTESYNC_ENVIRONMENT_URL": server.url,
        "QUOTESYNC_REFRESH_TOKEN": REFRESH_TOKEN,
        "QUOTESYNC_CLIENT_ID": CLIENT_ID,
        "QUOTESYNC_CLIENT_SECRET": CLIENT_SECRET,
    }


def basic_env(server: RunningServer) -> dict[str, str]:
    return {
        "QUOTESYNC_CRM": server.url,
        "QUOTESYNC_USERNAME": BASIC_USER,
        "QUOTESYNC_PASSWORD": BASIC_PASSWORD,
    }


SECRETS = (SYSTEM_USER_TOKEN, CLIENT_SECRET, REFRESH_TOKEN, BASIC_PASSWORD)


def leaks(text: str, server: RunningServer | None = None) -> list[str]:
    """Canaries in ``text``: the fixed secrets, the private key, and any issued credential."""
    found = [s for s in SECRETS if s in text]
    key_body = private_pem().splitlines()[1]
    if key_body in text or private_xml()[20:60] in text:
        found.append("private key")
    if server is not None and server.login is not None:
        found.extend(value for value in server.login.issued() if value in text)
    if "7T:" in text or "8A:" in text:
        found.append("an issued ticket or token prefix")
    return found
