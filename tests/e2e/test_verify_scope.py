"""Apply's verification reads again the products of the price lists it wrote, and only those.

The examples hold two price lists. One product of "Standard NOK 2026" is edited; while apply
writes it, someone changes a product in the CRM (in the written list, or in the untouched
"Services EUR 2026"). The verification's product reads carry the written list's key filter
and nothing else: a change in the written list is reported as still differing, one in the
untouched list is left to the next plan, which finds it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tests.reliability.helpers import TOKEN, copy_examples, run_cli, running_crm

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
AUTH = {"Authorization": f"Bearer {TOKEN}"}
DRIFT = {**AUTH, "X-Test-Drift": "1"}
STANDARD, SERVICES = "Standard NOK 2026", "Services EUR 2026"


class ProductLog:
    """WSGI middleware: the ``$filter`` of every product list read; a hook after the first
    product write (the drift someone else makes while apply runs)."""

    def __init__(self) -> None:
        self.filters: list[str] = []
        self.after_first_write: Callable[[], None] = lambda: None
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._written = True  # nothing to do until armed

    def arm(self, hook: Callable[[], None]) -> None:
        """Run ``hook`` once, after the next product write."""
        with self._lock:
            self.after_first_write, self._written = hook, False

    def wrap(self, app: WsgiApp) -> WsgiApp:
        def logged(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path, method = str(environ.get("PATH_INFO", "")), environ.get("REQUEST_METHOD")
            mine = path == "/api/v1/Product" and method == "GET"
            if mine and "HTTP_X_TEST_DRIFT" not in environ:  # not the drift's own reads
                query = parse_qs(str(environ.get("QUERY_STRING", "")))
                with self._lock:
                    self.filters.append(query.get("$filter", [""])[0])
            body = list(app(environ, start_response))
            if method == "PUT" and path.startswith("/api/v1/Product/"):
                with self._lock:
                    first, self._written = not self._written, True
                if first:
                    try:
                        self.after_first_write()
                    except Exception as exc:  # the server thread would swallow it
                        self.errors.append(exc)
            return body

        return logged


def _key_of(url: str, name: str) -> str:
    rows = httpx.get(f"{url}/api/v1/Pricelist", headers=AUTH).json()["value"]
    return str(next(row["ERPPriceListKey"] for row in rows if row["Name"] == name))


def _drift(url: str, code: str) -> Callable[[], None]:
    """Raise the list price of the product with this code, as another user would."""

    def change() -> None:
        params = {"$filter": f"Code eq '{code}'"}
        rows = httpx.get(f"{url}/api/v1/Product", params=params, headers=DRIFT).json()["value"]
        product = httpx.get(f"{url}/api/v1/Product/{rows[0]['ProductId']}", headers=AUTH).json()
        product["UnitListPrice"] = float(product["UnitListPrice"]) + 1
        answer = httpx.put(
            f"{url}/api/v1/Product/{product['ProductId']}", json=product, headers=AUTH
        )
        assert answer.status_code == 200, answer.text

    return change


@pytest.mark.parametrize(
    ("drifted", "in_written_list"),
    [("HW-1002", True), ("CON-100", False)],
    ids=["drift-in-the-written-list", "drift-in-an-untouched-list"],
)
def test_verification_rereads_only_the_written_price_list(
    tmp_path: Path, drifted: str, in_written_list: bool
) -> None:
    log = ProductLog()
    with running_crm(tmp_path / "crm", wrap=log.wrap) as crm:
        manifests = copy_examples(tmp_path)
        first = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert first.exit_code == 0, first.output
        standard_key, services_key = _key_of(crm.url, STANDARD), _key_of(crm.url, SERVICES)
        log.filters.clear()
        plain_plan = run_cli("plan", str(manifests), "--detailed-exitcode", env=crm.env)
        assert plain_plan.exit_code == 0, plain_plan.output
        plan_reads = list(log.filters)

        standard = manifests / "pricing" / "standard-nok-2026.yaml"
        text = standard.read_text(encoding="utf-8")
        standard.write_text(text.replace("listPrice: 14990", "listPrice: 15990", 1), "utf-8")
        log.filters.clear()
        log.arm(_drift(crm.url, drifted))
        httpx.delete(f"{crm.url}/_emulator/stats", headers=AUTH)
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        apply_reads = list(log.filters)
        product_reads = crm.stats()["requests_per_path"]["/api/v1/Product"]
        later = run_cli("plan", str(manifests), "--detailed-exitcode", env=crm.env)

    assert not log.errors
    # The plan part of apply reads every product as plan does (no key filter) ...
    unfiltered = [f for f in apply_reads if "ERPPriceListKey" not in f]
    assert len(unfiltered) == len(plan_reads) > 0
    assert all("ERPPriceListKey" not in f for f in plan_reads)
    # ... and the verification only the written list's, with the API's filter on its key.
    filtered = [f for f in apply_reads if "ERPPriceListKey" in f]
    assert filtered, apply_reads
    assert all(f"ERPPriceListKey eq '{standard_key}'" in f for f in filtered), filtered
    assert not any(services_key in f for f in filtered)
    # The emulator counts the same requests (plus the drift's own read).
    assert product_reads == len(unfiltered) + len(filtered) + 1
    assert (
        "verifying: reading the CRM again (the products of 1 price list(s) apply wrote; "
        "the products of 1 price list(s) as the plan read them: apply did not write them)"
    ) in result.output
    if in_written_list:
        # Re-read: the other user's change shows as a difference apply did not make.
        assert result.exit_code == 1, result.output
        assert f"still differs after apply: PriceList/{STANDARD}" in result.output
    else:
        # Not re-read: apply is done; the next plan finds the change in the untouched list.
        assert result.exit_code == 0, result.output
        assert "still differs" not in result.output
    # Either way the next plan shows the other user's change.
    assert later.exit_code == 2, later.output
    assert f"Product/{drifted}" in later.output
    assert (STANDARD if in_written_list else SERVICES) in later.output


def test_when_every_price_list_was_written_one_full_read_verifies_them(tmp_path: Path) -> None:
    """Filtered reads of every list would cost more requests than one read of all products."""
    log = ProductLog()
    with running_crm(tmp_path / "crm", wrap=log.wrap) as crm:
        manifests = copy_examples(tmp_path)
        first = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert first.exit_code == 0, first.output
        standard = manifests / "pricing" / "standard-nok-2026.yaml"
        text = standard.read_text(encoding="utf-8")
        standard.write_text(text.replace("listPrice: 14990", "listPrice: 15990", 1), "utf-8")
        services = manifests / "pricing" / "services-products.csv"
        text = services.read_text(encoding="utf-8")
        services.write_text(text.replace(",hour,hour,145,", ",hour,hour,146,", 1), "utf-8")
        log.filters.clear()
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        reads = list(log.filters)
        again = run_cli("plan", str(manifests), "--detailed-exitcode", env=crm.env)
    assert result.exit_code == 0, result.output
    assert again.exit_code == 0, again.output
    assert "verifying: reading the CRM again (the products of 2 price list(s) apply wrote)" in (
        result.output
    )
    assert reads and not any("ERPPriceListKey" in f for f in reads), reads
    assert len(reads) == 2  # the plan's read of every product, then the same read once more


def test_the_verification_does_not_fingerprint_the_manifests_products(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Desired fingerprints are for saved targeted plans; apply's own check never saves one
    (a JSON dump of every product of every list it wrote, 20% of a 100,000-product apply)."""
    from quotesync_gitops.kinds.live_products import LiveProducts
    from quotesync_gitops.plan import planner

    dumped: list[str] = []
    original = planner.fingerprint

    def counting(spec: Any) -> str:
        products = spec.get("products") if hasattr(spec, "get") else None
        if products is not None and not isinstance(products, LiveProducts):
            dumped.append(str(spec.get("currency")))
        return original(spec)

    monkeypatch.setattr(planner, "fingerprint", counting)
    with running_crm(tmp_path / "crm") as crm:
        manifests = copy_examples(tmp_path)
        result = run_cli("apply", str(manifests), "--auto-approve", env=crm.env)
        assert result.exit_code == 0, result.output
        assert "verifying: reading the CRM again" in result.output
        # A targeted plan still fingerprints what it targets (its staleness check needs it).
        targeted = run_cli("plan", str(manifests), "--target", f"PriceList/{STANDARD}", env=crm.env)
    assert targeted.exit_code == 0, targeted.output
    assert dumped == ["NOK"]
