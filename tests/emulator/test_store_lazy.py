"""The embedded CRM's store is made by its first write (Store(lazy=True))."""

from __future__ import annotations

from pathlib import Path

from quotesync_gitops.emulator.store import Store


def _count(store: Store, sql: str) -> int:
    with store.transaction(write=False) as db:
        return int(db.execute(sql).fetchone()[0])


def test_reads_need_no_file_and_the_first_write_keeps_the_seed(tmp_path: Path) -> None:
    path = tmp_path / ".quotesync" / "crm.sqlite"
    store = Store(path, lazy=True)
    seeded = _count(store, "SELECT count(*) FROM mdo_item")
    assert seeded > 0 and not path.parent.exists(), "a new tenant, in memory"
    with store.transaction(write=True) as db:
        db.execute("UPDATE engine SET interval = '01:00:00'")
    assert path.is_file() and list(path.parent.iterdir()) != []
    assert not list(path.parent.glob("*.new")), "the copy was linked into place"
    assert _count(store, "SELECT count(*) FROM mdo_item") == seeded
    store.close()
    again = Store(path)
    assert _count(again, "SELECT count(*) FROM engine WHERE interval = '01:00:00'") == 1
    assert _count(again, "SELECT count(*) FROM mdo_item") == seeded
    again.close()


def test_a_file_another_process_made_meanwhile_is_used_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    late = Store(path, lazy=True)  # pending: the file does not exist yet
    first = Store(path)  # another process creates it and writes
    with first.transaction(write=True) as db:
        db.execute("UPDATE engine SET interval = '02:00:00'")
    first.close()
    with late.transaction(write=True) as db:
        db.execute("UPDATE engine SET is_running = 1")
    assert _count(late, "SELECT count(*) FROM engine WHERE interval = '02:00:00'") == 1
    late.close()


def test_an_existing_file_is_opened_as_before(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite"
    Store(path).close()
    store = Store(path, lazy=True)
    with store.transaction(write=True) as db:
        db.execute("UPDATE engine SET interval = '03:00:00'")
    store.close()
    assert _count(Store(path), "SELECT count(*) FROM engine WHERE interval = '03:00:00'") == 1
