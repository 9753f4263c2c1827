"""Product images through the real CLI against the embedded and the served CRM: validate, plan
by digest (never bytes), apply with PUT/DELETE, drift, stale plans, export and round trip."""

from __future__ import annotations

import hashlib
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from quotesync_gitops.cli.main import cli
from quotesync_gitops.emulator import start_in_thread
from quotesync_gitops.target import open_client
from tests.e2e.conftest import Workspace

LIST = """apiVersion: quotesync.io/v1
kind: PriceList
metadata:
  name: Hardware 2026
spec:
  currency: NOK
  validFrom: "2026-01-01"
  validTo: "2026-12-31"
  products:
    - {code: HW-1, name: Laptop, listPrice: 100, image: images/hw-1.png}
    - {code: HW-2, name: Dock, listPrice: 20, image: images/hw-2.gif}
    - {code: HW-3, name: Cable, listPrice: 2}
"""


def png(seed: int, size: int = 8) -> bytes:
    rows = b"".join(
        b"\x00" + bytes((x * 7 + y * 3 + seed) % 256 for x in range(size * 3)) for y in range(size)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
GIF += b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"


@pytest.fixture
def repo(ws: Workspace) -> Workspace:
    for path in ws.manifests.rglob("*"):
        if path.is_file():
            path.unlink()
    folder = ws.manifests / "pricing"
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "hardware.yaml").write_text(LIST, encoding="utf-8")
    (folder / "images" / "hw-1.png").write_bytes(png(1))
    (folder / "images" / "hw-2.gif").write_bytes(GIF)
    return ws


def images_of(ws: Workspace, crm: str | None = None) -> dict[str, bytes | None]:
    with open_client(crm or ws.crm, {}) as client:
        products = {p["Code"]: int(p["ProductId"]) for p in client.iter_products()}
        return {code: client.get_product_image(pid) for code, pid in sorted(products.items())}


def hand_put(ws: Workspace, code: str, data: bytes) -> None:
    with ws.client() as client:
        (product,) = [p for p in client.iter_products() if p["Code"] == code]
        client.put_product_image(int(product["ProductId"]), data, "image/png", "x.png")


def test_plan_shows_digests_and_apply_uploads_the_files(repo: Workspace) -> None:
    digest = hashlib.sha256(png(1)).hexdigest()
    plan = repo.plan("--format", "json")
    assert plan.exit_code == 0, plan.output
    assert f'"image/png, {len(png(1))} bytes, sha256 {digest}"' in plan.output
    assert "IHDR" not in plan.output and "GIF89a" not in plan.output  # never the bytes

    assert repo.apply().exit_code == 0
    assert images_of(repo) == {"HW-1": png(1), "HW-2": GIF, "HW-3": None}
    again = repo.plan("--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_changed_file_null_and_left_out(repo: Workspace) -> None:
    assert repo.apply().exit_code == 0
    (repo.manifests / "pricing" / "images" / "hw-1.png").write_bytes(png(2))
    manifest = repo.manifests / "pricing" / "hardware.yaml"
    manifest.write_text(LIST.replace("image: images/hw-2.gif", "image: null"), encoding="utf-8")
    hand_put(repo, "HW-3", png(3))  # HW-3 names no image: not managed

    plan = repo.plan()
    assert "images.HW-1:" in plan.output and "images.HW-2:" in plan.output
    assert "HW-3" not in plan.output
    assert repo.apply().exit_code == 0
    assert images_of(repo) == {"HW-1": png(2), "HW-2": None, "HW-3": png(3)}
    assert repo.plan("--detailed-exitcode").exit_code == 0


def test_a_hand_change_is_drift(repo: Workspace) -> None:
    assert repo.apply().exit_code == 0
    hand_put(repo, "HW-1", png(9))
    drift = repo.run("drift", str(repo.manifests))
    assert drift.exit_code == 2, drift.output
    assert "images.HW-1:" in drift.output
    assert repo.apply().exit_code == 0
    assert images_of(repo)["HW-1"] == png(1)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        ("images/hw-2.gif.txt", "image 'images/hw-2.gif.txt': no such file"),
        ("../../../outside.png", "points outside the repository"),
        ("images/link.png", "points outside the repository"),  # a symlink to ../../../outside
        ("images/fake.png", "is not a PNG, JPEG or GIF image"),
        ("images/huge.png", "images may be at most 5,242,880 bytes"),
        (
            "5",
            "image must be the path of an image file (relative to this manifest), or null "
            "for no image, but it is a number",
        ),
        ('""', "or null for no image, but it is empty"),
        ('"${env:HOME}"', "image cannot come from ${env:} or ${file:}"),
    ],
)
def test_bad_images_are_refused_at_their_line(repo: Workspace, image: str, message: str) -> None:
    folder = repo.manifests / "pricing"
    (folder / "images" / "fake.png").write_bytes(b"not an image at all")
    (folder / "images" / "huge.png").write_bytes(png(1) + b"\x00" * (5 * 1024 * 1024))
    (repo.root / "outside.png").write_bytes(png(1))
    (folder / "images" / "link.png").symlink_to(repo.root / "outside.png")
    (folder / "hardware.yaml").write_text(
        LIST.replace("image: images/hw-1.png", f"image: {image}"), encoding="utf-8"
    )

    for command in ("validate", "apply"):
        extra = ["--auto-approve"] if command == "apply" else []
        result = repo.run(command, str(repo.manifests), *extra)
        assert result.exit_code == 1, result.output
        line = next(x for x in result.output.splitlines() if message in x)
        assert "hardware.yaml:10:57: error: " in line
    with repo.client() as client:
        assert list(client.iter_pricelists()) == []  # nothing written


def test_image_in_a_products_csv_is_refused(repo: Workspace) -> None:
    folder = repo.manifests / "pricing"
    (folder / "more.csv").write_text("code,name,image\nX-1,Thing,images/hw-1.png\n")
    (folder / "hardware.yaml").write_text(
        LIST.replace("  products:\n", "  productsFile: more.csv\n  products:\n"),
        encoding="utf-8",
    )
    result = repo.run("validate", str(repo.manifests))
    assert result.exit_code == 1
    assert (
        "more.csv:1:11: error: 'image' cannot be a CSV column: name a product's image on its "
        "inline entry in the manifest (spec.products)"
    ) in result.output


def test_an_image_edited_after_the_plan_makes_it_stale(repo: Workspace) -> None:
    planfile = repo.root / "plan.json"
    assert repo.plan("--out", str(planfile)).exit_code == 0
    assert "IHDR" not in planfile.read_text(encoding="utf-8")
    (repo.manifests / "pricing" / "images" / "hw-1.png").write_bytes(png(5))

    result = repo.run("apply", str(planfile))

    assert result.exit_code == 3, result.output
    assert "hw-1.png" in result.output
    with repo.client() as client:
        assert list(client.iter_pricelists()) == []


def test_export_writes_the_images_and_round_trips(repo: Workspace, tmp_path: Path) -> None:
    assert repo.apply().exit_code == 0
    hand_put(repo, "HW-3", png(3))
    out = tmp_path / "exported"
    result = repo.run("export", "--out", str(out), "--products-csv-threshold", "1")
    assert result.exit_code == 0, result.output
    assert "  3 product image(s) beside their price lists" in result.output
    folder = out / "pricing"
    assert (folder / "images" / "hardware-2026" / "hw-1.png").read_bytes() == png(1)
    assert (folder / "images" / "hardware-2026" / "hw-2.gif").read_bytes() == GIF
    text = (folder / "hardware-2026.yaml").read_text(encoding="utf-8")
    assert "image: images/hardware-2026/hw-3.png" in text
    assert "productsFile" not in text  # every product has an image: all stay inline
    assert repo.run("plan", str(out), "--detailed-exitcode").exit_code == 0

    fresh = f"local:{tmp_path / 'fresh.sqlite'}"
    env = {"QUOTESYNC_CRM": fresh, "NO_COLOR": "1"}
    copied = CliRunner().invoke(cli, ["apply", str(out), "--auto-approve"], env=env)
    assert copied.exit_code == 0, copied.output
    assert images_of(repo, fresh) == images_of(repo)


@pytest.fixture
def served(repo: Workspace, tmp_path: Path) -> Iterator[tuple[Workspace, str]]:
    server = start_in_thread(tmp_path / "served.sqlite")
    repo.crm = server.url
    try:
        yield repo, server.url
    finally:
        server.stop()


def calls(url: str) -> dict[str, Any]:
    stats: dict[str, Any] = httpx.get(f"{url}/_emulator/stats").json()["requests_per_path"]
    httpx.delete(f"{url}/_emulator/stats")
    return stats


def test_in_sync_images_cost_two_reads_and_others_none(served: tuple[Workspace, str]) -> None:
    """Over HTTP: ImageInfo, then the bytes only where type and size agree; products without
    ``image`` are never asked about."""
    ws, url = served
    assert ws.apply().exit_code == 0
    calls(url)
    assert ws.plan("--detailed-exitcode").exit_code == 0
    seen = calls(url)
    image_paths = {p: n for p, n in seen.items() if "/Image" in p}
    assert len(image_paths) == 4  # ImageInfo and Image of HW-1 and HW-2, nothing of HW-3
    assert all(n == 1 for n in image_paths.values())

    (ws.manifests / "pricing" / "images" / "hw-1.png").write_bytes(png(2, size=12))
    assert ws.plan("--detailed-exitcode").exit_code == 2
    changed = {p for p in calls(url) if "/Image" in p}
    assert sum(p.endswith("/ImageInfo") for p in changed) == 2
    assert sum(p.endswith("/Image") for p in changed) == 1  # another size: bytes not fetched


def test_new_products_and_a_replaced_list_get_their_images(repo: Workspace) -> None:
    assert repo.apply().exit_code == 0
    manifest = repo.manifests / "pricing" / "hardware.yaml"
    grown = LIST + "    - {code: HW-4, name: Mouse, listPrice: 5, image: images/hw-1.png}\n"
    manifest.write_text(grown, encoding="utf-8")
    assert repo.apply().exit_code == 0
    assert images_of(repo)["HW-4"] == png(1)

    manifest.write_text(grown.replace("currency: NOK", "currency: SEK"), encoding="utf-8")
    replaced = repo.apply()
    assert replaced.exit_code == 0, replaced.output
    with repo.client() as client:
        (new,) = [p for p in client.iter_pricelists() if p["Name"] == "Hardware 2026"]
        codes = {
            p["Code"]: int(p["ProductId"])
            for p in client.iter_products()
            if p["ERPPriceListKey"] == new["ERPPriceListKey"]
        }
        assert {code: client.get_product_image(pid) for code, pid in codes.items()} == {
            "HW-1": png(1),
            "HW-2": GIF,
            "HW-3": None,
            "HW-4": png(1),
        }
    assert repo.plan("--detailed-exitcode").exit_code == 0


def test_export_without_images_asks_nothing_and_still_plans_clean(
    served: tuple[Workspace, str], tmp_path: Path
) -> None:
    ws, url = served
    assert ws.apply().exit_code == 0
    calls(url)
    out = tmp_path / "exported"
    result = ws.run("export", "--out", str(out), "--no-images")
    assert result.exit_code == 0, result.output
    assert not any("/Image" in path for path in calls(url))
    assert "image:" not in (out / "pricing" / "hardware-2026.yaml").read_text(encoding="utf-8")
    assert not (out / "pricing" / "images").exists()
    assert ws.run("plan", str(out), "--detailed-exitcode").exit_code == 0
