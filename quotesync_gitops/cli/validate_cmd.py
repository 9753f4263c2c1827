"""`quotesync validate`: check manifests offline and report every problem with its line."""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

from quotesync_gitops.cli.common import exits
from quotesync_gitops.cli.options import format_option, manifest_options
from quotesync_gitops.errors import ExitCode
from quotesync_gitops.manifest import load_manifests, parse_var_args
from quotesync_gitops.manifest.problems import problem_summary
from quotesync_gitops.model import Diagnostic
from quotesync_gitops.render.diagnostics import (
    DIAGNOSTICS_RENDERERS,
    DiagnosticsFormat,
    ci_format,
    render_diagnostics,
)


def default_format() -> DiagnosticsFormat:
    """GitHub annotations inside GitHub Actions, text elsewhere."""
    return ci_format(os.environ)


@click.command()
@manifest_options
@format_option(
    DIAGNOSTICS_RENDERERS,
    "Output: text, json, or github annotations (default: github when GITHUB_ACTIONS "
    "is set, else text).",
    default=None,
)
@click.option(
    "--no-env",
    is_flag=True,
    help="Check ${env:} and ${file:} references for form only, without resolving them "
    "(for pipelines that have no secrets).",
)
@exits
def validate(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    fmt: DiagnosticsFormat | None,
    no_env: bool,
) -> int:
    """Validate the manifests under PATH... (default: the current directory).

    Exit 0 when they are valid, 1 when not; every problem is reported as
    FILE:LINE:COL: error: MESSAGE.
    """
    fmt = fmt or default_format()
    variables = parse_var_args(var_pairs, var_files)
    result = load_manifests(
        list(paths) or ["."],
        env=dict(os.environ),
        variables=variables,
        resolve_env=not no_env,
        allow_files_outside=allow_files_outside,
    )
    output = render_diagnostics(result.diagnostics, fmt)
    if output:
        click.echo(output, nl=False)
    if fmt != "json":
        click.echo(
            _summary(result.ok, result.diagnostics, len(result.desired), len(result.manifest_files))
        )
    return ExitCode.OK if result.ok else ExitCode.ERROR


def _summary(ok: bool, diagnostics: Sequence[Diagnostic], resources: int, files: int) -> str:
    if not ok:
        return problem_summary(diagnostics)
    noun = "file" if files == 1 else "files"
    things = "resource" if resources == 1 else "resources"
    return f"{resources} {things} in {files} {noun}, valid"
