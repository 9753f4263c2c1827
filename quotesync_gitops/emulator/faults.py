"""Fault injection: latency, throttling (429), server errors and dropped connections.

A ``FaultConfig`` holds an added latency and an ordered list of ``FaultRule``. Each rule counts the
calls whose path contains its ``path`` filter (all calls when it has none) and fires on the Nth of
those calls (``calls``), at a ``rate`` drawn from a seeded RNG, or on every call when it has
neither. The first rule that fires decides the fault. Emulator-only ``/_emulator/*`` paths are never
counted or faulted.

The config is mutable at runtime (``configure`` replaces it in place, so references held by tests
or by the app stay valid) and thread-safe: the server decides faults from many threads at once.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

FAULT_STATUSES: tuple[int, ...] = (429, 500, 502, 503, 504)

FaultStatus = int | Literal["drop"]


class DroppedConnection(ConnectionResetError):
    """Raised by the WSGI app to drop the connection without an answer.

    The threaded server closes the socket without writing anything (the client sees the server
    disconnect); called in-process (httpx ``WSGITransport``) the exception reaches the caller.
    """


class FaultSpecError(ValueError):
    """A fault rule (CLI spec or JSON) could not be understood."""


@dataclass(frozen=True)
class FaultRule:
    """One way to fail: an HTTP status (or ``"drop"``), and when to do it.

    ``calls``: 1-based numbers of the matching calls to fail; ``rate``: probability (0..1) per
    matching call; neither: every matching call. ``retry_after``: seconds sent in ``Retry-After``
    with 429 (default 1). ``after_processing``: handle the request first (the write lands), then
    fail instead of answering — "the write landed but the answer was lost".
    """

    status: FaultStatus
    rate: float = 0.0
    calls: tuple[int, ...] = ()
    retry_after: int | None = None
    path: str | None = None
    after_processing: bool = False

    def __post_init__(self) -> None:
        if self.status != "drop" and self.status not in FAULT_STATUSES:
            raise FaultSpecError(
                f"fault status must be one of {', '.join(map(str, FAULT_STATUSES))} or 'drop', "
                f"not {self.status!r}"
            )
        if not 0.0 <= self.rate <= 1.0:
            raise FaultSpecError(f"fault rate must be between 0 and 1, not {self.rate}")
        if any(n < 1 for n in self.calls):
            raise FaultSpecError("fault call numbers start at 1")
        if self.retry_after is not None and self.retry_after < 0:
            raise FaultSpecError("retry_after must not be negative")

    @property
    def retry_after_seconds(self) -> int:
        return 1 if self.retry_after is None else self.retry_after

    def matches(self, path: str) -> bool:
        return self.path is None or self.path.lower() in path.lower()

    @classmethod
    def parse(cls, spec: str) -> FaultRule:
        """Parse a CLI spec: ``STATUS[,rate=R][,calls=N+M][,retry-after=S][,path=P][,after]``.

        Examples: ``503,rate=0.1``, ``429,calls=1+2,retry-after=2``, ``drop,calls=3,after``,
        ``500,path=SaveConnection``.
        """
        parts = [p.strip() for p in spec.split(",") if p.strip()]
        if not parts:
            raise FaultSpecError("empty fault spec")
        status = _parse_status(parts[0])
        options: dict[str, Any] = {}
        for part in parts[1:]:
            key, sep, value = part.partition("=")
            key = key.strip().lower().replace("_", "-")
            try:
                if key == "after" and not sep:
                    options["after_processing"] = True
                elif key == "rate":
                    options["rate"] = float(value)
                elif key in ("calls", "call", "nth"):
                    options["calls"] = tuple(int(n) for n in value.split("+") if n.strip())
                elif key == "retry-after":
                    options["retry_after"] = int(value)
                elif key == "path":
                    options["path"] = value
                else:
                    raise FaultSpecError(f"unknown fault option {key!r} in {spec!r}")
            except ValueError as exc:
                if isinstance(exc, FaultSpecError):
                    raise
                raise FaultSpecError(f"bad value for {key!r} in fault spec {spec!r}") from exc
        return cls(status=status, **options)

    @classmethod
    def from_json(cls, data: Any) -> FaultRule:
        if not isinstance(data, dict):
            raise FaultSpecError("each fault rule must be a JSON object")
        known = {"status", "rate", "calls", "retry_after", "path", "after_processing"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise FaultSpecError(f"unknown fault rule field(s): {', '.join(unknown)}")
        try:
            calls = data.get("calls") or ()
            return cls(
                status=_parse_status(data.get("status")),
                rate=float(data.get("rate", 0.0)),
                calls=tuple(int(n) for n in calls),
                retry_after=None if data.get("retry_after") is None else int(data["retry_after"]),
                path=None if data.get("path") in (None, "") else str(data["path"]),
                after_processing=bool(data.get("after_processing", False)),
            )
        except (TypeError, ValueError) as exc:
            if isinstance(exc, FaultSpecError):
                raise
            raise FaultSpecError(f"bad fault rule: {exc}") from exc

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "rate": self.rate,
            "calls": list(self.calls),
            "retry_after": self.retry_after,
            "path": self.path,
            "after_processing": self.after_processing,
        }


def _parse_status(raw: Any) -> FaultStatus:
    if isinstance(raw, str) and raw.strip().lower() == "drop":
        return "drop"
    if isinstance(raw, bool):
        raise FaultSpecError(f"bad fault status {raw!r}")
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise FaultSpecError(f"bad fault status {raw!r}") from exc


@dataclass
class FaultConfig:
    """Latency and fault rules, plus the counters the stats endpoint reports."""

    latency_ms: int = 0
    rules: list[FaultRule] = field(default_factory=list)
    seed: int | None = None
    calls_seen: int = 0
    faults_injected: int = 0
    _rule_calls: dict[int, int] = field(default_factory=dict, repr=False, compare=False)
    _rng: random.Random = field(default_factory=random.Random, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.latency_ms < 0:
            raise FaultSpecError("latency_ms must not be negative")
        self._rng.seed(self.seed)

    def decide(self, path: str) -> FaultRule | None:
        """Count one call to ``path`` and return the rule that fails it, if any."""
        with self._lock:
            self.calls_seen += 1
            chosen: FaultRule | None = None
            for index, rule in enumerate(self.rules):
                if not rule.matches(path):
                    continue
                count = self._rule_calls.get(index, 0) + 1
                self._rule_calls[index] = count
                fires = not rule.calls and rule.rate == 0.0
                if rule.calls and count in rule.calls:
                    fires = True
                if rule.rate > 0.0 and self._rng.random() < rule.rate:
                    fires = True
                if fires and chosen is None:
                    chosen = rule
            if chosen is not None:
                self.faults_injected += 1
            return chosen

    def configure(self, other: FaultConfig) -> None:
        """Replace latency, rules and seed in place; rule and call counters start again."""
        with self._lock:
            self.latency_ms = other.latency_ms
            self.rules = list(other.rules)
            self.seed = other.seed
            self._rule_calls.clear()
            self._rng.seed(other.seed)

    def reset_counters(self) -> None:
        with self._lock:
            self.calls_seen = 0
            self.faults_injected = 0
            self._rule_calls.clear()

    @classmethod
    def from_json(cls, data: Any) -> FaultConfig:
        if not isinstance(data, dict):
            raise FaultSpecError("the fault config must be a JSON object")
        unknown = sorted(set(data) - {"latency_ms", "rules", "seed"})
        if unknown:
            raise FaultSpecError(f"unknown fault config field(s): {', '.join(unknown)}")
        rules = data.get("rules") or []
        if not isinstance(rules, list):
            raise FaultSpecError("'rules' must be a list")
        try:
            latency = int(data.get("latency_ms") or 0)
            seed = None if data.get("seed") is None else int(data["seed"])
        except (TypeError, ValueError) as exc:
            raise FaultSpecError(f"bad fault config: {exc}") from exc
        return cls(latency_ms=latency, rules=[FaultRule.from_json(r) for r in rules], seed=seed)

    def to_json(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": self.latency_ms,
                "seed": self.seed,
                "rules": [rule.to_json() for rule in self.rules],
            }
