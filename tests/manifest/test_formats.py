"""Output formats of validate: text, json, GitHub annotations (default under Actions)."""

from __future__ import annotations

import json
from pathlib import Path

from quotesync_gitops.model import Diagnostic, SourceRef
from quotesync_gitops.render.diagnostics import render_diagnostics
from tests.manifest.helpers import copy_fixture, quotesync


def test_json_lists_every_problem(workdir: Path) -> None:
    copy_fixture("three-problems.yaml", workdir)

    result = quotesync("validate", "three-problems.yaml", "--format", "json")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["version"] == 1 and report["valid"] is False
    assert [(d["file"], d["line"], d["column"], d["level"]) for d in report["diagnostics"]] == [
        ("three-problems.yaml", 7, 11, "error"),
        ("three-problems.yaml", 8, 3, "error"),
        ("three-problems.yaml", 11, 17, "error"),
    ]
    assert report["diagnostics"][0]["message"] == (
        "spec.active must be true or false, but it is a number"
    )


def test_github_annotations_are_the_default_under_actions(workdir: Path) -> None:
    copy_fixture("unknown-field.yaml", workdir)

    result = quotesync("validate", "unknown-field.yaml", env={"GITHUB_ACTIONS": "true"})
    explicit = quotesync("validate", "unknown-field.yaml", "--format", "github")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=unknown-field.yaml,line=7,col=3::unknown field 'descripton' in spec; "
        "did you mean 'description'?",
        "1 problem in 1 file; the manifests are not valid",
    ]
    assert explicit.stdout == result.stdout


def test_text_format_can_be_forced_under_actions(workdir: Path) -> None:
    copy_fixture("unknown-field.yaml", workdir)

    result = quotesync(
        "validate", "unknown-field.yaml", "--format", "text", env={"GITHUB_ACTIONS": "true"}
    )

    assert result.stdout.startswith("unknown-field.yaml:7:3: error: unknown field")


def test_render_whole_file_problems_and_escaping() -> None:
    problems = [
        Diagnostic(SourceRef("missing", 0, 0), "no such file or folder"),
        Diagnostic(SourceRef("a,b:c.yaml", 2, 5), "50% done\nnext line", "warning"),
    ]

    assert render_diagnostics(problems, "text") == (
        "missing: error: no such file or folder\na,b:c.yaml:2:5: warning: 50% done next line\n"
    )
    assert render_diagnostics(problems, "github") == (
        "::error file=missing::no such file or folder\n"
        "::warning file=a%2Cb%3Ac.yaml,line=2,col=5::50%25 done%0Anext line\n"
    )
    document = json.loads(render_diagnostics(problems, "json"))
    assert document["valid"] is False
    assert document["diagnostics"][0] == {
        "file": "missing",
        "line": 0,
        "column": 0,
        "level": "error",
        "message": "no such file or folder",
    }
    assert render_diagnostics([], "text") == ""
    assert json.loads(render_diagnostics(problems[1:], "json"))["valid"] is True
