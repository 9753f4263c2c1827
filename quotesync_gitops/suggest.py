"""Did-you-mean: the known name a user most likely meant (shared by manifest checks and
the checks against the CRM's catalogs)."""

from __future__ import annotations

from collections.abc import Iterable


def closest(word: str, options: Iterable[str]) -> str | None:
    """The known name the user most likely meant, if any is close (case first)."""
    options = list(options)
    for option in options:
        if option.lower() == word.lower():
            return option
    import difflib  # a suggestion is rare: not imported at start-up

    found = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return found[0] if found else None


def did_you_mean(word: str, options: Iterable[str], *, listing: str = "") -> str:
    """``; did you mean 'X'?`` or, when nothing is close, ``; <listing>: a, b, c``."""
    options = sorted(options)
    near = closest(word, options)
    if near is not None:
        return f"; did you mean {near!r}?"
    if listing:
        return f"; {listing}: {', '.join(options) or 'none'}"
    return ""
