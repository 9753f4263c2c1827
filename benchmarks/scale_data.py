"""The benchmark's setup: manifests with N products (CSV) and a CRM that already holds them.

The manifests are the repository's own examples (connectors, ERP and quote connections, sync
and quote line settings) plus ``price_lists`` generated price lists whose products come from
CSV files. A second copy has 1% of the products changed (list price and name).

The CRM is loaded quickly and exactly: the manifests without products are applied with the
real ``quotesync apply`` (connections, price lists, settings, as a user would), then the
products are inserted in one SQLite transaction through the emulator's own carrier → row
code, so every row is what ``POST /api/v1/Product`` would have stored. A plan afterwards must
say "no changes"; the benchmark checks that.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from quotesync_gitops.emulator import rest
from quotesync_gitops.emulator.store import Store
from quotesync_gitops.emulator.tables import PRODUCT
from quotesync_gitops.kinds.price_list import product_carrier as carriers

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "manifests"
CURRENCIES = ("NOK", "SEK", "DKK", "EUR", "GBP", "USD")
COLUMNS = (
    "code",
    "name",
    "description",
    "priceUnit",
    "quantityUnit",
    "listPrice",
    "cost",
    "minimumPrice",
    "vat",
    "category",
    "family",
    "isSubscription",
    "subscriptionUnit",
    "defaultSubscriptionQuantity",
    "itemNumber",
    "inStock",
    "erpKey",
    "extraField1",
)
CATEGORIES = ("Hardware", "Software", "Services", "Consumables", "Licences", "Spare parts")
#: One product in this many is changed in the "1% changed" manifests.
CHANGE_EVERY = 100


@dataclass(frozen=True)
class Setup:
    n: int
    root: Path
    manifests: Path  # matches the CRM
    changed: Path  # 1% of the products changed
    db: Path  # the embedded CRM (a copy is served over HTTP)
    changed_products: int


def product_row(index: int, list_index: int, changed: bool) -> dict[str, Any]:
    """A realistic product; ``changed`` moves its price and renames it."""
    price = 10 + (index * 7919) % 250_000 / 100
    subscription = index % 7 == 0
    row: dict[str, Any] = {
        "code": f"P{list_index}-{index:07d}",
        "name": f"Product {index} {CATEGORIES[index % len(CATEGORIES)].lower()}",
        "description": f"Generated product number {index} for the scale benchmark",
        "priceUnit": "user/month" if subscription else "pcs",
        "quantityUnit": "user" if subscription else "pcs",
        "listPrice": f"{price:.2f}",
        "cost": f"{price * 0.7:.2f}",
        "minimumPrice": f"{price * 0.9:.2f}",
        "vat": "25",
        "category": CATEGORIES[index % len(CATEGORIES)],
        "family": f"Family {index % 40}",
        "isSubscription": "true" if subscription else "false",
        "subscriptionUnit": "month" if subscription else "",
        "defaultSubscriptionQuantity": "1" if subscription else "",
        "itemNumber": f"{list_index}.{index}",
        "inStock": str(index % 500),
        "erpKey": f"ERP-{index:07d}",
        "extraField1": "Renews automatically" if subscription else "",
    }
    if changed:
        row["listPrice"] = f"{price + 1:.2f}"
        row["name"] += " (new)"
    return row


def _price_list_yaml(list_index: int, products_file: str | None) -> str:
    currency = CURRENCIES[list_index % len(CURRENCIES)]
    lines = [
        "apiVersion: quotesync.io/v1",
        "kind: PriceList",
        "metadata:",
        f"  name: Scale {currency} {list_index}",
        "spec:",
        f"  description: Generated price list {list_index}",
        f"  currency: {currency}",
        '  validFrom: "2026-01-01"',
        '  validTo: "2026-12-31"',
        "  quoteConnection: ERP Quotes",
    ]
    if products_file is not None:
        lines.append(f"  productsFile: {products_file}")
    return "\n".join(lines) + "\n"


def _ranges(n: int, price_lists: int) -> Iterator[tuple[int, range]]:
    per_list, extra = divmod(n, price_lists)
    start = 0
    for list_index in range(price_lists):
        size = per_list + (1 if list_index < extra else 0)
        yield list_index, range(start, start + size)
        start += size


def write_manifests(
    target: Path, n: int, price_lists: int, *, changed: bool, products: bool
) -> int:
    """The examples' connections and settings plus generated price lists; returns #changed."""
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("pricing"))
    pricing = target / "pricing"
    pricing.mkdir()
    changes = 0
    for list_index, indexes in _ranges(n, price_lists):
        csv_name = f"products-{list_index}.csv"
        (pricing / f"price-list-{list_index}.yaml").write_text(
            _price_list_yaml(list_index, csv_name), encoding="utf-8"
        )
        with (pricing / csv_name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, COLUMNS, lineterminator="\n")
            writer.writeheader()
            if not products:
                continue
            for index in indexes:
                change = changed and index % CHANGE_EVERY == 0
                changes += change
                writer.writerow(product_row(index, list_index, change))
    return changes


def _run_cli(args: list[str], cwd: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "quotesync_gitops", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"quotesync {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


def _canonical(row: dict[str, Any]) -> dict[str, Any]:
    """The CSV row as the manifest loader's canonical product (same defaults, same types)."""
    from quotesync_gitops.manifest.products import product_fields, product_template

    fields = product_fields()
    out = product_template().copy()
    for key, raw in row.items():
        if raw == "":
            continue
        kind = fields[key].type
        if kind == "number":
            out[key] = round(float(raw), 6)
        elif kind == "boolean":
            out[key] = raw == "true"
        else:
            out[key] = raw
    return out


def insert_products(db: Path, n: int, price_lists: int) -> None:
    """Insert every product row in one transaction, exactly as the REST create stores it."""
    with sqlite3.connect(db) as conn:
        keys = {name: key for name, key in conn.execute("SELECT name, erp_key FROM price_list")}
    store = Store(db)
    try:
        names = [c.name for c in PRODUCT.columns[1:]]
        sql = (
            f"INSERT INTO {PRODUCT.name} ({', '.join(names)}) "
            f"VALUES ({', '.join('?' for _ in names)})"
        )
        defaults = rest._product_defaults()
        with store.transaction(write=True) as conn:
            for list_index, indexes in _ranges(n, price_lists):
                currency = CURRENCIES[list_index % len(CURRENCIES)]
                key = keys[f"Scale {currency} {list_index}"]
                rows = []
                for index in indexes:
                    canonical = _canonical(product_row(index, list_index, False))
                    body = carriers.product(canonical, product_id=0, price_list_key=key)
                    values = rest._read(PRODUCT, body, defaults)
                    rows.append([values[name] for name in names])
                conn.executemany(sql, rows)
    finally:
        store.close()
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def build(root: Path, n: int, price_lists: int) -> Setup:
    """Manifests (as is, and 1% changed) and a loaded CRM database under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    manifests, changed, skeleton = root / "manifests", root / "changed", root / "skeleton"
    write_manifests(manifests, n, price_lists, changed=False, products=True)
    changes = write_manifests(changed, n, price_lists, changed=True, products=True)
    write_manifests(skeleton, n, price_lists, changed=False, products=False)
    db = root / "crm.sqlite"
    _run_cli(["apply", str(skeleton), "--crm", f"local:{db}", "--auto-approve"], root)
    insert_products(db, n, price_lists)
    shutil.rmtree(skeleton)
    return Setup(n, root, manifests, changed, db, changes)


def copy_database(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite file (the source is checkpointed and idle)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
