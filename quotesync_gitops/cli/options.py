"""Options several commands share, declared once."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import click

from quotesync_gitops.manifest.options import ManifestOptions
from quotesync_gitops.manifest.variables import parse_var_args

F = TypeVar("F", bound=Callable[..., Any])


def manifest_options(func: F) -> F:
    """PATH... plus --var/--var-file/--allow-files-outside."""
    for decorator in reversed(
        [
            click.argument("paths", nargs=-1, type=click.Path()),
            click.option(
                "--var",
                "var_pairs",
                multiple=True,
                metavar="NAME=VALUE",
                help="Set ${var:NAME} (repeatable).",
            ),
            click.option(
                "--var-file",
                "var_files",
                multiple=True,
                type=click.Path(),
                help="YAML file of NAME: value variables for ${var:NAME} (repeatable).",
            ),
            click.option(
                "--allow-files-outside",
                is_flag=True,
                help="Let manifests, ${file:} and productsFile read files outside the manifest "
                "repository.",
            ),
        ]
    ):
        func = decorator(func)
    return func


def format_option(
    formats: Iterable[str], help_text: str, default: str | None = "text"
) -> Callable[[F], F]:
    """``--format`` (stored as ``fmt``): one declaration for every command that renders.

    ``formats`` is a renderer registry (``render/``): its names are the choices."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(formats)),
        default=default,
        show_default=default is not None,
        help=help_text,
    )


def crm_option(func: F) -> F:
    return click.option(
        "--crm",
        "crm",
        envvar="QUOTESYNC_CRM",
        metavar="TARGET",
        help="An Online tenant by name (online:Cust12345; also sod:, stage:), "
        "https://<tenant base URL>, or local:PATH for the embedded CRM "
        "(default local:.quotesync/crm.sqlite). Env: QUOTESYNC_CRM.",
    )(func)


def build_manifest_options(
    paths: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    allow_files_outside: bool,
    workdir: str | None = None,
) -> ManifestOptions:
    """``--var-file`` paths are read relative to the current directory; manifest paths
    relative to ``workdir`` (a saved plan's folder) when given."""
    return ManifestOptions(
        paths=list(paths),
        env=dict(os.environ),
        variables=parse_var_args(var_pairs, var_files),
        allow_files_outside=allow_files_outside,
        workdir=workdir,
    )


def use_color() -> bool:
    """Colour only for a terminal, and never when NO_COLOR is set (no-color.org)."""
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ
