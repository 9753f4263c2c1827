"""``--var NAME=VALUE`` and ``--var-file FILE`` → the values of ``${var:NAME}``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from quotesync_gitops.errors import ManifestError
from quotesync_gitops.manifest.files import read_text
from quotesync_gitops.manifest.yamlparse import parse_yaml

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def parse_var_args(pairs: Sequence[str], var_files: Sequence[str]) -> dict[str, str]:
    """Variables from the files (in order), then the pairs; later ones win."""
    out: dict[str, str] = {}
    for file in var_files:
        out.update(_read_var_file(file))
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not _NAME.fullmatch(name):
            raise ManifestError(
                f"--var expects NAME=VALUE with a name of letters, digits, _ . -, got {pair!r}"
            )
        out[name] = value
    return out


def _read_var_file(file: str) -> dict[str, str]:
    read = read_text(Path(file), file)
    if read.problem is not None or read.text is None:
        where, message = read.problem or (None, "cannot read the file")
        at = f"{file}:{where.line}:{where.column}" if where is not None and where.line else file
        raise ManifestError(f"--var-file {at}: {message}")
    parsed = parse_yaml(read.text)
    if parsed.problems:
        (line, column), message = parsed.problems[0]
        raise ManifestError(f"--var-file {file}:{line}:{column}: {message}")
    documents = [d for d in parsed.documents if d.value is not None]
    if not documents:
        return {}
    if len(documents) > 1 or not isinstance(documents[0].value, dict):
        raise ManifestError(f"--var-file {file}: expected one mapping of NAME: value")
    out: dict[str, str] = {}
    document = documents[0]
    for name, value in document.value.items():
        place = document.positions.get((name,))
        mark = place.key or place.value if place is not None else None
        at = f"{file}:{mark[0]}:{mark[1]}" if mark is not None else file
        if not _NAME.fullmatch(name):
            raise ManifestError(
                f"--var-file {at}: {name!r} is not a valid variable name "
                "(letters, digits, _ . -; not starting with a digit)"
            )
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, str | int | float):
            out[name] = str(value)
        elif value is None:
            out[name] = ""
        else:
            raise ManifestError(
                f"--var-file {at}: variable {name!r} must be text, a number or true/false"
            )
    return out
