"""Write an export folder atomically: all of it, or none of it.

The files are written into a hidden sibling folder first (``.<name>.export-<random>``, which
manifest discovery skips), flushed to disk, and only then renamed into place. With ``force``
an existing folder is renamed aside and removed only once the new one is in place; if that
rename fails, the old folder is put back. Interrupted at any point, the destination holds
either its old contents or the complete export, never a mix.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

from quotesync_gitops.errors import QuotesyncError


class ExportError(QuotesyncError):
    """The export folder cannot be used or written."""


def check_destination(out: Path, *, force: bool) -> None:
    """Refuse a destination before anything is read or written.

    A non-empty folder needs ``force``; even then a git work tree (``.git`` inside) and the
    folder the command runs in (or one holding it) are refused: replacing them would throw
    away far more than an export.
    """
    try:
        _check_destination(out, force=force)
    except OSError as exc:
        raise ExportError(f"cannot use --out {out}: {_reason(exc)}") from exc


def _check_destination(out: Path, *, force: bool) -> None:
    if out.is_symlink():
        raise ExportError(f"--out {out} is a symbolic link; give the folder it points to")
    if out.exists() and not out.is_dir():
        raise ExportError(f"--out {out} is a file, not a folder")
    if not out.is_dir() or not _has_entries(out):
        return
    if not force:
        raise ExportError(
            f"--out {out} is not empty; choose a new or empty folder, or pass --force to "
            "replace its contents (nothing was written)"
        )
    if (out / ".git").exists():
        raise ExportError(
            f"--out {out} is a git work tree (it holds .git); --force would replace it "
            "entirely. Export into a subfolder instead"
        )
    cwd = Path.cwd().resolve()
    if cwd == out.resolve() or out.resolve() in cwd.parents:
        raise ExportError(
            f"--out {out} holds the current folder; --force would remove the folder you are "
            "in. Export somewhere else"
        )


def write_tree(out: Path, files: Mapping[str, str], *, force: bool) -> None:
    """Write ``files`` (relative POSIX path → text) as the folder ``out``."""
    check_destination(out, force=force)
    target = Path(os.path.abspath(out))
    parent = target.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = _new_sibling(parent, f".{target.name}.export-")
    except OSError as exc:
        raise ExportError(f"cannot create the export folder {out}: {_reason(exc)}") from exc
    try:
        for relative, text in sorted(files.items()):
            _write_file(staging / relative, text)
        _sync_dir(staging)
        _put_in_place(staging, target)
    except OSError as exc:
        raise ExportError(f"cannot write the export to {out}: {_reason(exc)}") from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _has_entries(folder: Path) -> bool:
    with os.scandir(folder) as entries:
        return any(True for _ in entries)


def _new_sibling(parent: Path, prefix: str) -> Path:
    """A new folder next to the destination (same file system, so rename is atomic)."""
    while True:
        candidate = parent / f"{prefix}{uuid.uuid4().hex[:8]}"
        try:
            candidate.mkdir()  # permissions from the umask, like any folder the user makes
        except FileExistsError:
            continue
        return candidate


def _write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(text.encode("utf-8"))
        handle.flush()
        os.fsync(handle.fileno())


def _sync_dir(folder: Path) -> None:
    """Flush directory entries too (POSIX), so a crash cannot lose the file names."""
    if not hasattr(os, "O_DIRECTORY"):
        return
    for current, _dirs, _files in os.walk(folder):
        descriptor = os.open(current, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _put_in_place(staging: Path, target: Path) -> None:
    if not target.exists():
        os.rename(staging, target)
        return
    if not _has_entries(target):
        target.rmdir()
        os.rename(staging, target)
        return
    aside = _new_sibling(target.parent, f".{target.name}.replaced-")
    aside.rmdir()
    os.rename(target, aside)
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


EMBEDDED_CRM_IGNORE = ".quotesync/"


def ignore_embedded_crm(repo: Path) -> bool:
    """Add ``.quotesync/`` (the embedded CRM's folder) to ``repo/.gitignore`` when ``repo`` is
    a git work tree that does not ignore it yet; True when the line was added.

    An export usually starts a manifest repository; the embedded CRM's database must not end
    up in it.
    """
    if not (repo / ".git").exists():
        return False
    ignore = repo / ".gitignore"
    try:
        text = ignore.read_text(encoding="utf-8") if ignore.exists() else ""
    except (OSError, UnicodeDecodeError):
        return False
    listed = {line.strip().strip("/") for line in text.splitlines()}
    if ".quotesync" in listed or ".quotesync/*" in listed:
        return False
    try:
        with ignore.open("a", encoding="utf-8") as out:
            out.write(
                ("" if not text or text.endswith("\n") else "\n") + EMBEDDED_CRM_IGNORE + "\n"
            )
    except OSError:
        return False
    return True
