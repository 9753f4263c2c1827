"""Request binding as SuperOffice's server does it: property names without regard to case.

SuperOffice's own TypeScript client (``@superoffice/webapi``) sends camelCase
(``{"erpConnectionId": 2}``, ``{"connection": {"displayName": ...}}``); our client and the API
documents use PascalCase. A real server binds both. The emulator does it in one place: every
JSON object of a request body is parsed into a ``JsonObject``, a ``dict`` whose lookups
(``get``, ``[]``, ``in``) ignore case, while iteration keeps the keys
exactly as sent (a ``ConfigFields`` dictionary keeps its field keys verbatim).

When a body carries a property in several spellings, the last one sent wins, as with the
server's JSON reader (each property it reads overwrites the one bound before). Handlers name
properties as the documents do; ``sent_as`` gives the spelling the caller used, so an error
answer can quote it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class JsonObject(dict[str, Any]):
    """A JSON object whose property lookups ignore case (iteration keeps the sent keys)."""

    def __init__(self, pairs: Iterable[tuple[str, Any]] = ()) -> None:
        sent = list(pairs)
        super().__init__(sent)
        #: each spelling, case-folded, to the spelling sent last
        self._folded = {key.casefold(): key for key, _ in sent}

    def _key(self, key: str) -> str:
        return self._folded.get(key.casefold(), key)

    def __getitem__(self, key: str) -> Any:
        return super().__getitem__(self._key(key))

    def __contains__(self, key: object) -> bool:
        return super().__contains__(self._key(key) if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(self._key(key), default)

    def sent_as(self, key: str) -> str:
        """The spelling of ``key`` in the request (``key`` itself when it was not sent)."""
        return self._key(key)


def json_object_hook(pairs: list[tuple[str, Any]]) -> JsonObject:
    """``json.loads(..., object_pairs_hook=json_object_hook)``: every object binds by any case."""
    return JsonObject(pairs)
