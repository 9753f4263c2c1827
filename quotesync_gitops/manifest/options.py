"""What one run loads: the manifest paths, the environment and ``--var`` values.

A module of its own, importing nothing heavy, so that the CLI can build it (and refuse a bad
``--var-file``) before the manifest machinery and jsonschema are imported: by then the CRM
read is under way (``live/ahead.py``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ManifestOptions:
    """The arguments of ``load_manifests`` that come from the command line."""

    paths: Sequence[str]
    env: Mapping[str, str]
    variables: Mapping[str, str]
    allow_files_outside: bool = False
    #: The folder relative paths are read from (a saved plan's workdir); None = current.
    workdir: str | None = None

    @property
    def base(self) -> Path:
        return Path(self.workdir) if self.workdir else Path.cwd()
