"""The emulator's SQLite database: schema, seeding, and one transaction per request.

Thread safety: connections come from a small pool (one connection is used by one request at a
time). Reads run in deferred transactions and proceed in parallel under WAL; writes take a
process-wide lock and ``BEGIN IMMEDIATE`` so they never fail half-way with SQLITE_BUSY.
``":memory:"`` is accepted for quick experiments: one shared connection, every request serialised.

``lazy=True`` (the embedded CRM of the CLI) leaves a missing file missing until the first
write: until then the new tenant lives in memory, seeded, so ``plan``, ``drift`` and
``export`` in a fresh folder leave no ``.quotesync/`` behind. The first write creates the
folder and the file and copies the tenant into it (SQLite's backup), then goes on as usual.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from quotesync_gitops.emulator import erp_side, product_images, sale_types
from quotesync_gitops.emulator.seed import seed
from quotesync_gitops.emulator.tables import PRICE_LIST, PRODUCT

SCHEMA_VERSION = "1"

SCHEMA: tuple[str, ...] = (
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS erp_connector (
        id INTEGER PRIMARY KEY AUTOINCREMENT, display_name TEXT NOT NULL, url TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS erp_connection (
        id INTEGER PRIMARY KEY AUTOINCREMENT, connector_id INTEGER NOT NULL,
        display_name TEXT NOT NULL, description TEXT NOT NULL, active INTEGER NOT NULL,
        guid TEXT NOT NULL, most_recent_timestamp TEXT NOT NULL, deleted INTEGER NOT NULL,
        all_access INTEGER NOT NULL, associate_ids TEXT NOT NULL, usergroup_ids TEXT NOT NULL,
        priority INTEGER)""",
    """CREATE TABLE IF NOT EXISTS erp_config (
        connection_id INTEGER NOT NULL, field_key TEXT NOT NULL, value TEXT NOT NULL,
        is_password INTEGER NOT NULL, PRIMARY KEY (connection_id, field_key))""",
    """CREATE TABLE IF NOT EXISTS erp_actor (
        connection_id INTEGER NOT NULL, actor_type TEXT NOT NULL, is_active INTEGER NOT NULL,
        crm_actor TEXT NOT NULL, PRIMARY KEY (connection_id, actor_type))""",
    """CREATE TABLE IF NOT EXISTS erp_field (
        id INTEGER PRIMARY KEY AUTOINCREMENT, connection_id INTEGER NOT NULL,
        actor_type TEXT NOT NULL, field_key TEXT NOT NULL, rank INTEGER NOT NULL,
        crm_field_key TEXT NOT NULL DEFAULT '', sync_to_crm INTEGER NOT NULL DEFAULT 0,
        sync_to_erp INTEGER NOT NULL DEFAULT 0, show_in_gui INTEGER NOT NULL DEFAULT 0,
        show_in_search INTEGER NOT NULL DEFAULT 0, default_value TEXT NOT NULL DEFAULT '',
        has_first_sync_default INTEGER NOT NULL DEFAULT 0,
        first_sync_default TEXT NOT NULL DEFAULT '', prompt_user INTEGER NOT NULL DEFAULT 0,
        mandatory INTEGER NOT NULL DEFAULT 0, UNIQUE (connection_id, actor_type, field_key))""",
    """CREATE TABLE IF NOT EXISTS erp_list_mapping (
        erp_field_id INTEGER NOT NULL, erp_item_id TEXT NOT NULL, crm_item_id INTEGER NOT NULL,
        PRIMARY KEY (erp_field_id, erp_item_id))""",
    """CREATE TABLE IF NOT EXISTS quote_connection (
        id INTEGER PRIMARY KEY AUTOINCREMENT, connector_name TEXT NOT NULL, erp_name TEXT NOT NULL,
        display_name TEXT NOT NULL, description TEXT NOT NULL, rank INTEGER NOT NULL,
        erp_connection_id INTEGER NOT NULL, extra_data TEXT NOT NULL, all_access INTEGER NOT NULL,
        associate_ids TEXT NOT NULL, usergroup_ids TEXT NOT NULL, deleted INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS quote_config (
        connection_id INTEGER NOT NULL, field_key TEXT NOT NULL, value TEXT NOT NULL,
        is_password INTEGER NOT NULL, PRIMARY KEY (connection_id, field_key))""",
    """CREATE TABLE IF NOT EXISTS quote_line_config (
        id INTEGER PRIMARY KEY AUTOINCREMENT, field_name TEXT NOT NULL UNIQUE,
        label TEXT NOT NULL, tooltip TEXT NOT NULL, editable INTEGER NOT NULL,
        in_use INTEGER NOT NULL, mandatory INTEGER NOT NULL, rank INTEGER NOT NULL,
        restrict_edit INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS mdo_item (
        list_name TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL, full_name TEXT NOT NULL,
        tooltip TEXT NOT NULL, rank INTEGER NOT NULL, deleted INTEGER NOT NULL,
        PRIMARY KEY (list_name, id))""",
    """CREATE TABLE IF NOT EXISTS engine (
        id INTEGER PRIMARY KEY CHECK (id = 1), is_running INTEGER NOT NULL,
        interval TEXT NOT NULL)""",
    PRICE_LIST.ddl(),
    PRODUCT.ddl(),
    "CREATE INDEX IF NOT EXISTS price_list_by_key ON price_list (erp_key)",
    "CREATE INDEX IF NOT EXISTS product_by_price_list ON product (erp_price_list_key, id)",
)

TABLES = (
    "meta",
    "erp_connector",
    "erp_connection",
    "erp_config",
    "erp_actor",
    "erp_field",
    "erp_list_mapping",
    "quote_connection",
    "quote_config",
    "quote_line_config",
    "mdo_item",
    "engine",
    PRICE_LIST.name,
    PRODUCT.name,
    *sale_types.TABLES,
    *product_images.TABLES,
    *erp_side.TABLES,
)


class Store:
    """The database file and its connections; ``transaction`` is the only way in."""

    def __init__(self, path: str | os.PathLike[str], *, lazy: bool = False) -> None:
        self.path = os.fspath(path)
        self._memory = self.path == ":memory:"
        #: In memory until the first write creates the file (``lazy`` and no file yet).
        self._pending = lazy and not self._memory and not os.path.lexists(self.path)
        self._pool: list[sqlite3.Connection] = []
        self._pool_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        if self._memory:
            self._shared = self._connect()
        elif self._pending:
            _check_creatable(self.path)  # say now, not at the first write, when it cannot be
            self._shared = _memory_connection()
        else:
            parent = os.path.dirname(os.path.abspath(self.path))
            os.makedirs(parent, exist_ok=True)
        self._initialise()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        conn.row_factory = sqlite3.Row
        if not self._memory:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
        return conn

    def _acquire(self) -> sqlite3.Connection:
        if self._memory or self._pending:
            return self._shared
        with self._pool_lock:
            if self._closed:
                raise RuntimeError("the emulator store is closed")
            if self._pool:
                return self._pool.pop()
        return self._connect()

    def _release(self, conn: sqlite3.Connection) -> None:
        if self._memory or conn is getattr(self, "_shared", None):
            return
        with self._pool_lock:
            if not self._closed and len(self._pool) < 16:
                self._pool.append(conn)
                return
        conn.close()

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        if self._pending:
            with self._write_lock:  # decided under the lock: a write may end pending
                if write and self._pending:
                    self._materialise()
                if self._pending:
                    with self._in_transaction(self._shared, write=False) as db:
                        yield db
                    return
        with self._in_transaction(self._acquire(), write=write) as db:
            yield db

    def _materialise(self) -> None:
        """The first write: create the folder and the file, holding the tenant so far.

        Nothing was written yet, so memory holds only the seed: when another process made
        the file meanwhile, this one simply uses it. The copy is written beside the file and
        linked into place, so a half-copied database never takes the file's name.
        """
        os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        if not os.path.lexists(self.path):
            temp = f"{self.path}.{os.getpid()}.new"
            target = sqlite3.connect(temp)
            try:
                self._shared.backup(target)
            finally:
                target.close()
            try:
                os.link(temp, self.path)
            except FileExistsError:
                pass  # another process was first: its file holds the same seed
            finally:
                os.unlink(temp)
        self._shared.close()
        self._pending = False

    @contextmanager
    def _in_transaction(
        self, conn: sqlite3.Connection, *, write: bool
    ) -> Iterator[sqlite3.Connection]:
        serialise = write or self._memory
        if serialise:
            self._write_lock.acquire()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()
        finally:
            if serialise:
                self._write_lock.release()
            self._release(conn)

    def _initialise(self) -> None:
        if self._pending:  # seeding in memory is not a write of the tenant's file
            with self._in_transaction(self._shared, write=True) as db:
                _create(db, fresh=False)
            return
        with self.transaction(write=True) as db:
            _create(db, fresh=False)

    def reset(self) -> None:
        """Drop everything and seed again, as a new tenant."""
        with self.transaction(write=True) as db:
            for table in TABLES:
                db.execute(f"DROP TABLE IF EXISTS {table}")
            _create(db, fresh=True)

    def close(self) -> None:
        with self._pool_lock:
            self._closed = True
            pool, self._pool = self._pool, []
        for conn in pool:
            conn.close()
        if self._memory or self._pending:
            self._shared.close()


def _memory_connection() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def _check_creatable(path: str) -> None:
    """Raise the OSError creating ``path`` would raise later: its nearest existing folder
    must be a writable folder."""
    folder = os.path.dirname(os.path.abspath(path))
    while not os.path.lexists(folder):
        folder = os.path.dirname(folder)
    if not os.path.isdir(folder):
        raise NotADirectoryError(20, "not a directory", folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(13, "permission denied", folder)


def reset_database(path: str | os.PathLike[str]) -> None:
    """Re-seed the database at ``path`` as a new tenant (created when missing)."""
    store = Store(path)
    try:
        store.reset()
    finally:
        store.close()


def _create(db: sqlite3.Connection, *, fresh: bool) -> None:
    """Tables, then the seed of a new tenant unless this database was seeded before."""
    for statement in SCHEMA:
        db.execute(statement)
    sale_types.create(db)
    product_images.create(db)
    erp_side.create(db)
    if fresh or db.execute("SELECT 1 FROM meta WHERE key = 'schema_version'").fetchone() is None:
        seed(db)
        db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
