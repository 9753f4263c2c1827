"""docs/emulator.md names every agent method the emulator serves (the page stays true)."""

from __future__ import annotations

from pathlib import Path

from quotesync_gitops.emulator.app import ROUTES

DOC = Path(__file__).resolve().parents[2] / "docs" / "emulator.md"
AGENTS = "/api/v1/Agents/"


def test_every_served_agent_method_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    served = [r.template[len(AGENTS) :] for r in ROUTES if r.template.startswith(AGENTS)]
    assert len(served) > 70
    missing = [m for m in served if f"`{m.split('/')[1]}`" not in text]
    assert missing == [], f"docs/emulator.md does not name: {', '.join(missing)}"
