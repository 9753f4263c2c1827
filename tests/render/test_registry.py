"""Formats are registered by name: each --format offers exactly its registry's names, and
each name renders what its module's own function renders."""

from __future__ import annotations

from typing import get_args

import click
import pytest

from quotesync_gitops.cli.main import COMMANDS, cli
from quotesync_gitops.manifest.problems import as_anchor, as_level
from quotesync_gitops.model import Diagnostic, SourceRef
from quotesync_gitops.render import PLAN_FORMATS, PLAN_RENDERERS, PlanFormat, PlanView, render_plan
from quotesync_gitops.render.apply_result import APPLY_RENDERERS, ApplyFormat
from quotesync_gitops.render.catalog import CATALOG_RENDERERS, CatalogFormat
from quotesync_gitops.render.diagnostics import (
    DIAGNOSTICS_RENDERERS,
    DiagnosticsFormat,
    ci_format,
    render_diagnostics,
)
from quotesync_gitops.render.json_format import render_json
from quotesync_gitops.render.markdown import COMMENT_MARKER, render_markdown
from quotesync_gitops.render.text import render_text
from quotesync_gitops.render.wording import Mode
from tests.render.sample_plans import full_plan

#: command -> the registry its --format choices must be
EXPECTED = {
    "plan": PLAN_RENDERERS,
    "drift": PLAN_RENDERERS,
    "show": PLAN_RENDERERS,
    "apply": APPLY_RENDERERS,
    "validate": DIAGNOSTICS_RENDERERS,
    "catalog": CATALOG_RENDERERS,
}


def _format_choices(name: str) -> list[str] | None:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    for param in command.params:
        if param.name == "fmt":
            assert isinstance(param.type, click.Choice)
            return list(param.type.choices)
    return None


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_format_choices_are_the_registry(name: str) -> None:
    registry = EXPECTED.get(name)
    choices = _format_choices(name)
    if registry is None:
        assert choices is None, f"{name} has --format but no registry in this test"
    else:
        assert choices == list(registry)


def test_registries_hold_exactly_their_literal() -> None:
    pairs = [
        (PLAN_RENDERERS, PlanFormat),
        (APPLY_RENDERERS, ApplyFormat),
        (DIAGNOSTICS_RENDERERS, DiagnosticsFormat),
        (CATALOG_RENDERERS, CatalogFormat),
    ]
    for registry, literal in pairs:
        assert tuple(registry) == get_args(literal)
    assert get_args(PlanFormat) == PLAN_FORMATS


@pytest.mark.parametrize("mode", ["plan", "drift"])
def test_plan_formats_render_as_their_modules_do(mode: Mode) -> None:
    plan = full_plan()
    view = PlanView(mode=mode)
    assert render_plan(plan, "text", view) == render_text(plan, mode=mode)
    assert render_plan(plan, "json", view) == render_json(plan, mode=mode)
    assert render_plan(plan, "markdown", view) == render_markdown(plan, mode=mode)


def test_a_longer_comment_marker_keeps_the_comment_in_bounds() -> None:
    marker = COMMENT_MARKER.replace(" -->", ":production -->")
    text = render_plan(full_plan(), "markdown", PlanView(marker=marker))
    assert text.startswith(marker + "\n")
    assert text[len(marker) :] == render_markdown(full_plan())[len(COMMENT_MARKER) :]


def test_an_unknown_diagnostics_format_names_the_known_ones() -> None:
    diagnostic = Diagnostic(SourceRef("a.yaml", 1, 1), "bad")
    with pytest.raises(ValueError, match="expected one of text, json, github"):
        render_diagnostics([diagnostic], "xml")


def test_annotations_only_inside_github_actions() -> None:
    assert ci_format({"GITHUB_ACTIONS": "true"}) == "github"
    assert ci_format({"GITHUB_ACTIONS": "false"}) == "text"
    assert ci_format({}) == "text"


def test_problem_levels_and_anchors_are_checked_where_they_enter() -> None:
    assert as_level("warning") == "warning"
    assert as_anchor("key") == "key"
    with pytest.raises(ValueError, match="unknown problem level 'fatal'"):
        as_level("fatal")
    with pytest.raises(ValueError, match="unknown problem anchor 'line'"):
        as_anchor("line")
