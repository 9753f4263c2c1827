"""Fingerprints of specs, as a plan file stores them to tell later whether it went stale.

The live side's are made only when first asked for (``LiveFingerprints``): a plan file,
JSON output and the saved-plan check read them, a plan shown as text or Markdown never
does, and at 100,000 products they cost ~0.2 s (every product's values serialised and
hashed).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping

from quotesync_gitops.secrets import MASK, is_sensitive


def fingerprint(spec: Mapping[str, object]) -> str:
    """sha256 of a canonical spec with secrets masked (safe to store in a plan file).

    Secrets are masked as the encoder meets them (no masked copy of the spec is built), and
    values that fingerprint themselves (the live reader's products of a price list) give
    their own digest instead of being serialised.
    """
    data = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=_fingerprint_value)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _fingerprint_value(value: object) -> object:
    if is_sensitive(value):
        return MASK
    own = getattr(value, "fingerprint", None)
    if callable(own):
        return own()
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


class LiveFingerprints(Mapping[str, str]):
    """ "kind/name" -> ``fingerprint`` of the live object's prepared spec, all made at the
    first read of any. The specs are the plan's own, made for it and not changed after, so
    the digests are those an eager computation would have given."""

    def __init__(self) -> None:
        self._specs: dict[str, Mapping[str, object]] = {}
        self._made: dict[str, str] | None = None

    def add(self, address: str, spec: Mapping[str, object]) -> None:
        self._specs[address] = spec
        self._made = None

    def _digests(self) -> dict[str, str]:
        if self._made is None:
            self._made = {address: fingerprint(spec) for address, spec in self._specs.items()}
        return self._made

    def __getitem__(self, address: str) -> str:
        return self._digests()[address]

    def __iter__(self) -> Iterator[str]:
        return iter(self._digests())

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, address: object) -> bool:
        return address in self._specs
