"""Refuse a release tag that does not name the version being built.

    python scripts/check_version.py v0.1.0

The tag, pyproject.toml's version and quotesync_gitops.__version__ (what `quotesync
--version` prints) must agree, or a pinned REF would install something else than it says.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def versions() -> tuple[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    init = (ROOT / "quotesync_gitops" / "__init__.py").read_text(encoding="utf-8")
    found = re.search(r'^__version__ = "([^"]+)"', init, re.MULTILINE)
    return str(project["project"]["version"]), found.group(1) if found else "(none)"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python scripts/check_version.py TAG", file=sys.stderr)
        return 1
    tag = argv[0]
    declared, shown = versions()
    if tag != f"v{declared}" or shown != declared:
        print(
            f"error: tag {tag} does not match the version: pyproject.toml says {declared}, "
            f"quotesync_gitops/__init__.py says {shown}; set both to the tag's version "
            "(without the v), commit, and tag that commit",
            file=sys.stderr,
        )
        return 1
    print(f"ok: {tag} is version {declared}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
