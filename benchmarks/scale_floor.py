"""The floor: the cheapest possible parse of the manifests and read of the same live objects.

Run as its own process by ``scale.py`` (so it is timed like ``quotesync plan`` is, from
interpreter start):

* every ``*.yaml`` manifest parsed with PyYAML's C loader (``yaml.CSafeLoader``), every
  ``*.csv`` products file read with ``csv.reader``;
* the agent and MDO list calls the live reader makes, replayed with plain ``httpx``;
* every product and price list read with plain ``httpx`` keyset pages
  (``$orderBy=<id>&$top=1000&$filter=<id> gt <last>``), each answer parsed with ``.json()``.

No validation, no normalisation, no comparison: a lower bound for any tool that reads both.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import httpx
import yaml

PAGE = 1000


def parse_manifests(root: Path) -> int:
    values = 0
    for path in sorted(root.rglob("*.yaml")):
        values += len(list(yaml.load_all(path.read_text("utf-8"), Loader=yaml.CSafeLoader)))
    for path in sorted(root.rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            values += sum(1 for _ in csv.reader(handle))
    return values


def keyset(http: httpx.Client, path: str, key: str) -> int:
    rows_read = 0
    params: dict[str, Any] = {"$orderBy": key, "$top": PAGE}
    while True:
        rows = http.get(path, params=params).raise_for_status().json()["value"]
        rows_read += len(rows)
        if len(rows) < PAGE:
            return rows_read
        params["$filter"] = f"{key} gt {rows[-1][key]}"


def read_live(http: httpx.Client, calls: list[dict[str, Any]]) -> int:
    for call in calls:
        http.request(
            call["method"],
            call["path"] + (f"?{call['query']}" if call["query"] else ""),
            content=call["body"].encode("utf-8") or None,
            headers={"Content-Type": "application/json"} if call["body"] else None,
        ).raise_for_status().json()
    return keyset(http, "/api/v1/Product", "ProductId") + keyset(
        http, "/api/v1/Pricelist", "PriceListId"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--manifests", type=Path, required=True)
    parser.add_argument("--target", required=True, help="http://... or local:<sqlite file>")
    parser.add_argument("--calls", type=Path, required=True)
    args = parser.parse_args()
    values = parse_manifests(args.manifests)
    calls = json.loads(args.calls.read_text("utf-8"))
    if args.target.startswith("local:"):
        from quotesync_gitops.emulator.app import create_app

        transport = httpx.WSGITransport(app=create_app(args.target[len("local:") :]))
        http = httpx.Client(transport=transport, base_url="http://embedded.local")
    else:
        http = httpx.Client(base_url=args.target, timeout=60)
    with http:
        rows = read_live(http, calls)
    json.dump({"manifest_values": values, "rows": rows, "calls": len(calls)}, sys.stdout)


if __name__ == "__main__":
    main()
