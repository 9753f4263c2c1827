"""File names and environment variable names derived from display names.

Display names in the CRM may hold anything SuperOffice accepts (quotes, slashes, colons,
emoji, Nordic letters), so both kinds of names are derived deterministically:

* a **slug** (file names): ASCII letters and digits, lowercase, joined with ``-``;
* an **env name** part: ASCII letters and digits, uppercase, joined with ``_``.

Nordic and German letters are spelled out (``ø`` → ``o``, ``æ`` → ``ae``, ``ß`` → ``ss``),
other accents are dropped (``é`` → ``e``), and everything else separates words. A name without
letters or digits (``🚀``) becomes a fallback word (file names) or its hash (env names). When
two names would give the same result (ignoring case for file names), each gets ``-<hash>`` /
``_<HASH>`` of its exact name appended, so a result depends only on the names themselves,
never on the order they were read in.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable

#: Letters NFKD does not decompose into ASCII.
_SPELLED = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "đ": "d",
        "Đ": "D",
        "ð": "d",
        "Ð": "D",
        "ł": "l",
        "Ł": "L",
        "þ": "th",
        "Þ": "TH",
    }
)
_NOT_WORD = re.compile(r"[^A-Za-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

#: Longest slug kept before the hash (file names stay readable and far below OS limits).
MAX_SLUG = 60

#: Names Windows refuses as file names, whatever the extension.
_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)


def ascii_text(text: str) -> str:
    """``text`` in ASCII: Nordic letters spelled out, accents dropped, the rest removed."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPELLED))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def words(text: str, *, camel: bool = False) -> list[str]:
    """The ASCII words of ``text``; with ``camel``, ``apiPassword`` is two words."""
    plain = ascii_text(text)
    if camel:
        plain = _CAMEL.sub(" ", plain)
    return [w for w in _NOT_WORD.split(plain) if w]


def short_hash(*parts: str) -> str:
    """Six hex digits identifying ``parts`` exactly (stable across runs and machines)."""
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()[:6]


def slug(name: str) -> str:
    """``name`` as a file name stem, e.g. ``Bjørn's "ERP": A/B`` → ``bjorn-s-erp-a-b``.

    May be "" for a name without letters or digits.
    """
    return "-".join(w.lower() for w in words(name))[:MAX_SLUG].rstrip("-")


def env_part(text: str, *, camel: bool = False) -> str:
    """``text`` as part of an environment variable name: ``Demo ERP`` → ``DEMO_ERP``."""
    return "_".join(w.upper() for w in words(text, camel=camel))


def unique_names(
    keys: Iterable[tuple[str, ...]],
    base: Callable[[tuple[str, ...]], str],
    joiner: str,
    *,
    fold: Callable[[str], str] = str.lower,
    reserved: frozenset[str] = frozenset(),
    upper: bool = False,
) -> dict[tuple[str, ...], str]:
    """A distinct derived name per key: ``base(key)``, plus ``joiner`` + hash when needed.

    A derived name gets the hash of its key when it is reserved or shared with another key
    (compared after ``fold``: file systems that ignore case must not see two files as one).
    Every key sharing a name gets the hash, so a result depends only on the key and its
    twins, never on the order of reading.
    """
    given = sorted(set(keys))
    bases = {key: base(key) for key in given}
    counts: dict[str, int] = {}
    for value in bases.values():
        counts[fold(value)] = counts.get(fold(value), 0) + 1

    def tag(*parts: str) -> str:
        digest = short_hash(*parts)
        return digest.upper() if upper else digest

    out: dict[tuple[str, ...], str] = {}
    taken: set[str] = set()
    for key in given:
        value = bases[key]
        if fold(value) in reserved or counts[fold(value)] > 1:
            value = f"{value}{joiner}{tag(*key)}"
        while fold(value) in taken:  # a hashed name met a plain one: hash again
            value = f"{value}{joiner}{tag(*key, value)}"
        taken.add(fold(value))
        out[key] = value
    return out


def file_stems(names: Iterable[str], fallback: str) -> dict[str, str]:
    """File name stems (no extension) for the display names of one folder.

    A name without any letter or digit (``🚀``) is written under ``fallback``.
    """
    stems = unique_names(
        ((name,) for name in names),
        lambda key: slug(key[0]) or fallback,
        "-",
        reserved=_RESERVED,
    )
    return {key[0]: stem for key, stem in stems.items()}


def env_names(fields: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], str]:
    """``QUOTESYNC_<KIND>_<NAME>_<FIELD>`` per (kind, resource name, config field key).

    Upper-snake ASCII: ``("ErpConnection", "Demo ERP – Production", "password")`` →
    ``QUOTESYNC_ERP_CONNECTION_DEMO_ERP_PRODUCTION_PASSWORD``. A name or field without any
    letter or digit stands in as its hash; names that would be equal get ``_<HASH>``.
    """

    def base(key: tuple[str, ...]) -> str:
        kind, name, field = key
        name_part = env_part(name) or short_hash(name).upper()
        field_part = env_part(field, camel=True) or short_hash(field).upper()
        return f"QUOTESYNC_{env_part(kind, camel=True)}_{name_part}_{field_part}"

    named = unique_names(fields, base, "_", fold=str.upper, upper=True)
    return {(key[0], key[1], key[2]): value for key, value in named.items()}
