"""Where a connection's ``secretsVersion`` lives in the CRM: a marker after its description.

The CRM never hands a password back, so a rotated secret cannot be seen by comparing. As
with Terraform's write-only arguments, the manifest carries a version instead, and a change
of version means "write this connection's secrets again". Terraform keeps the version it
last applied in its state; quotesync's state is the CRM, and the only free text both kinds
of connection keep is the description, so the version written last is kept there, visibly:
``Production ERP [secrets v2]``. The live readers take it off the description (so it is
never seen as a description change) and the carriers put it back on every save.

Someone who deletes the marker by hand makes the next plan write the secrets again, which is
harmless (the connection test runs first).
"""

from __future__ import annotations

import re

#: Exactly what ``join_description`` appends (one space before it unless the description is
#: empty), so a description that itself ends in white space reads back as written.
_MARKER = re.compile(r"(?:^| )\[secrets v(\d{1,9})\]$")


def split_description(text: str) -> tuple[str, int | None]:
    """(description without the marker, the version it carried or None)."""
    match = _MARKER.search(text)
    if match is None:
        return text, None
    return text[: match.start()], int(match.group(1))


def join_description(text: str, version: object) -> str:
    """The description as stored: with `` [secrets vN]`` when a version is given."""
    if isinstance(version, int) and not isinstance(version, bool):
        return f"{text} [secrets v{version}]" if text else f"[secrets v{version}]"
    return text
