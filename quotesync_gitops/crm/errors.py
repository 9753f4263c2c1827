"""The CRM client's exception tree.

Every failure talking to SuperOffice is a :class:`CrmError` (a ``QuotesyncError``, so the
CLI turns it into a clean message and exit code 1). Each error carries the ``operation``
that failed (``"ErpSync/SaveConnection"``, ``"GET /api/v1/Product"``) and, when known, the
``subject`` it was about (``"ERP connection 'Demo ERP'"``); ``str()`` names both.
Messages never contain a credential: the client redacts its own auth values from any
text the server sends back before it reaches an exception.

::

    QuotesyncError
    ├── CrmConfigError        bad --crm target, missing credentials, plain http off loopback
    └── CrmError              a call to the CRM failed (operation, subject, status)
        ├── CrmConnectionError  network failure, timeout, retries exhausted, outcome unknown
        ├── CrmAuthError        401 / 403
        ├── CrmNotFound         404, or an agent answered null where an object was expected
        ├── CrmRejected         refused: agent {"Message"}, REST {"Error": true}, 400/409/422
        ├── CrmRateLimited      still 429 after the retries allowed
        ├── CrmServerError      5xx without an explanation in the body
        └── CrmProtocolError    malformed or hostile answer: not JSON, wrong types, too large
"""

from __future__ import annotations

from quotesync_gitops.errors import QuotesyncError


class CrmConfigError(QuotesyncError):
    """The client cannot be set up: unknown target form, missing credentials, unsafe URL."""


class CrmError(QuotesyncError):
    """A call to the CRM failed.

    operation: what was called, e.g. ``"ErpSync/SaveConnection"`` or ``"GET /api/v1/Product"``.
    subject: the object concerned, e.g. ``"ERP connection 'Demo ERP'"`` (optional).
    status: the HTTP status of the last answer, when there was one.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        subject: str | None = None,
        status: int | None = None,
    ) -> None:
        self.message = message
        self.operation = operation
        self.subject = subject
        self.status = status
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.operation if self.subject is None else f"{self.operation} ({self.subject})"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__str__()!r})"


class CrmConnectionError(CrmError):
    """The CRM could not be reached, timed out, or kept failing until the retries ran out.

    Also raised when a non-idempotent write may or may not have been applied
    (``outcome_unknown`` is then True): re-read the CRM before trying again.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        subject: str | None = None,
        status: int | None = None,
        outcome_unknown: bool = False,
    ) -> None:
        self.outcome_unknown = outcome_unknown
        super().__init__(message, operation=operation, subject=subject, status=status)


class CrmAuthError(CrmError):
    """The CRM refused the credentials (401) or the permission (403)."""


#: Agents SuperOffice Online gives an app only when it was granted them at registration.
RESTRICTED_AGENTS = frozenset({"ErpSync"})


def explain_refusal(refused: CrmAuthError) -> CrmAuthError:
    """A 403 from a restricted agent says what it means and what to ask for; others as they are."""
    agent = refused.operation.split("/", 1)[0]
    if refused.status != 403 or agent not in RESTRICTED_AGENTS:
        return refused
    return CrmAuthError(
        f"the CRM refused the {agent} agent (HTTP 403). On SuperOffice Online the {agent} agent "
        f"is restricted: the app must be granted the {agent} agent at registration. Ask "
        f"SuperOffice (developer portal, your app's registration) to grant it the {agent} "
        "agent, then run again. Onsite, the signed-in user lacks the "
        f"right to use the {agent} agent. ({refused.message})",
        operation=refused.operation,
        subject=refused.subject,
        status=refused.status,
    )


class CrmNotFound(CrmError):
    """The object does not exist (404, or an agent answered ``null``)."""


class CrmRejected(CrmError):
    """The CRM refused the call and said why; ``crm_message`` is its (redacted) explanation."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        subject: str | None = None,
        status: int | None = None,
        crm_message: str = "",
        error_type: str | None = None,
    ) -> None:
        self.crm_message = crm_message
        self.error_type = error_type
        super().__init__(message, operation=operation, subject=subject, status=status)


class CrmRateLimited(CrmError):
    """Still rate limited (429) when the retries or the time allowed ran out."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        subject: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, operation=operation, subject=subject, status=429)


class CrmServerError(CrmError):
    """The CRM failed (5xx) without saying why in a recognisable body."""


class CrmProtocolError(CrmError):
    """The answer is not what the API documents: not JSON, wrong types, or too large."""
