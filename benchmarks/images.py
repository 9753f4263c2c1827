"""Product images at scale: what ``image:`` costs a plan of 100,000 products.

    .venv/bin/python benchmarks/images.py                          # 100,000 products, 1% images
    .venv/bin/python benchmarks/images.py --n 10000 --images 100   # a quick run

Builds ``scale_data``'s setup (the examples plus N products in CSV files, a CRM holding them)
and one more price list of ``--images`` inline products, each naming its own PNG, applied with
the real ``quotesync apply`` (so the CRM holds the images). Then, each in a fresh process and
the best of ``--repeat``, ``quotesync plan --detailed-exitcode`` of

* the same manifests with the ``image:`` keys taken out (images not managed: the baseline), and
* the manifests with them (every image compared: ``ImageInfo``, then the bytes, the size
  agreeing),

on the embedded CRM and on the served emulator (with ``--latency`` ms added to every call), and
the image requests the served plan made (``/_emulator/stats``). Both plans must find no changes.
"""

from __future__ import annotations

import argparse
import math
import shutil
import struct
import sys
import tempfile
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale_data import build, copy_database
from scale_measure import quotesync, run_measured, serve


def png(seed: int) -> bytes:
    """A small PNG of its own for every product (about 200 bytes)."""
    rows = b"".join(
        b"\x00" + bytes((x * 7 + y * 3 + seed) % 256 for x in range(24)) for y in range(8)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows))


def image_list(manifests: Path, count: int, *, with_images: bool) -> None:
    folder = manifests / "pricing"
    (folder / "images").mkdir(exist_ok=True)
    lines = [
        "apiVersion: quotesync.io/v1",
        "kind: PriceList",
        "metadata:",
        "  name: Pictured",
        "spec:",
        "  currency: NOK",
        '  validFrom: "2026-01-01"',
        '  validTo: "2026-12-31"',
        "  products:",
    ]
    for index in range(count):
        image = f", image: images/p-{index}.png" if with_images else ""
        lines.append(f"    - {{code: IMG-{index:05d}, name: Pictured {index}{image}}}")
        (folder / "images" / f"p-{index}.png").write_bytes(png(index))
    (folder / "pictured.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def best(args: list[str], cwd: Path, repeat: int) -> float:
    wall = math.inf
    for _ in range(repeat):
        measured = run_measured(args, cwd)
        if measured.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} exited {measured.returncode}:\n{measured.stderr}")
        wall = min(wall, measured.wall)
    return wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="products in CSV price lists")
    parser.add_argument("--images", type=int, default=1_000, help="products with an image")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency", type=int, default=20, help="ms added per served call")
    options = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="quotesync-images-"))
    try:
        setup = build(root / "setup", options.n, 5)
        with_images = setup.manifests
        without = root / "without-images"
        shutil.copytree(with_images, without)
        image_list(with_images, options.images, with_images=True)
        image_list(without, options.images, with_images=False)
        crm = f"local:{setup.db}"
        applied = run_measured(quotesync("apply", str(with_images), "--crm", crm,
                                         "--auto-approve"), root)  # fmt: skip
        if applied.returncode != 0:
            raise RuntimeError(applied.stdout + applied.stderr)
        served_db = root / "served.sqlite"
        copy_database(setup.db, served_db)

        rows = []
        for label, manifests in (("without image:", without), ("with image:", with_images)):
            plan = quotesync("plan", str(manifests), "--crm", crm, "--detailed-exitcode")
            rows.append((label, "embedded", best(plan, root, options.repeat), None))
        with serve(served_db, root) as served:
            served.set_latency(options.latency)
            for label, manifests in (("without image:", without), ("with image:", with_images)):
                plan = quotesync("plan", str(manifests), "--crm", served.url, "--detailed-exitcode")
                served.reset_stats()
                wall = best(plan, root, options.repeat)
                per_path = served.stats()["requests_per_path"]
                image_calls = sum(n for path, n in per_path.items() if "/Image" in path)
                rows.append((label, f"served +{options.latency} ms", wall, image_calls))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"{options.n:,} products in CSV files + {options.images:,} inline products with images")
    print("| manifests | CRM | plan s (no changes) | image requests per plan |")
    print("|---|---|---:|---:|")
    for label, where, wall, image_calls in rows:
        calls = "" if image_calls is None else f"{image_calls // options.repeat:,}"
        print(f"| {label} | {where} | {wall:.2f} | {calls} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
