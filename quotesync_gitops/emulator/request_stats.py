"""Requests per path and the most in flight at once: what ``/_emulator/stats`` answers."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any


class RequestStats:
    """Requests per path and how many were in flight at once (for concurrency checks)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.per_path: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0

    def begin(self, path: str) -> None:
        with self._lock:
            self.per_path[path] += 1
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def end(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def reset(self) -> None:
        with self._lock:
            self.per_path.clear()
            self.max_in_flight = self.in_flight

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "requests_per_path": dict(self.per_path),
                "in_flight": self.in_flight,
                "max_in_flight": self.max_in_flight,
            }
