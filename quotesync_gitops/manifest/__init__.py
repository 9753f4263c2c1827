"""The manifest language: find, parse, resolve references and validate into a DesiredState.

Public API (used by the CLI and the pipeline)::

    load_manifests(paths, *, env, variables=None, resolve_env=True,
                   allow_files_outside=False) -> LoadResult
    parse_var_args(pairs, var_files) -> dict[str, str]
"""

from __future__ import annotations

from quotesync_gitops.manifest.loader import LoadResult, load_manifests
from quotesync_gitops.manifest.variables import parse_var_args

__all__ = ["LoadResult", "load_manifests", "parse_var_args"]
