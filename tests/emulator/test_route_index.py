"""The route index tries, for any path, exactly the routes a scan of every route matches."""

from __future__ import annotations

import re

import pytest

from quotesync_gitops.emulator.app import ROUTES
from quotesync_gitops.emulator.http import Route, RouteIndex, route


def _scan(routes: list[Route], path: str) -> list[Route]:
    return [r for r in routes if r.pattern.match(path)]


def _indexed(index: RouteIndex, path: str) -> list[Route]:
    return [r for r in index.candidates(path) if r.pattern.match(path)]


def _paths() -> list[str]:
    paths = []
    for r in ROUTES:
        concrete = re.sub(r"\{\w+\}", "12", r.template)
        paths += [concrete, concrete + "/", concrete.upper(), concrete.lower(), concrete + "\n"]
        paths += [concrete.replace("s", "\u017f"), concrete.replace("k", "\u212a")]  # ſ, Kelvin
        paths += [concrete + "/x", concrete[:-1]]
    return [*paths, "/", "", "/api", "/api/v1", "/api/v1/", "/API/V1/PRODUCT", "/nothing/here"]


@pytest.mark.parametrize("path", _paths())
def test_the_index_finds_what_a_scan_of_every_route_finds(path: str) -> None:
    assert _indexed(RouteIndex(ROUTES), path) == _scan(ROUTES, path)


def test_the_routes_are_indexed_by_their_first_segments() -> None:
    index = RouteIndex(ROUTES)
    product = index.candidates("/api/v1/Product/7")
    assert product and len(product) < len(ROUTES)
    assert all(r.template.lower().startswith("/api/v1/product") for r in product)
    assert index.candidates("/api/v1/Unknown/7") == []


def test_non_ascii_or_a_newline_tries_every_route() -> None:
    index = RouteIndex(ROUTES)
    assert index.candidates("/api/v1/Product/\u212a") == ROUTES
    assert index.candidates("/api/v1/Product\n") == ROUTES
    assert _indexed(index, "/api/v1/Product\n") == _scan(ROUTES, "/api/v1/Product\n") != []


def _handler(call: object) -> object:
    raise AssertionError("not called")


@pytest.mark.parametrize(
    "template", ["/api/v1", "/api/{version}/Product", "/{anything}", "/api/v1/{id}"]
)
def test_a_template_with_a_parameter_or_its_end_early_leaves_the_index_off(
    template: str,
) -> None:
    routes = [*ROUTES, route("GET", template, _handler, writes=False)]  # type: ignore[arg-type]
    index = RouteIndex(routes)
    assert index.candidates("/api/v1/Product/7") == routes
    for path in ("/api/v1", "/api/v1/", "/api/2/Product", "/x", "/api/v1/5"):
        assert _indexed(index, path) == _scan(routes, path)
