"""Find manifest files under the paths given and read them safely."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from quotesync_gitops.model import SourceRef

MAX_FILE_BYTES = 50 * 1024 * 1024
SUFFIXES = (".yaml", ".yml")


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
    return Discovery(files, root, problems)


def _walk(folder: Path) -> list[Path]:
    found: list[Path] = []
    for current, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.endswith(SUFFIXES) and not name.startswith("."):
                found.append(Path(current) / name)
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
