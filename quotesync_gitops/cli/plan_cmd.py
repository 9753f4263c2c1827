"""`quotesync plan`, `quotesync drift` and `quotesync show`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from quotesync_gitops.cli.common import UsageExits1Command, exits
from quotesync_gitops.cli.options import (
    build_manifest_options,
    crm_option,
    format_option,
    manifest_options,
    use_color,
)
from quotesync_gitops.errors import ExitCode, QuotesyncError
from quotesync_gitops.live.ahead import ReadAhead
from quotesync_gitops.plan.model import Plan
from quotesync_gitops.plan.planfile import load_plan, save_plan
from quotesync_gitops.render import PLAN_RENDERERS, PlanFormat, PlanView, render_plan
from quotesync_gitops.render.diagnostics import ci_format, render_diagnostics
from quotesync_gitops.render.markdown import COMMENT_MARKER
from quotesync_gitops.render.wording import Mode, drift_found
from quotesync_gitops.target import describe_target, open_client

if TYPE_CHECKING:
    from quotesync_gitops.pipeline import InvalidManifests

F = TypeVar("F", bound=Callable[..., Any])


def markdown_options(func: F) -> F:
    """--comment-id and --full-plan-at: what a bot needs to keep one comment up to date."""
    func = click.option(
        "--full-plan-at",
        metavar="MARKDOWN",
        help="Where readers find the full plan (e.g. a link to the CI artifact); the Markdown "
        "names it when the comment had to be shortened. Default: the --out file.",
    )(func)
    return click.option(
        "--comment-id",
        metavar="NAME",
        help="Mark the Markdown as <!-- quotesync-plan:NAME --> instead of "
        "<!-- quotesync-plan -->, so a bot keeps one comment per NAME (e.g. per environment).",
    )(func)


FORMAT_HELP = (
    "Output: text for a terminal, markdown for a pull-request comment, json as data "
    "(docs/plan-format.md)."
)


#: plan, drift, apply and show: usage errors exit 1 even when run on their own.
PipelineCommand = UsageExits1Command


_COMMENT_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9_.]|-(?!-)){0,63}")


def comment_marker(comment_id: str | None) -> str:
    """The first line of the Markdown output: ``<!-- quotesync-plan -->``, or
    ``<!-- quotesync-plan:ID -->`` so several plans (one per environment) can each keep
    their own comment on one pull request."""
    if comment_id is None:
        return COMMENT_MARKER
    if not _COMMENT_ID.fullmatch(comment_id) or comment_id.endswith("-"):
        raise QuotesyncError(
            f"--comment-id {comment_id!r} is not usable in a comment marker: use up to 64 "
            "letters, digits, '_', '.' or single '-', starting with a letter or digit "
            "(e.g. production)"
        )
    return COMMENT_MARKER.replace(" -->", f":{comment_id} -->")


def plan_view(
    mode: Mode = "plan", full_plan_hint: str | None = None, comment_id: str | None = None
) -> PlanView:
    """How the CLI shows a plan: colour on a terminal, the comment marker of --comment-id."""
    return PlanView(
        mode=mode,
        color=use_color(),
        full_plan_hint=full_plan_hint,
        marker=comment_marker(comment_id),
    )


def render(
    plan: Plan,
    fmt: PlanFormat,
    mode: Mode,
    full_plan_hint: str | None = None,
    comment_id: str | None = None,
) -> str:
    return render_plan(plan, fmt, plan_view(mode, full_plan_hint, comment_id))


def _write(path: str, content: str) -> None:
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(
            content if content.endswith("\n") else content + "\n", encoding="utf-8"
        )
    except OSError as exc:
        raise QuotesyncError(f"cannot write {path}: {exc.strerror or exc}") from exc


def report_invalid(exc: InvalidManifests) -> None:
    click.echo(render_diagnostics(exc.diagnostics, ci_format(os.environ)), err=True)


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
        # The CRM read starts before the pipeline, the manifest checks and jsonschema are
        # imported: against a served CRM or a tenant, they load while it answers.
        ahead = ReadAhead(client)
        from quotesync_gitops.pipeline import InvalidManifests, plan_against

        try:
            run = plan_against(
                client,
                options,
                targets=targets,
                test_connections=test_connections,
                target_label=describe_target(crm, os.environ),
                ahead=ahead,
            )
        except InvalidManifests as exc:
            report_invalid(exc)
            raise
    if run.warnings:
        click.echo(render_diagnostics(run.warnings, "text"), err=True)
    return run.plan


@click.command(cls=PipelineCommand)
@manifest_options
@crm_option
@click.option("--out", type=click.Path(dir_okay=False), help="Save the plan (JSON, no secrets).")
@format_option(PLAN_RENDERERS, FORMAT_HELP)
@click.option(
    "--markdown-out",
    type=click.Path(dir_okay=False),
    help="Also write the Markdown rendering to this file (for a PR comment).",
)
@click.option(
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when there are changes, 1 on any error "
    "(including a failed connection test). Without it, plan exits 0 whenever it could plan.",
)
@click.option(
    "--test-connections",
    is_flag=True,
    help="Run each connection's test (a failure exits 1); a connection whose stored "
    "credentials fail while the manifest's pass (rotated on the ERP side) gets a change "
    "that writes its secrets again.",
)
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="KIND/NAME",
    help="Plan only these resources (repeatable).",
)
@markdown_options
@exits
def plan(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    crm: str | None,
    out: str | None,
    fmt: PlanFormat,
    markdown_out: str | None,
    detailed_exitcode: bool,
    test_connections: bool,
    targets: tuple[str, ...],
    comment_id: str | None,
    full_plan_at: str | None,
) -> int:
    """Show what apply would change to make the CRM match the manifests.

    Exit 0 when it could plan (with --detailed-exitcode: 0 nothing to do, 2 changes),
    1 on an error or a failed connection test.
    """
    comment_marker(comment_id)  # a bad --comment-id fails before the CRM is read
    result = _run(paths, var_pairs, var_files, allow_files_outside, crm, targets, test_connections)
    hint = full_plan_at or out
    if out:
        save_plan(result, out)
    if markdown_out:
        _write(markdown_out, render(result, "markdown", "plan", hint, comment_id))
    click.echo(render(result, fmt, "plan", hint, comment_id))
    failed_tests = [t for t in result.tests if not t.ok]
    if failed_tests:
        return ExitCode.ERROR
    return ExitCode.CHANGES if detailed_exitcode and result.has_changes else ExitCode.OK


@click.command(cls=PipelineCommand)
@manifest_options
@crm_option
@format_option(PLAN_RENDERERS, FORMAT_HELP)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Also write the report to this file (in --format).",
)
@click.option(
    "--markdown-out",
    type=click.Path(dir_okay=False),
    help="Also write the Markdown report to this file (e.g. the body of a drift issue).",
)
@click.option(
    "--test-connections",
    is_flag=True,
    help="Run each connection's test: stored credentials that fail while the manifest's "
    "pass (a password rotated on the ERP side) are drift.",
)
@markdown_options
@exits
def drift(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    crm: str | None,
    fmt: PlanFormat,
    out: str | None,
    markdown_out: str | None,
    test_connections: bool,
    comment_id: str | None,
    full_plan_at: str | None,
) -> int:
    """Report what changed in the CRM outside git. Exit 0 in sync, 2 drift, 1 error.

    With --test-connections a failed connection test is an error too, and stored
    credentials that fail while the manifest's pass are drift.
    """
    comment_marker(comment_id)
    result = _run(paths, var_pairs, var_files, allow_files_outside, crm, (), test_connections)
    report = render(result, fmt, "drift", full_plan_at, comment_id)
    if out:
        _write(out, report)
    if markdown_out:
        _write(markdown_out, render(result, "markdown", "drift", full_plan_at, comment_id))
    click.echo(report)
    if any(not t.ok for t in result.tests):
        return ExitCode.ERROR  # as plan: a failed connection test is an error, drift or not
    return ExitCode.CHANGES if drift_found(result) else ExitCode.OK


@click.command(cls=PipelineCommand)
@click.argument("planfile", type=click.Path(dir_okay=False))
@format_option(PLAN_RENDERERS, FORMAT_HELP)
@exits
def show(planfile: str, fmt: PlanFormat) -> int:
    """Render a saved plan file."""
    click.echo(render(load_plan(planfile), fmt, "plan", full_plan_hint=planfile))
    return ExitCode.OK


COMMANDS: list[click.Command] = [plan, drift, show]
