"""Apply reports progress of bulk product writes (the CLI draws a bar from it on a TTY)."""

from __future__ import annotations

import os

from quotesync_gitops.pipeline import ManifestOptions, execute, plan_against
from tests.e2e.conftest import Workspace


def test_bulk_product_writes_report_progress_to_the_end(ws: Workspace) -> None:
    seen: list[tuple[str, int, int]] = []
    with ws.client() as client:
        run = plan_against(
            client, ManifestOptions(paths=[str(ws.manifests)], env=dict(os.environ), variables={})
        )
        result = execute(client, run, lambda _m: None, lambda *tick: seen.append(tick))
    assert result.ok
    finals = {label: (done, total) for label, done, total in seen if done == total}
    assert finals == {
        "PriceList/Services EUR 2026": (25, 25),
        "PriceList/Standard NOK 2026": (6, 6),
    }
    assert all(0 < done <= total for _, done, total in seen)
