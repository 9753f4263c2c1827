"""A route matches exactly the paths its pattern matches, compiled or not (literal templates
are ruled out by length before their pattern is compiled)."""

from __future__ import annotations

import re

from quotesync_gitops.emulator.app import ROUTES
from quotesync_gitops.emulator.http import route


def _variants(path: str) -> list[str]:
    return [path, path + "/", path.upper(), path.lower(), path + "\n", path + "/\n",
            path + "x", path + "//", path[:-1], "/" + path, path + "/1"]  # fmt: skip


def test_every_route_matches_what_its_regular_expression_matches() -> None:
    concrete = [r.template.replace("{", "").replace("}", "") for r in ROUTES]
    for candidate in ROUTES:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", candidate.template)
        expected = re.compile(f"^{regex}/?$", re.IGNORECASE)
        for base in concrete:
            for path in _variants(base):
                got, want = candidate.match(path), expected.match(path)
                assert (got and got.groupdict()) == (want and want.groupdict()), (candidate, path)


def test_a_literal_route_compiles_its_pattern_only_for_a_path_of_its_length() -> None:
    literal = route(
        "POST", "/api/v1/Agents/Quote/GetQuote", lambda call: NotImplemented, writes=False
    )
    assert literal.match("/api/v1/Agents/Quote/GetQuoteAlternatives") is None
    assert "pattern" not in vars(literal)
    assert literal.match("/API/V1/AGENTS/QUOTE/GETQUOTE/") is not None
    assert "pattern" in vars(literal)
    with_id = route("GET", "/api/v1/Pricelist/{id}", lambda call: NotImplemented, writes=False)
    found = with_id.match("/api/v1/pricelist/12")
    assert found is not None and found.groupdict() == {"id": "12"}
