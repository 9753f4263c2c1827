"""The quote connection kind: everything it is, in one package (docs/design.md, "How to add a
kind"). ``kind.py`` holds its spec types, canonical form, carrier both ways and export;
``write.py`` its writer and its connection test; this module assembles ``KIND`` from them.
The stages reach it only through ``KIND`` (``kinds.KINDS``) and the names below; the
siblings never import this module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quotesync_gitops.kinds.quote_connection.kind import (
    QuoteConnectionKind,
    from_carrier,
    to_carrier,
)

if TYPE_CHECKING:
    from quotesync_gitops.changes import Change
    from quotesync_gitops.kinds.writing import ApplyContext


class QuoteConnection(QuoteConnectionKind):
    """The kind with its writer. ``write.py`` is imported on the first write, not with the
    kind: it brings in the HTTP client, and importing the kinds must not."""

    def write(self, ac: ApplyContext, change: Change) -> None:
        from quotesync_gitops.kinds.quote_connection.write import write_quote_connection

        write_quote_connection(ac, change)

    def retire(self, ac: ApplyContext, object_id: int, new_name: str) -> None:
        from quotesync_gitops.kinds.quote_connection.write import retire_quote_connection

        retire_quote_connection(ac, object_id, new_name)


KIND = QuoteConnection()

__all__ = ["KIND", "QuoteConnection", "QuoteConnectionKind", "from_carrier", "to_carrier"]
