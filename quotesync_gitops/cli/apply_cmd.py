"""`quotesync apply`: plan, confirm, apply, verify — or apply a saved plan exactly."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import click

from quotesync_gitops.apply.engine import DONE, ApplyResult
from quotesync_gitops.cli.common import exits
from quotesync_gitops.cli.options import (
    build_manifest_options,
    crm_option,
    format_option,
    manifest_options,
)
from quotesync_gitops.cli.plan_cmd import PipelineCommand, render, report_invalid
from quotesync_gitops.errors import ExitCode, QuotesyncError, StalePlanError
from quotesync_gitops.pipeline import (
    InvalidManifests,
    check_guards,
    execute,
    plan_against,
    stale_objects,
)
from quotesync_gitops.plan.model import Action, Plan
from quotesync_gitops.plan.planfile import is_plan_file, load_plan
from quotesync_gitops.render.wording import plural
from quotesync_gitops.target import anchored, describe_target, open_client


def on_terminal() -> bool:
    """Whether apply may ask (a person at a terminal); tests stand in for one."""
    return sys.stdin.isatty()


def saved_workdir(saved: Plan) -> str | None:
    """Where a saved plan's relative paths lead: the folder plan ran in, or, when that does
    not exist here (another machine or checkout), the current directory."""
    if saved.workdir and Path(saved.workdir).is_dir():
        return saved.workdir
    return None


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


def written(result: ApplyResult) -> tuple[Counter[str], Counter[str]]:
    """(what was done, products among it) by past-tense action, counted as a plan counts
    them (``Plan.counts``): products by their own action, a price list whose own fields did
    not change by its products alone; "failed" for resources that failed or were skipped."""
    totals: Counter[str] = Counter()
    products: Counter[str] = Counter()
    for outcome in result.outcomes:
        change = outcome.change
        if outcome.status != "done":
            totals["failed"] += 1
            continue
        if change.action is not Action.UPDATE or change.fields or not change.children:
            totals[DONE[change.action]] += 1
        for child in change.children:
            totals[DONE[child.action]] += 1
            products[DONE[child.action]] += 1
    return totals, products


def render_result(result: ApplyResult, fmt: str, plan: Plan | None = None) -> str:
    totals, products = written(result)
    if fmt == "json":
        data = {**result.to_dict(), "products": dict(sorted(products.items()))}
        if plan is not None:
            data["plan"] = plan.to_dict()
        return json.dumps(data, indent=2, ensure_ascii=False)
    lines = []
    for outcome in result.failed:
        lines.append(f"{outcome.status}: {outcome.change.address}: {outcome.message}")
    for remaining in result.remaining:
        lines.append(f"still differs after apply: {remaining}")
    parts = []
    for word in [*DONE.values(), "failed"]:
        if totals[word]:
            extra = f" ({plural(products[word], 'product')})" if products[word] else ""
            parts.append(f"{totals[word]} {word}{extra}")
    verdict = "Apply complete" if result.ok else "Apply finished with problems"
    lines.append(f"{verdict}: {', '.join(parts) if parts else 'nothing to do'}.")
    return "\n".join(lines)


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
@format_option(["text", "json"], "Format of the result summary.")
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
    fmt: str,
) -> int:
    """Make the CRM match the manifests (PATH...), or apply a saved PLANFILE exactly.

    With PLANFILE nothing is asked (the saved plan is what was reviewed), but nothing is
    changed unless the CRM and the manifests are as they were when it was made (exit 3)
    and it was made for this CRM (exit 1). Exit 4 when a guard blocks it.
    """
    saved = None
    workdir: str | None = None
    if len(paths) == 1 and is_plan_file(paths[0]):
        saved = load_plan(paths[0])
        paths = tuple(saved.paths)
        workdir = saved_workdir(saved)
        auto_approve = True
    if not auto_approve and not on_terminal():
        raise QuotesyncError("not on a terminal: pass --auto-approve to apply without asking")
    target = describe_target(crm, os.environ)
    if saved is not None and saved.target:
        # The plan's CRM, unless --crm/QUOTESYNC_CRM names one: then it must be the same.
        planned = anchored(saved.target, Path(workdir) if workdir else Path.cwd())
        target = planned if crm is None else anchored(target, Path.cwd())
        if target != planned:
            raise QuotesyncError(
                f"the saved plan was made for {planned}, not {target}; nothing was changed "
                "(plan again against this CRM, or point --crm/QUOTESYNC_CRM at the plan's CRM)"
            )
    options = build_manifest_options(paths, var_pairs, var_files, allow_files_outside, workdir)
    targets = saved.targets if saved is not None else []
    with open_client(target, os.environ) as client:
        try:
            run = plan_against(client, options, targets=targets, target_label=target)
        except InvalidManifests as exc:
            report_invalid(exc)
            raise
        if saved is not None:
            stale = stale_objects(saved, run.plan)
            if stale:
                raise StalePlanError(
                    "the saved plan is stale, nothing was changed; changed since it was made: "
                    + ", ".join(stale)
                )
        if not run.plan.has_changes:
            click.echo(
                render(run.plan, "text", "plan")
                if fmt == "text"
                else json.dumps(ApplyResult().to_dict(), indent=2)
            )
            return ExitCode.OK
        check_guards(run.plan, allow_deletes=allow_deletes, allow_mass_changes=allow_mass_changes)
        if fmt == "text" or not auto_approve:
            # What is about to be carried out, asked about or not (as terraform apply does);
            # with --format json it is in the result, and on stderr when asked about.
            click.echo(render(run.plan, "text", "plan"), err=fmt != "text")
        asked_on_stderr = fmt != "text"  # stdout holds nothing but the JSON result
        if not auto_approve and not click.confirm(
            "Apply these changes?", default=False, err=asked_on_stderr
        ):
            click.echo("Nothing applied.", err=True)
            return ExitCode.ERROR
        bar = _bar if fmt == "text" and sys.stderr.isatty() else None
        result = execute(client, run, _progress(fmt == "text"), bar)
    click.echo(render_result(result, fmt, run.plan))
    return ExitCode.OK if result.ok else ExitCode.ERROR
