"""Connection configuration values: validation, merging, and never handing a Password back.

Used for ERP connections (``erp_config``) and quote connections (``quote_config``). A saved value
remembers whether its field is a Password, so it stays masked even if the connector changes.

Saving merges: keys sent replace stored values, keys not sent are kept (``GetAllConnections``
returns no config values, so a carrier read from it and saved back must not wipe them), and a
Password field sent as ``********`` keeps its stored value. Send ``""`` to clear a value.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from quotesync_gitops.emulator.connectors import ConfigField
from quotesync_gitops.emulator.http import MAX_VALUE, PASSWORD_MASK, AgentMessage


@dataclass(frozen=True)
class StoredValue:
    """A stored config value, and whether it is a password (never handed back)."""

    value: str
    is_password: bool


Config = dict[str, StoredValue]


def load(db: sqlite3.Connection, table: str, connection_id: int) -> Config:
    rows = db.execute(
        f"SELECT field_key, value, is_password FROM {table} WHERE connection_id = ? "
        "ORDER BY field_key",
        (connection_id,),
    )
    return {r["field_key"]: StoredValue(r["value"], bool(r["is_password"])) for r in rows}


def masked(config: Config) -> dict[str, str]:
    """What the API hands out: Password values as ``********`` when set, ``""`` when empty."""
    return {
        key: (PASSWORD_MASK if v.value else "") if v.is_password else v.value
        for key, v in config.items()
    }


def plain(config: Config) -> dict[str, str]:
    return {key: v.value for key, v in config.items()}


def merge(
    fields: tuple[ConfigField, ...], stored: Config, sent: Mapping[str, str], owner: str
) -> Config:
    """The config a save of ``sent`` produces; unknown keys and overlong values are refused."""
    by_key = {f.key: f for f in fields}
    result = dict(stored)
    for key, value in sent.items():
        spec = by_key.get(key)
        if spec is None:
            known = ", ".join(f.key for f in fields) or "none"
            raise AgentMessage(
                f"Unknown configuration field '{key}' for {owner}.",
                f"The connector declares these fields: {known}.",
            )
        is_password = spec.field_type == "Password"
        if is_password and value == PASSWORD_MASK:
            previous = stored.get(key)
            result[key] = previous if previous is not None else StoredValue("", True)
            continue
        limit = min(MAX_VALUE, spec.max_length) if spec.max_length > 0 else MAX_VALUE
        if len(value) > limit:
            raise AgentMessage(
                f"The value of configuration field '{key}' is too long "
                f"({len(value)} characters; at most {limit}).",
                "Configuration values are stored in a column of 1023 characters.",
            )
        result[key] = StoredValue(value, is_password)
    return result


def resolve_for_test(
    fields: tuple[ConfigField, ...], stored: Config, sent: Mapping[str, str]
) -> dict[str, str]:
    """Values to test: stored merged with sent, a masked Password meaning the stored value."""
    values = plain(stored)
    passwords = {f.key for f in fields if f.field_type == "Password"}
    for key, value in sent.items():
        if key in passwords and value == PASSWORD_MASK:
            values[key] = stored[key].value if key in stored else ""
        else:
            values[key] = value
    return values


def save(db: sqlite3.Connection, table: str, connection_id: int, config: Config) -> None:
    db.execute(f"DELETE FROM {table} WHERE connection_id = ?", (connection_id,))
    db.executemany(
        f"INSERT INTO {table} (connection_id, field_key, value, is_password) VALUES (?, ?, ?, ?)",
        [(connection_id, k, v.value, int(v.is_password)) for k, v in config.items()],
    )
