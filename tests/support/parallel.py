"""How tests share the machine when pytest-xdist runs them on several workers.

Each worker is its own process and pytest session: module- and session-scoped fixtures,
servers and monkeypatches are per worker, so a test only has to keep to its own tmp_path,
port 0 and monkeypatch. What xdist cannot give is quiet: tests that measure time (latency
served side by side, a Retry-After waited out, two applies that must overlap) carry
``TIMING``, which ``--dist loadgroup`` runs on one worker, one after another, so they never
compete with each other for the cores. Their assertions keep margins for a loaded machine.
"""

from __future__ import annotations

import pytest

TIMING = pytest.mark.xdist_group("timing")
