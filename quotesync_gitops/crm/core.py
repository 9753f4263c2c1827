"""The one place a call is made: encode, send (bounded, counted), retry, check, shape.

:class:`CrmCore` holds the injected ``httpx.Client``, the retry policy and the counters; the
agent and REST method groups (``erp_sync.py``, ``quote.py``, ``rest.py``) are thin layers on
``_agent`` and ``_call`` that only know URLs, carrier names and expected shapes.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final, TypeVar

import httpx

from quotesync_gitops.crm.errors import (
    CrmAuthError,
    CrmNotFound,
    CrmProtocolError,
    CrmRejected,
    explain_refusal,
)
from quotesync_gitops.crm.responses import (
    UnexpectedNull,
    WrongShape,
    check_answer,
    clean_message,
    echo_forms,
    redact_text,
)
from quotesync_gitops.crm.retry import (
    CallInfo,
    ClientStats,
    RetryPolicy,
    parse_retry_after,
    run_with_retry,
)
from quotesync_gitops.crm.transport import (
    DEFAULT_MAX_RESPONSE_BYTES,
    CrmAuth,
    RawResponse,
    ensure_safe_url,
    send_bounded,
)
from quotesync_gitops.secrets import remember_sensitive

T = TypeVar("T")

REDACTED: Final = "(sensitive)"
_NO_BODY: Final = object()
#: Used when the injected httpx.Client has no connect or read timeout.
DEFAULT_TIMEOUT: Final = httpx.Timeout(30.0, connect=10.0)
_CREDENTIAL_HEADERS = ("authorization", "so-apptoken")
_MAX_NAME_CHARS = 80
#: Shortest value ``hide_values`` redacts.
MIN_HIDDEN_CHARS = 3
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def describe(noun: str, carrier: Mapping[str, Any], name_key: str, id_key: str) -> str:
    """A subject for messages: ``ERP connection 'Demo ERP'``, ``... #12`` or ``new ...``."""
    name = carrier.get(name_key)
    if isinstance(name, str) and name.strip():
        text = _CONTROL.sub(" ", name.strip())
        if len(text) > _MAX_NAME_CHARS:
            text = text[:_MAX_NAME_CHARS] + "…"
        return f"{noun} {text!r}"
    ident = carrier.get(id_key)
    if isinstance(ident, int) and not isinstance(ident, bool) and ident > 0:
        return f"{noun} #{ident}"
    return f"new {noun}"


def is_new(carrier: Mapping[str, Any], id_key: str) -> bool:
    """A carrier without a positive id is a create (a non-idempotent save)."""
    ident = carrier.get(id_key)
    return not (isinstance(ident, int) and not isinstance(ident, bool) and ident > 0)


class RateLimitPause:
    """After a 429, no request of this client goes out until the tenant's wait is over.

    The throttled call itself retries by its own policy; this stops the other requests in
    flight from going on hitting the tenant meanwhile. The pause is the ``Retry-After`` the
    CRM gave (without one, the policy's base delay), at most the policy's ``max_delay``, and
    uses the policy's clock and sleep (tests inject both).
    """

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._until = 0.0
        self._lock = threading.Lock()
        #: How often a request waited for a pause to end (for benchmarks and tests).
        self.waits = 0

    def hold(self, retry_after: str | None) -> None:
        policy = self._policy
        seconds = parse_retry_after(retry_after, policy.now())
        pause = min(policy.base_delay if seconds is None else seconds, policy.max_delay)
        with self._lock:
            self._until = max(self._until, policy.clock() + pause)

    def wait(self) -> None:
        while True:
            with self._lock:
                remaining = self._until - self._policy.clock()
                if remaining > 0:
                    self.waits += 1
            if remaining <= 0:
                return
            self._policy.sleep(remaining)


class CrmCore:
    """Request machinery shared by every method group of :class:`CrmClient`."""

    def __init__(
        self,
        http: httpx.Client,
        *,
        retry: RetryPolicy | None = None,
        max_concurrency: int = 8,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        read_concurrency: int | None = None,
        in_process: bool = False,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError("max_concurrency must be at least 1")
        self._http = http
        self._retry = retry if retry is not None else RetryPolicy()
        self._max_bytes = max_response_bytes
        # Every call has connect and read timeouts, even on a client built without them.
        timeout = http.timeout
        if timeout.connect is None or timeout.read is None:
            timeout = DEFAULT_TIMEOUT
        self._timeout = timeout
        self.max_concurrency = max_concurrency
        #: Requests one list read may have in flight (``RestCalls.iter_product_pages``); the
        #: default is ``max_concurrency``. Whoever builds a client for a server in this process
        #: passes 1 (or ``in_process``): it has no round trips to overlap, only the GIL to
        #: contend for.
        self.read_concurrency = min(read_concurrency or max_concurrency, max_concurrency)
        #: The server runs in this process (the embedded CRM): ``run_bulk`` runs its calls one
        #: after another on the calling thread, and list reads go one request at a time.
        self.in_process = in_process
        if in_process:
            self.read_concurrency = 1
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._pause = RateLimitPause(self._retry)
        self._stats = ClientStats()
        secrets: list[str] = []
        auth = http.auth
        if isinstance(auth, CrmAuth):
            secrets.extend(auth.secret_values())
        header_credentials = [http.headers[h] for h in _CREDENTIAL_HEADERS if h in http.headers]
        # The whole header value and the credential after its scheme ("Bearer <token>").
        secrets.extend(header_credentials)
        secrets.extend(value.split(" ", 1)[-1] for value in header_credentials)
        if auth is not None or header_credentials:
            ensure_safe_url(http.base_url)
        self._secrets: tuple[str, ...] = ()
        self._raw_secrets: frozenset[str] = frozenset()
        self._install({s for s in secrets if s})
        self._secrets_lock = threading.Lock()
        if isinstance(auth, CrmAuth):  # tickets and tokens it obtains later are hidden too
            auth.bind_redaction(self.hide_values)

    @property
    def stats(self) -> ClientStats:
        """Requests, retries, answers by status and the most requests in flight at once."""
        return self._stats

    @property
    def base_url(self) -> httpx.URL:
        return self._http.base_url

    def hide_values(self, values: Iterable[str]) -> None:
        """Also redact these strings from any server text that reaches an exception.

        For secrets this client sends in request bodies (connector passwords, values from
        ``${env:}``): a broken or hostile server may echo the request in its error answer,
        escaped or encoded (see ``responses.echo_forms``). Values shorter than
        ``MIN_HIDDEN_CHARS`` are left alone (hiding every ``"1"`` in a message would garble it).
        """
        raw = {v for v in values if len(v) >= MIN_HIDDEN_CHARS}
        with self._secrets_lock:
            if raw <= self._raw_secrets:
                return
            self._install(self._raw_secrets | raw)

    def _install(self, raw: set[str] | frozenset[str]) -> None:
        remember_sensitive(raw)  # for the crash handler, which has no client at hand
        forms = {form for value in raw for form in echo_forms(value)}
        self._raw_secrets = frozenset(raw)
        # Longest first, so a value containing another is redacted whole.
        self._secrets = tuple(sorted(forms | raw, key=len, reverse=True))

    def _redact(self, text: str) -> str:
        return redact_text(text, self._secrets, self._raw_secrets, REDACTED)

    def crm_text(self, value: object) -> str:
        """Text the CRM supplies that will be shown (an explanation, a reason): redacted,
        stripped of control characters and cut, like every server message."""
        return clean_message(value, self._redact)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self._http.base_url}>"

    # --- the call -------------------------------------------------------------------------

    def _encode(self, body: object, operation: str, subject: str | None) -> bytes | None:
        if body is _NO_BODY:
            return None
        try:
            text = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError) as exc:
            # The message names a type or a rule, never a value.
            raise CrmProtocolError(
                f"request body cannot be sent as JSON: {exc}", operation=operation, subject=subject
            ) from exc
        return text.encode("utf-8")

    def _call(
        self,
        method: str,
        path: str,
        shape: Callable[[Any], T],
        *,
        operation: str | None = None,
        subject: str | None = None,
        idempotent: bool = True,
        params: Mapping[str, str | int] | None = None,
        body: object = _NO_BODY,
        landed: Callable[[], T | None] | None = None,
        creating: bool = False,
        upload: tuple[bytes, str] | None = None,
        binary: bool = False,
    ) -> T:
        """One call; ``operation`` (what errors name) defaults to ``"<METHOD> <path>"``.

        ``upload`` sends (bytes, content type) instead of a JSON body; with ``binary`` a
        successful answer's bytes go to ``shape`` undecoded (an image), errors as usual.
        """
        operation = operation or f"{method} {path}"
        content = self._encode(body, operation, subject) if upload is None else upload[0]
        headers = {"Accept": "*/*" if binary else "application/json"}
        if upload is not None:
            headers["Content-Type"] = upload[1]
        elif content is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"

        # The whole call, retries and every answer's transfer included, has one deadline.
        deadline = self._retry.clock() + self._retry.total_timeout

        def send() -> RawResponse:
            request = self._http.build_request(
                method, path, params=params, content=content, headers=headers, timeout=self._timeout
            )
            with self._slots:
                self._pause.wait()
                self._stats.enter()
                try:
                    raw = send_bounded(
                        self._http,
                        request,
                        max_bytes=self._max_bytes,
                        operation=operation,
                        deadline=deadline,
                        clock=self._retry.clock,
                    )
                finally:
                    self._stats.leave()
            if raw.status == 429:
                self._pause.hold(raw.headers.get("retry-after"))
            return raw

        def finish(raw: RawResponse) -> T:
            if binary and 200 <= raw.status < 300:
                return shape(raw.body)
            try:
                data = check_answer(raw, operation=operation, subject=subject, redact=self._redact)
            except CrmAuthError as exc:
                raise explain_refusal(exc) from None
            try:
                return shape(data)
            except UnexpectedNull as exc:
                if creating:
                    raise CrmRejected(
                        "the CRM answered null instead of the saved object",
                        operation=operation,
                        subject=subject,
                        status=raw.status,
                    ) from exc
                raise CrmNotFound(
                    f"{exc} (no such object)",
                    operation=operation,
                    subject=subject,
                    status=raw.status,
                ) from exc
            except WrongShape as exc:
                raise CrmProtocolError(
                    f"answer has the wrong shape: {self._redact(str(exc))}",
                    operation=operation,
                    subject=subject,
                    status=raw.status,
                ) from exc

        info = CallInfo(operation=operation, subject=subject, idempotent=idempotent)
        return run_with_retry(self._retry, self._stats, info, send, finish, landed, self._redact)

    def _agent_save(
        self,
        agent: str,
        method: str,
        shape: Callable[[Any], T],
        carrier: Mapping[str, Any],
        *,
        wrap: str | None,
        noun: str,
        id_key: str,
        landed: Callable[[], T | None] | None = None,
    ) -> T:
        """A save whose carrier id decides: no positive id is a create (never resent blindly,
        a ``null`` answer means it was rejected); otherwise an idempotent update.
        ``wrap`` names the request field holding the carrier (None: the body is the carrier)."""
        new = is_new(carrier, id_key)
        return self._agent(
            agent,
            method,
            shape,
            carrier if wrap is None else {wrap: carrier},
            subject=describe(noun, carrier, "DisplayName", id_key),
            idempotent=not new,
            landed=landed,
            creating=new,
        )

    def _agent(
        self,
        agent: str,
        method: str,
        shape: Callable[[Any], T],
        body: object = _NO_BODY,
        *,
        subject: str | None = None,
        idempotent: bool = True,
        params: Mapping[str, str | int] | None = None,
        landed: Callable[[], T | None] | None = None,
        creating: bool = False,
    ) -> T:
        """``POST /api/v1/Agents/<agent>/<method>`` with a JSON carrier body."""
        return self._call(
            "POST",
            f"/api/v1/Agents/{agent}/{method}",
            shape,
            operation=f"{agent}/{method}",
            subject=subject,
            idempotent=idempotent,
            params=params,
            body=body,
            landed=landed,
            creating=creating,
        )

    def close(self) -> None:
        self._http.close()
