"""`quotesync apply`: plan, confirm, apply, verify — or apply a saved plan exactly."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.cli.options import (
    build_manifest_options,
    crm_option,
    format_option,
    manifest_options,
)
from quotesync_gitops.cli.plan_cmd import PipelineCommand, plan_view, report_invalid
from quotesync_gitops.errors import ExitCode, QuotesyncError
from quotesync_gitops.pipeline import (
    InvalidManifests,
    apply_source,
    apply_target,
    execute,
    plan_for_apply,
)
from quotesync_gitops.render import render_plan
from quotesync_gitops.render.apply_result import APPLY_RENDERERS, ApplyFormat
from quotesync_gitops.target import open_client


def on_terminal() -> bool:
    """Whether apply may ask (a person at a terminal); tests stand in for one."""
    return sys.stdin.isatty()


#: The refusal when the prompt's input ends (Ctrl+D, a closed stdin) before an answer.
NO_ANSWER = (
    "no answer at the prompt (end of input): nothing applied; "
    "use --auto-approve to apply without asking"
)


def ask_to_apply(*, err: bool) -> bool:
    """The person's answer to "Apply these changes?"; Ctrl+C and end of input are not answers.

    click turns both into ``Abort`` ("Aborted!", exit 1). Ctrl+C becomes the
    ``KeyboardInterrupt`` it was, so the crash handler reports ``interrupted`` (exit 130);
    end of input becomes a refusal that says what to do. click raises ``Abort() from None``
    inside its ``except``, so the original exception is still its ``__context__``.
    """
    try:
        return click.confirm("Apply these changes?", default=False, err=err)
    except click.Abort as exc:
        cause = exc.__context__
        if not isinstance(cause, (KeyboardInterrupt, EOFError)):
            raise
        click.echo("", err=err)  # end the prompt's line
        if isinstance(cause, EOFError):
            raise QuotesyncError(NO_ANSWER) from None
        raise KeyboardInterrupt from None


def _progress(enabled: bool) -> Callable[[str], None]:
    def say(message: str) -> None:
        if enabled:
            click.echo(f"  {message}", err=True)

    return say


def _bar(label: str, done: int, total: int) -> None:
    """A progress bar for bulk product writes, redrawn in place (TTY only)."""
    width = 30
    filled = width * done // total
    line = f"\r  {label}: [{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
    click.echo(line, err=True, nl=done == total)


@click.command(cls=PipelineCommand)
@manifest_options
@crm_option
@click.option(
    "--auto-approve",
    is_flag=True,
    help="Apply without asking (required off a terminal). A saved PLANFILE is never asked "
    "about: it was reviewed when it was made.",
)
@click.option("--allow-deletes", is_flag=True, help="Allow soft deletes.")
@click.option("--allow-mass-changes", is_flag=True, help="Allow more changes than the guards.")
@click.option(
    "--test-connections",
    is_flag=True,
    help="Also run each connection's test, as plan does: a connection whose stored "
    "credentials fail while the manifest's pass (rotated on the ERP side) gets its secrets "
    "written again. A saved PLANFILE made with it is applied with it.",
)
@format_option(APPLY_RENDERERS, "Format of the result summary.")
@exits
def apply(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    crm: str | None,
    auto_approve: bool,
    allow_deletes: bool,
    allow_mass_changes: bool,
    test_connections: bool,
    fmt: ApplyFormat,
) -> int:
    """Make the CRM match the manifests (PATH...), or apply a saved PLANFILE exactly.

    With PLANFILE nothing is asked (the saved plan is what was reviewed), but nothing is
    changed unless the CRM and the manifests are as they were when it was made (exit 3)
    and it was made for this CRM (exit 1). Exit 4 when a guard blocks it.
    """
    source = apply_source(paths)
    auto_approve = auto_approve or source.saved is not None
    if not auto_approve and not on_terminal():
        raise QuotesyncError("not on a terminal: pass --auto-approve to apply without asking")
    target = apply_target(crm, os.environ, source)
    options = build_manifest_options(
        source.paths, var_pairs, var_files, allow_files_outside, source.workdir
    )
    renderer = APPLY_RENDERERS[fmt]
    with open_client(target, os.environ) as client:
        try:
            run = plan_for_apply(
                client,
                options,
                source,
                target,
                allow_deletes=allow_deletes,
                allow_mass_changes=allow_mass_changes,
                test_connections=test_connections,
            )
        except InvalidManifests as exc:
            report_invalid(exc)
            raise
        if not run.plan.has_changes:
            click.echo(renderer.nothing_to_do(run.plan, plan_view()))
            return ExitCode.OK
        if renderer.for_people or not auto_approve:
            # What is about to be carried out, asked about or not (as terraform apply does);
            # with --format json it is in the result, and on stderr when asked about.
            click.echo(render_plan(run.plan, "text", plan_view()), err=not renderer.for_people)
        if not auto_approve and not ask_to_apply(err=not renderer.for_people):
            click.echo("Nothing applied.", err=True)
            return ExitCode.ERROR
        bar = _bar if renderer.for_people and sys.stderr.isatty() else None
        result = execute(client, run, _progress(renderer.for_people), bar)
    click.echo(renderer.result(result, run.plan))
    return ExitCode.OK if result.ok else ExitCode.ERROR
