"""Retry policy: which failures are retried, how long to wait, and when to give up.

Retried: 429 (honouring ``Retry-After``, seconds or HTTP date), 500/502/503/504, and
network failures, with exponential backoff and full jitter, bounded by a number of attempts
and a total time. Idempotent calls (reads, and updates that send the whole object) retry
freely. A 500 says nothing about whether the work was done, so it is an unknown outcome
like a 502: a write is resent only after ``landed`` re-read the CRM and found it not done;
when the 500s go on past the attempts, the CRM's own explanation is raised.

A non-idempotent write (create, toggle, move) is retried only when the request certainly
was not processed (connect failure, or 429: only ``RetryPolicy.not_processed_statuses``, by
default just 429, since a gateway's 503 can follow work that was done). When its outcome is
unknown (read timeout, dropped answer, 500/502/503/504) the caller's ``landed`` check is
asked whether the write took effect; without one the call fails with
``CrmConnectionError(outcome_unknown=True)`` instead of risking a duplicate.

Time, sleep and randomness are injectable so tests never sleep for real.
"""

from __future__ import annotations

import email.utils
import enum
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import httpx

from quotesync_gitops.crm.errors import (
    CrmConnectionError,
    CrmProtocolError,
    CrmRateLimited,
)
from quotesync_gitops.crm.transport import RawResponse

T = TypeVar("T")
log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Statuses that say the server did not process the request (safe to resend any call).
NOT_PROCESSED_STATUSES = frozenset({429, 503})
#: The stricter set ``open_client`` uses: only a 429 is a refusal by definition (RFC 6585).
#: A 503 can come from a gateway after the backend did the work (an upstream reset before
#: the headers), so a write answered 503 is checked with ``landed`` before it is resent.
ONLY_429_NOT_PROCESSED = frozenset({429})


@dataclass(frozen=True)
class RetryPolicy:
    """How to retry. Delays in seconds; ``clock``/``sleep``/``jitter``/``now`` injectable."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 20.0
    #: Bound on the whole call including retries and waits.
    total_timeout: float = 120.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    #: Returns a float in [0, 1): full jitter picks the delay uniformly below the cap.
    jitter: Callable[[], float] = random.random
    #: Wall clock (epoch seconds) for ``Retry-After`` given as an HTTP date.
    now: Callable[[], float] = time.time
    #: Retried statuses trusted to mean "not processed": after them even a non-idempotent
    #: write is resent without asking ``landed``. Any other retried status (and 502/504
    #: always) makes a write's outcome unknown.
    not_processed_statuses: frozenset[int] = ONLY_429_NOT_PROCESSED

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, retry_number: int) -> float:
        """Full jitter: uniform in [0, min(max_delay, base_delay * 2**(retry_number-1)))."""
        cap = min(self.max_delay, self.base_delay * (2.0 ** max(retry_number - 1, 0)))
        return self.jitter() * cap


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP date), or None."""
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class ClientStats:
    """Counters for benchmarks and reports; safe to update from many threads."""

    requests: int = 0
    retries: int = 0
    #: Count per HTTP status ("200", "429") or transport failure ("ReadTimeout").
    by_status: dict[str, int] = field(default_factory=dict)
    in_flight: int = 0
    max_in_flight: int = 0
    #: How often a ``landed`` check was asked after an unknown outcome, and how often it said yes.
    landed_checks: int = 0
    landed_found: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, label: str) -> None:
        with self._lock:
            self.requests += 1
            self.by_status[label] = self.by_status.get(label, 0) + 1

    def retried(self) -> None:
        with self._lock:
            self.retries += 1

    def landed(self, found: bool) -> None:
        with self._lock:
            self.landed_checks += 1
            self.landed_found += int(found)

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def as_dict(self) -> dict[str, object]:
        with self._lock:
            return {
                "requests": self.requests,
                "retries": self.retries,
                "by_status": dict(sorted(self.by_status.items())),
                "max_in_flight": self.max_in_flight,
                "landed_checks": self.landed_checks,
                "landed_found": self.landed_found,
            }


class _Outcome(enum.Enum):
    NOT_SENT = "not sent"  # connect failure, a not-processed status (429): safe to resend
    UNKNOWN = "unknown"  # may have been processed: resend only idempotent calls
    FATAL = "fatal"  # retrying cannot help


_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_FATAL_ERRORS = (
    httpx.UnsupportedProtocol,
    httpx.LocalProtocolError,
    httpx.ProxyError,
    httpx.TooManyRedirects,
)


def _classify(exc: httpx.RequestError) -> _Outcome:
    if isinstance(exc, _NOT_SENT_ERRORS):
        return _Outcome.NOT_SENT
    if isinstance(exc, _FATAL_ERRORS):
        return _Outcome.FATAL
    return _Outcome.UNKNOWN


@dataclass(frozen=True)
class CallInfo:
    """What the retry loop needs to know about the call it drives."""

    operation: str
    subject: str | None
    idempotent: bool


def run_with_retry(
    policy: RetryPolicy,
    stats: ClientStats,
    info: CallInfo,
    send: Callable[[], RawResponse],
    finish: Callable[[RawResponse], T],
    landed: Callable[[], T | None] | None = None,
    redact: Callable[[str], str] = lambda text: text,
) -> T:
    """Send until an answer is final, then return ``finish(answer)``.

    ``finish`` parses and checks the body (and raises the right CrmError); ``landed`` is
    consulted for non-idempotent calls whose outcome is unknown.
    """
    start = policy.clock()
    attempt = 0
    while True:
        attempt += 1
        retry_after: float | None = None
        status: int | None = None
        last: RawResponse | None = None
        try:
            raw = send()
        except httpx.DecodingError as exc:
            stats.record(type(exc).__name__)
            raise CrmProtocolError(
                f"answer could not be decoded: {redact(str(exc))}",
                operation=info.operation,
                subject=info.subject,
            ) from exc
        except httpx.RequestError as exc:
            stats.record(type(exc).__name__)
            outcome = _classify(exc)
            failure = f"{type(exc).__name__}: {redact(str(exc)) or 'no detail'}"
            cause: BaseException | None = exc
        else:
            stats.record(str(raw.status))
            if raw.status not in RETRY_STATUSES:
                return finish(raw)
            status, last = raw.status, raw
            trusted = policy.not_processed_statuses & NOT_PROCESSED_STATUSES
            outcome = _Outcome.NOT_SENT if status in trusted else _Outcome.UNKNOWN
            retry_after = parse_retry_after(raw.headers.get("retry-after"), policy.now())
            failure = f"HTTP {status}"
            cause = None

        if outcome is _Outcome.FATAL:
            raise CrmConnectionError(
                f"request failed: {failure}", operation=info.operation, subject=info.subject
            ) from cause

        checked_not_landed = False
        if outcome is _Outcome.UNKNOWN and not info.idempotent:
            if landed is None:
                raise CrmConnectionError(
                    f"outcome unknown after {failure}: the CRM may or may not have applied this "
                    "write; re-read it before trying again",
                    operation=info.operation,
                    subject=info.subject,
                    status=status,
                    outcome_unknown=True,
                ) from cause
            result = landed()
            stats.landed(result is not None)
            if result is not None:
                return result
            checked_not_landed = True

        delay = retry_after if retry_after is not None else policy.backoff(attempt)
        elapsed = policy.clock() - start
        over_time = elapsed + delay > policy.total_timeout
        if attempt >= policy.max_attempts or over_time:
            why = (
                f"gave up after {attempt} attempt(s) in {elapsed:.1f}s"
                + (
                    f" (waiting {delay:.1f}s more would pass the {policy.total_timeout:g}s bound)"
                    if over_time
                    else ""
                )
                + f"; last failure: {failure}"
                + ("; the write did not take effect" if checked_not_landed else "")
            )
            if status == 500 and last is not None:
                return finish(last)  # raises the CRM's explanation, cleaned and redacted
            if status == 429:
                raise CrmRateLimited(
                    f"rate limited: {why}",
                    operation=info.operation,
                    subject=info.subject,
                    retry_after=retry_after,
                )
            raise CrmConnectionError(
                why, operation=info.operation, subject=info.subject, status=status
            ) from cause
        stats.retried()
        log.debug("%s: %s; retry %d in %.2fs", info.operation, failure, attempt, delay)
        if delay > 0:
            policy.sleep(delay)
