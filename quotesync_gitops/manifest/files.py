"""Find manifest files under the paths given and read them safely.

Folders are searched recursively; hidden files and folders are skipped, and so is whatever a
``.quotesyncignore`` file in a searched folder lists (one glob a line, relative to that
folder: ``docker-compose.yml``, ``drafts/``, ``*.example.yaml``; ``#`` starts a comment). A
file named on the command line is always read.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from quotesync_gitops.model import SourceRef

MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = (".yaml", ".yml")
IGNORE_FILE = ".quotesyncignore"


def show(path: Path, cwd: Path) -> str:
    """How a path is shown: relative to the current directory when inside it."""
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass
class Discovery:
    files: list[Path]
    root: Path
    problems: list[tuple[str, str]]  # (shown path, message)
    #: The files named on the command line: always read as manifests.
    named: set[Path] = field(default_factory=set)


def discover(paths: Sequence[str | Path], cwd: Path) -> Discovery:
    """Manifest files (directories searched recursively, sorted) and the repository root.

    The root (the common folder of the paths given, or the current directory) bounds what
    ``${file:}`` and ``productsFile`` may read.
    """
    given = [Path(os.path.normpath(cwd / p)) for p in (paths or ["."])]
    files: list[Path] = []
    seen: set[Path] = set()
    problems: list[tuple[str, str]] = []
    bases: list[Path] = []
    named: set[Path] = set()
    for path in given:
        if path.is_dir():
            bases.append(path)
            found = _walk(path)
            if not found:
                problems.append(
                    (show(path, cwd), "no manifest files (*.yaml, *.yml) in this folder")
                )
        elif path.is_file():
            bases.append(path.parent)
            named.add(path)
            found = [path]
        else:
            problems.append((show(path, cwd), "no such file or folder"))
            continue
        for file in found:
            try:
                key = file.resolve()
            except (RuntimeError, OSError):  # a symbolic link loop: reading it says so
                key = file
            if key not in seen:
                seen.add(key)
                files.append(file)
    root = Path(os.path.commonpath(bases)) if bases else cwd
    return Discovery(files, root, problems, named)


@dataclass(frozen=True)
class IgnoreRule:
    """One line of a ``.quotesyncignore``: a glob relative to the folder holding the file."""

    base: Path
    pattern: str
    folders_only: bool  # written with a trailing "/"
    anchored: bool  # holds a "/" (other than a trailing one): matched against the whole path

    def matches(self, path: Path, is_dir: bool) -> bool:
        if self.folders_only and not is_dir:
            return False
        relative = PurePosixPath(path.relative_to(self.base).as_posix())
        if self.anchored:
            return fnmatch.fnmatchcase(str(relative), self.pattern)
        return fnmatch.fnmatchcase(relative.name, self.pattern)


def ignore_rules(folder: Path) -> list[IgnoreRule]:
    """The rules of ``folder/.quotesyncignore`` (none when there is no such file)."""
    try:
        text = (folder / IGNORE_FILE).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return []
    rules = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        folders_only = line.endswith("/")
        pattern = line.rstrip("/").lstrip("/")
        if pattern:
            rules.append(IgnoreRule(folder, pattern, folders_only, "/" in line.rstrip("/")))
    return rules


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    rules_of: dict[Path, list[IgnoreRule]] = {}
    for current, dirs, names in os.walk(folder):
        here = Path(current)
        rules = rules_of.get(here, []) + ignore_rules(here)
        kept = []
        for name in sorted(dirs):
            path = here / name
            if not name.startswith(".") and not any(r.matches(path, True) for r in rules):
                kept.append(name)
                rules_of[path] = rules
        dirs[:] = kept
        for name in sorted(names):
            path = here / name
            if (
                name.endswith(SUFFIXES)
                and not name.startswith(".")
                and not any(r.matches(path, False) for r in rules)
            ):
                found.append(path)
    return found


@dataclass
class ReadFile:
    text: str | None
    sha256: str | None
    problem: tuple[SourceRef, str] | None = None


def read_text(path: Path, shown: str) -> ReadFile:
    """The file as text, or the reason it cannot be read (size, encoding, permissions)."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ReadFile(
                None,
                None,
                (
                    SourceRef(shown, 0, 0),
                    f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; split it up",
                ),
            )
        data = path.read_bytes()
    except OSError as exc:
        return ReadFile(
            None, None, (SourceRef(shown, 0, 0), f"cannot read the file: {exc.strerror or exc}")
        )
    digest = hashlib.sha256(data).hexdigest()
    try:
        return ReadFile(data.decode("utf-8-sig"), digest)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        return ReadFile(
            None,
            digest,
            (
                SourceRef(shown, line, column),
                f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X}); save it as UTF-8",
            ),
        )
