"""Reading answers: status codes, SuperOffice's error bodies, and the shapes carriers must have.

SuperOffice signals failure in three ways, and the client checks all of them:

* HTTP status (401/403, 404, 400/409/422, 5xx) — REST endpoints;
* ``{"Error": true, "ErrorType": ..., "ErrorMessage": ...}`` — REST error bodies;
* agents answer 200 with ``null`` or with ``{"Message": ..., "MessageDetail": ...}``.

The shape helpers (``as_object``, ``as_list_of_objects``, ...) raise :class:`WrongShape` or
:class:`UnexpectedNull`; the client turns those into ``CrmProtocolError``/``CrmNotFound``
with the operation and subject attached.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, NoReturn

from quotesync_gitops.crm.errors import (
    CrmAuthError,
    CrmNotFound,
    CrmProtocolError,
    CrmRejected,
    CrmServerError,
)
from quotesync_gitops.crm.transport import RawResponse

#: Keys of the body an agent sends instead of a carrier when a call fails.
AGENT_ERROR_KEYS = frozenset(
    {
        "Message",
        "MessageDetail",
        "ExceptionMessage",
        "ExceptionType",
        "StackTrace",
        "InnerException",
    }
)
MAX_MESSAGE_CHARS = 500
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class WrongShape(Exception):
    """The decoded body does not have the documented type."""


class UnexpectedNull(Exception):
    """The body is ``null`` where a value was expected."""


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def decode(body: bytes) -> Any:
    """Strict JSON: no NaN/Infinity; an empty body is ``None``. Raises ValueError."""
    if not body.strip():
        return None
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except RecursionError as exc:  # absurdly deep nesting from a hostile server
        raise ValueError("JSON nested too deeply") from exc


def clean_message(text: str, redact: Callable[[str], str]) -> str:
    """Server text made safe to show: credentials redacted, control characters and length cut."""
    text = _CONTROL.sub(" ", redact(text)).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + "…"
    return text


def agent_error_message(data: Any) -> str | None:
    """The message of an agent failure body ``{"Message": ...}``, else None."""
    if not isinstance(data, dict) or "Message" not in data or not set(data) <= AGENT_ERROR_KEYS:
        return None
    parts = [data.get("Message"), data.get("MessageDetail") or data.get("ExceptionMessage")]
    return ": ".join(str(p) for p in parts if p) or "no message"


def rest_error(data: Any) -> tuple[str, str | None] | None:
    """(message, error type) of a REST failure body ``{"Error": true, ...}``, else None."""
    if not isinstance(data, dict) or data.get("Error") is not True:
        return None
    message = data.get("ErrorMessage") or data.get("Message") or "no message"
    error_type = data.get("ErrorType")
    return str(message), (str(error_type) if error_type is not None else None)


def check_answer(
    raw: RawResponse, *, operation: str, subject: str | None, redact: Callable[[str], str]
) -> Any:
    """The decoded body of a final answer, or the CrmError its status or body means."""
    where: dict[str, Any] = {"operation": operation, "subject": subject, "status": raw.status}
    try:
        data = decode(raw.body)
        parsed = True
    except (ValueError, UnicodeDecodeError):
        data, parsed = None, False

    error = _error_in_body(data)
    if 200 <= raw.status < 300:
        if not parsed:
            kind = raw.headers.get("content-type", "no content type")
            raise CrmProtocolError(
                f"answer is not JSON ({clean_message(kind, redact)}): is --crm (QUOTESYNC_CRM) "
                "the tenant's base URL, the part before /api/v1?",
                **where,
            )
        if error is not None:
            message, error_type = error
            message = clean_message(message, redact)
            raise CrmRejected(
                f"the CRM refused: {message}", crm_message=message, error_type=error_type, **where
            )
        return data

    detail = error[0] if error is not None else _text_snippet(raw.body)
    detail = clean_message(detail, redact) if detail else ""
    suffix = f": {detail}" if detail else ""
    if raw.status in (401, 403):
        what = "credentials refused" if raw.status == 401 else "permission denied"
        raise CrmAuthError(f"{what} (HTTP {raw.status}){suffix}", **where)
    if raw.status == 404:
        raise CrmNotFound(f"not found (HTTP 404){suffix}", **where)
    if error is not None or raw.status in (400, 409, 422):
        error_type = error[1] if error is not None else None
        raise CrmRejected(
            f"the CRM refused (HTTP {raw.status}){suffix}",
            crm_message=detail,
            error_type=error_type,
            **where,
        )
    if raw.status >= 500:
        raise CrmServerError(f"the CRM failed (HTTP {raw.status}){suffix}", **where)
    if 300 <= raw.status < 400:
        to = clean_message(raw.headers.get("location", "") or "no Location given", redact)
        raise CrmProtocolError(
            f"the CRM redirected (HTTP {raw.status}) to {to}; redirects are not followed: set "
            "--crm (QUOTESYNC_CRM) to the tenant base URL it points at",
            **where,
        )
    raise CrmProtocolError(f"unexpected HTTP status {raw.status}{suffix}", **where)


def _error_in_body(data: Any) -> tuple[str, str | None] | None:
    message = agent_error_message(data)
    if message is not None:
        return message, None
    return rest_error(data)


def _text_snippet(body: bytes) -> str:
    return body[:MAX_MESSAGE_CHARS].decode("utf-8", errors="replace")


# --- shapes -------------------------------------------------------------------------------


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def as_object(data: Any) -> dict[str, Any]:
    if data is None:
        raise UnexpectedNull("the CRM answered null")
    if not isinstance(data, dict):
        raise WrongShape(f"expected an object, got {_type_name(data)}")
    return data


def as_list_of_objects(data: Any) -> list[dict[str, Any]]:
    if data is None:
        raise UnexpectedNull("the CRM answered null")
    if not isinstance(data, list):
        raise WrongShape(f"expected a list, got {_type_name(data)}")
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise WrongShape(f"expected objects in the list, item {index} is {_type_name(item)}")
    return data


def as_str_map(data: Any) -> dict[str, str]:
    if data is None:
        raise UnexpectedNull("the CRM answered null")
    if not isinstance(data, dict):
        raise WrongShape(f"expected an object of strings, got {_type_name(data)}")
    for key, value in data.items():
        if not isinstance(value, str):
            raise WrongShape(f"expected string values, {key!r} is {_type_name(value)}")
    return data


def as_object_map(data: Any) -> dict[str, dict[str, Any]]:
    if data is None:
        raise UnexpectedNull("the CRM answered null")
    if not isinstance(data, dict):
        raise WrongShape(f"expected an object of objects, got {_type_name(data)}")
    for key, value in data.items():
        if not isinstance(value, dict):
            raise WrongShape(f"expected object values, {key!r} is {_type_name(value)}")
    return data


def as_str_list(data: Any) -> list[str]:
    if data is None:
        raise UnexpectedNull("the CRM answered null")
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise WrongShape(f"expected a list of strings, got {_type_name(data)}")
    return data


def as_bool(data: Any) -> bool:
    if data is None:
        raise UnexpectedNull("the CRM answered null")
    if not isinstance(data, bool):
        raise WrongShape(f"expected true or false, got {_type_name(data)}")
    return data


def as_nothing(data: Any) -> None:
    """Void agent methods: any non-error body is accepted and ignored."""
    return None


def int_field(row: dict[str, Any], name: str) -> int:
    """An integer id from a carrier or archive row (key matched case-insensitively)."""
    value = row.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in row.items() if k.lower() == lowered), None)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise WrongShape(f"row has no integer {name} (got {_type_name(value)})")
    if isinstance(value, str):
        if not value.isdigit():
            raise WrongShape(f"row has no integer {name} (got {value[:40]!r})")
        return int(value)
    return value
