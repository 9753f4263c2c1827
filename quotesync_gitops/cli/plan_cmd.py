"""`quotesync plan`, `quotesync drift` and `quotesync show`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.cli.options import (
    build_manifest_options,
    crm_option,
    manifest_options,
    use_color,
)
from quotesync_gitops.errors import EXIT_CHANGES, EXIT_OK
from quotesync_gitops.pipeline import InvalidManifests, plan_against
from quotesync_gitops.plan.model import Plan
from quotesync_gitops.plan.planfile import load_plan, save_plan
from quotesync_gitops.render.diagnostics import render_diagnostics
from quotesync_gitops.render.json_format import render_json
from quotesync_gitops.render.markdown import render_markdown
from quotesync_gitops.render.text import drift_found, render_text
from quotesync_gitops.target import describe_target, open_client

FORMATS = click.Choice(["text", "markdown", "json"])


def render(plan: Plan, fmt: str, mode: str, full_plan_hint: str | None = None) -> str:
    if fmt == "json":
        return render_json(plan, mode=mode)
    if fmt == "markdown":
        return render_markdown(plan, mode=mode, full_plan_hint=full_plan_hint)
    return render_text(plan, mode=mode, color=use_color())


def _write(path: str, content: str) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(content if content.endswith("\n") else content + "\n", encoding="utf-8")


def report_invalid(exc: InvalidManifests) -> None:
    fmt = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    click.echo(render_diagnostics(exc.diagnostics, fmt), err=True)


def _run(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    crm: str | None,
    targets: tuple[str, ...],
    test_connections: bool,
) -> Plan:
    options = build_manifest_options(paths, var_pairs, var_files, allow_files_outside)
    with open_client(crm, os.environ) as client:
        try:
            run = plan_against(
                client,
                options,
                targets=targets,
                test_connections=test_connections,
                target_label=describe_target(crm, os.environ),
            )
        except InvalidManifests as exc:
            report_invalid(exc)
            raise
    if run.warnings:
        click.echo(render_diagnostics(run.warnings, "text"), err=True)
    return run.plan


@click.command()
@manifest_options
@crm_option
@click.option("--out", type=click.Path(dir_okay=False), help="Save the plan (JSON, no secrets).")
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option(
    "--markdown-out",
    type=click.Path(dir_okay=False),
    help="Also write the Markdown rendering to this file (for a PR comment).",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes.")
@click.option("--test-connections", is_flag=True, help="Run each connection's test.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KIND/NAME",
    help="Plan only these resources (repeatable).",
)
@exits
def plan(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    crm: str | None,
    out: str | None,
    fmt: str,
    markdown_out: str | None,
    detailed_exitcode: bool,
    test_connections: bool,
    targets: tuple[str, ...],
) -> int:
    """Show what apply would change to make the CRM match the manifests."""
    result = _run(paths, var_pairs, var_files, allow_files_outside, crm, targets, test_connections)
    if out:
        save_plan(result, out)
    if markdown_out:
        _write(markdown_out, render(result, "markdown", "plan", full_plan_hint=out))
    click.echo(render(result, fmt, "plan", full_plan_hint=out))
    failed_tests = [t for t in result.tests if not t.ok]
    if failed_tests:
        return 1
    return EXIT_CHANGES if detailed_exitcode and result.has_changes else EXIT_OK


@click.command()
@manifest_options
@crm_option
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also write the report to this file (in --format).",
)
@exits
def drift(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    crm: str | None,
    fmt: str,
    out: str | None,
) -> int:
    """Report what changed in the CRM outside git. Exit 0 in sync, 2 drift, 1 error."""
    result = _run(paths, var_pairs, var_files, allow_files_outside, crm, (), False)
    report = render(result, fmt, "drift")
    if out:
        _write(out, report)
    click.echo(report)
    return EXIT_CHANGES if drift_found(result) else EXIT_OK


@click.command()
@click.argument("planfile", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=FORMATS, default="text", show_default=True)
@exits
def show(planfile: str, fmt: str) -> int:
    """Render a saved plan file."""
    click.echo(render(load_plan(planfile), fmt, "plan", full_plan_hint=planfile))
    return EXIT_OK


COMMANDS: list[click.Command] = [plan, drift, show]
