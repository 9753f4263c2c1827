"""Property: a secret the client sent never survives in server text, however it is echoed.

Hypothesis draws secrets (any printable text, quotes, backslashes, non-ASCII), wraps them
in encodings a server uses (JSON escaping, HTML entities, URL encoding, base64 at any byte
offset inside a longer stream, and two of these stacked), surrounds them with text of any
length (so they may straddle the 500-character cut) and sends the result through the
client's cleaning of server text. What comes out must not hold the secret, nor its first
half, in any decoded view.
"""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Callable
from urllib.parse import quote, quote_plus, unquote_plus

import httpx
from hypothesis import example, given, settings
from hypothesis import strategies as st

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.crm.responses import MAX_MESSAGE_CHARS

Encoding = Callable[[str], str]

ENCODINGS: dict[str, Encoding] = {
    "as sent": lambda text: text,
    "JSON": lambda text: json.dumps(text)[1:-1],
    "JSON ASCII": lambda text: json.dumps(text, ensure_ascii=True)[1:-1],
    "HTML": html.escape,
    "HTML, no quotes": lambda text: html.escape(text, quote=False),
    "URL": lambda text: quote(text, safe=""),
    "URL form": quote_plus,
}

SECRETS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=8, max_size=40
).filter(lambda s: s.strip() == s and len(set(s)) > 4)
FILLER = st.text(st.sampled_from("abc XYZ-_:,{}\"'"), max_size=700)


def _client() -> CrmClient:
    return CrmClient(httpx.Client(base_url="http://127.0.0.1:9"))


def _views(text: str) -> list[str]:
    return [text, html.unescape(text), unquote_plus(text)]


@settings(max_examples=150, deadline=None)
@given(
    secret=SECRETS,
    encoding=st.sampled_from(sorted(ENCODINGS)),
    outer=st.sampled_from(["none", "JSON", "HTML", "URL"]),
    before=FILLER,
    after=FILLER,
)
# Found by this test: a JSON-escaped secret quoted in JSON again kept its first characters.
@example(secret='0000123"', encoding="JSON", outer="JSON", before="", after="")
def test_echoed_secret_is_redacted(
    secret: str, encoding: str, outer: str, before: str, after: str
) -> None:
    client = _client()
    client.hide_values([secret])
    echoed = ENCODINGS[encoding](secret)
    if outer != "none":
        echoed = {"JSON": ENCODINGS["JSON"], "HTML": html.escape, "URL": quote_plus}[outer](echoed)
    shown = client.crm_text(before + echoed + after)
    assert len(shown) <= MAX_MESSAGE_CHARS + 1
    half = secret[: max(6, len(secret) // 2)]
    for view in _views(shown):
        assert secret not in view
        assert ENCODINGS["JSON"](secret) not in view
        assert half not in view or half in before + after


@settings(max_examples=100, deadline=None)
@given(secret=SECRETS, offset=st.integers(0, 5), before=st.binary(max_size=40))
def test_secret_inside_a_base64_stream_is_redacted(secret: str, offset: int, before: bytes) -> None:
    """Wherever the secret sits in a base64 stream (a dumped Basic header, a request)."""
    client = _client()
    client.hide_values([secret])
    stream = base64.b64encode(before + b"x" * offset + secret.encode() + b"tail").decode()
    shown = client.crm_text(f"request was {stream} end")
    for run in shown.split():
        padded = run + "=" * (-len(run) % 4)
        try:
            decoded = base64.b64decode(padded, validate=True)
        except ValueError:
            continue
        assert secret.encode() not in decoded
