"""The manifest language: find, parse, resolve references and validate into a DesiredState.

Public API (used by the CLI and the pipeline)::

    load_manifests(paths, *, env, variables=None, resolve_env=True,
                   allow_files_outside=False) -> LoadResult
    parse_var_args(pairs, var_files) -> dict[str, str]

The names resolve on first use (PEP 562): importing ``manifest.variables`` or
``manifest.options`` for the command line does not load the loader, its checks and
jsonschema, which a plan imports while the CRM read is under way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from quotesync_gitops.manifest.loader import LoadResult, load_manifests
    from quotesync_gitops.manifest.variables import parse_var_args

_WHERE = {"LoadResult": "loader", "load_manifests": "loader", "parse_var_args": "variables"}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = ["LoadResult", "load_manifests", "parse_var_args"]
