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

import base64
import html
import json
import math
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any, NoReturn
from urllib.parse import quote, quote_plus, unquote_plus

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
#: How much of a body that is not JSON is read for a message. Redaction runs over all of it
#: and only then is the text cut to ``MAX_MESSAGE_CHARS``, so a secret that starts inside
#: the part shown is hidden whole (a secret of up to this size).
MAX_SCANNED_CHARS = 256 * 1024
#: The shortest value ``echo_forms`` gives forms for.
MIN_ECHO_CHARS = 3
#: The shortest part of a base64 stream that is matched (shorter runs occur by chance).
_MIN_BASE64_CHARS = 8
#: A text that ends with this much of the start of a secret (a server that cut its own echo)
#: has that end hidden too.
MIN_SECRET_PREFIX_CHARS = 6
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_PERCENT = re.compile(r"%[0-9A-F]{2}")


class WrongShape(Exception):
    """The decoded body does not have the documented type."""


class UnexpectedNull(Exception):
    """The body is ``null`` where a value was expected."""


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400: JSON output would say Infinity, which no one reads
        raise ValueError(f"number {text[:40]} is out of range")
    return value


def decode(body: bytes) -> Any:
    """Strict JSON: no NaN/Infinity, no number too large for a float; an empty body is
    ``None``. Raises ValueError."""
    if not body.strip():
        return None
    try:
        return json.loads(body, parse_constant=_reject_constant, parse_float=_finite_float)
    except RecursionError as exc:  # absurdly deep nesting from a hostile server
        raise ValueError("JSON nested too deeply") from exc


# --- redaction ----------------------------------------------------------------------------


def echo_forms(value: str) -> set[str]:
    """Every form in which a server may echo ``value`` back in an error or an explanation.

    The value itself; JSON-escaped (ASCII and not), once or twice; HTML-escaped (named and numeric
    entities); URL-encoded (path and form style, upper and lower case hex); and base64,
    standard and URL-safe, at each of the three byte alignments it can have inside a longer
    base64 stream (a Basic header, a token, a dumped request): only the characters that
    depend on the value alone, so it is found wherever it sits. Empty for short values.
    """
    if len(value) < MIN_ECHO_CHARS:
        return set()
    escaped = html.escape(value, quote=True)
    forms = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        html.escape(value, quote=False),
        escaped,
        escaped.replace("&#x27;", "&#39;").replace("&quot;", "&#34;"),
    }
    for inner in (json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]):
        forms.add(json.dumps(inner)[1:-1])  # a JSON text quoted in JSON again (a dumped body)
        forms.add(json.dumps(inner, ensure_ascii=False)[1:-1])
    for encoded in (quote(value, safe=""), quote(value), quote_plus(value)):
        forms.add(encoded)
        forms.add(_PERCENT.sub(lambda m: m.group(0).lower(), encoded))
    for text in {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}:
        data = text.encode("utf-8")
        for offset in range(3):
            stream = base64.b64encode(b"\0" * offset + data).decode("ascii")
            start = -(-8 * offset // 6)  # characters that still hold bits of the padding
            end = (8 * (offset + len(data))) // 6  # characters wholly inside the value
            core = stream[start:end]
            if len(core) >= _MIN_BASE64_CHARS:
                forms.add(core)
                forms.add(core.replace("+", "-").replace("/", "_"))
    return forms


def redact_text(text: str, forms: Sequence[str], raw: Collection[str], replacement: str) -> str:
    """``text`` with every form of every secret replaced.

    ``forms`` are the secrets' echo forms, longest first; ``raw`` the secrets themselves.
    After replacing the forms, text that still holds one once HTML entities or URL escapes
    are decoded (escapes over escapes, a mix no single form matches) is shown decoded, with
    it replaced; and a text that ends with the start of a secret (a server that cut
    its own echo) loses that end.
    """

    def replaced(text: str) -> str:
        for form in forms:
            if form in text:
                text = text.replace(form, replacement)
        return text

    text = replaced(text)
    for unescape in (html.unescape, unquote_plus):
        decoded = unescape(text)
        if decoded != text:
            again = replaced(decoded)
            if again != decoded:
                text = again
    return _without_cut_secret(text, forms, replacement)


def _without_cut_secret(text: str, forms: Sequence[str], replacement: str) -> str:
    """``text`` without an end that is the start of a secret (in any of its forms)."""
    for form in forms:
        if len(form) <= MIN_SECRET_PREFIX_CHARS:
            continue
        head = form[:MIN_SECRET_PREFIX_CHARS]
        start = max(0, len(text) - len(form))
        at = text.find(head, start)
        while at >= 0:
            if form.startswith(text[at:]):
                return text[:at] + replacement
            at = text.find(head, at + 1)
    return text


def _as_text(value: Any, redact: Callable[[str], str]) -> str:
    """Server-supplied text of any JSON type, redacted *before* it is re-escaped: an object
    or a list has each string redacted, then is written as JSON."""
    if isinstance(value, str):
        return redact(value)

    def walk(item: Any) -> Any:
        if isinstance(item, str):
            return redact(item)
        if isinstance(item, dict):
            return {redact(str(k)): walk(v) for k, v in item.items()}
        if isinstance(item, list):
            return [walk(v) for v in item]
        return item

    try:
        return redact(json.dumps(walk(value), ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        return redact(str(type(value).__name__))


def clean_message(value: Any, redact: Callable[[str], str]) -> str:
    """Server text made safe to show: secrets redacted (whole, before anything is cut),
    control characters replaced, then cut to ``MAX_MESSAGE_CHARS``."""
    text = _CONTROL.sub(" ", _as_text(value, redact)).strip()
    if len(text) > MAX_MESSAGE_CHARS:
        text = text[:MAX_MESSAGE_CHARS] + "…"
    return text


def agent_error_message(data: Any) -> list[Any] | None:
    """The parts of an agent failure body ``{"Message": ...}`` (any JSON type), else None."""
    if not isinstance(data, dict) or "Message" not in data or not set(data) <= AGENT_ERROR_KEYS:
        return None
    parts = [data.get("Message"), data.get("MessageDetail") or data.get("ExceptionMessage")]
    return [p for p in parts if p] or ["no message"]


def rest_error(data: Any) -> tuple[Any, Any] | None:
    """(message, error type) of a REST failure body ``{"Error": true, ...}``, as sent (any
    JSON type, not yet redacted), else None."""
    if not isinstance(data, dict) or data.get("Error") is not True:
        return None
    message = data.get("ErrorMessage") or data.get("Message") or "no message"
    return message, data.get("ErrorType")


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

    error = _error_in_body(data, redact)
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
            raise CrmRejected(
                f"the CRM refused: {message}", crm_message=message, error_type=error_type, **where
            )
        return data

    detail = error[0] if error is not None else clean_message(_text_snippet(raw.body), redact)
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


def _error_in_body(data: Any, redact: Callable[[str], str]) -> tuple[str, str | None] | None:
    """(message, error type) of a failure body, redacted and cut, else None."""
    parts = agent_error_message(data)
    if parts is not None:
        return ": ".join(clean_message(p, redact) for p in parts), None
    found = rest_error(data)
    if found is None:
        return None
    message, error_type = found
    kind = clean_message(error_type, redact) if error_type is not None else None
    return clean_message(message, redact), kind


def _text_snippet(body: bytes) -> str:
    """The start of a body that is not JSON, long enough to be redacted before it is cut."""
    return body[: MAX_SCANNED_CHARS * 4].decode("utf-8", errors="replace")[:MAX_SCANNED_CHARS]


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
