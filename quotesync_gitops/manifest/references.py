"""``${env:NAME}``, ``${env:NAME:-default}``, ``${file:PATH}`` and ``${var:NAME}`` in strings.

A reference may be the whole value or part of it; ``$${`` writes a literal ``${``. Anything
that came from ``${env:}`` or ``${file:}`` is sensitive, so the whole resulting string becomes
a :class:`Secret`, even when an env default was used. With ``resolve_env`` off (validate
--no-env) env and file references are checked for form only and stand in as placeholder
secrets; ``${var:}`` values are always resolved (they are given on the command line).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from quotesync_gitops.secrets import Secret

_TOKEN = re.compile(r"\$\$\{|\$\{([^}]*)\}|\$\{")
_ENV = re.compile(r"env:([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?", re.DOTALL)
_VAR = re.compile(r"var:([A-Za-z_][A-Za-z0-9_.-]*)")
_FILE = re.compile(r"file:(.+)", re.DOTALL)

#: Largest file a ${file:} reference may read (a credential, not a data set).
MAX_FILE_BYTES = 1_000_000

FORMS = "${env:NAME}, ${env:NAME:-default}, ${file:PATH} or ${var:NAME}"

#: The variables holding quotesync's own CRM credentials (README, docs/crm-client.md): never
#: readable from a manifest, whoever wrote it.
TOOL_CREDENTIALS = frozenset({"QUOTESYNC_TICKET", "QUOTESYNC_APP_TOKEN", "QUOTESYNC_ACCESS_TOKEN"})


@dataclass(frozen=True)
class ReferenceContext:
    env: Mapping[str, str]
    variables: Mapping[str, str]
    resolve_env: bool
    manifest_dir: Path
    root: Path
    allow_outside: bool


@dataclass(frozen=True)
class Resolved:
    value: str | Secret
    problems: tuple[str, ...] = ()


def resolve(text: str, ctx: ReferenceContext) -> Resolved:
    """The value of ``text`` with its references replaced (a Secret if any is sensitive)."""
    if "${" not in text:
        return Resolved(text)
    parts: list[str] = []
    problems: list[str] = []
    sensitive = False
    position = 0
    for match in _TOKEN.finditer(text):
        parts.append(text[position : match.start()])
        position = match.end()
        token = match.group(0)
        if token == "$${":
            parts.append("${")
            continue
        body = match.group(1)
        if body is None:
            problems.append(
                f"unfinished reference: {text[match.start() :][:40]!r} has no closing }}; "
                f"write {FORMS}, or $${{ for a literal ${{"
            )
            continue
        value, secret, problem = _one(body, ctx)
        sensitive = sensitive or secret
        if problem:
            problems.append(problem)
        parts.append(value)
    parts.append(text[position:])
    joined = "".join(parts)
    return Resolved(Secret(joined) if sensitive else joined, tuple(problems))


def _one(body: str, ctx: ReferenceContext) -> tuple[str, bool, str | None]:
    """(value, sensitive, problem) of one ``${body}``."""
    if match := _ENV.fullmatch(body):
        name, default = match.group(1), match.group(2)
        if name in TOOL_CREDENTIALS:
            return (
                "",
                True,
                f"${{env:{name}}} is quotesync's own credential to the CRM; a manifest cannot "
                "read it (it would travel to a connector, or to an endpoint a pull request "
                "chose); give the connector its own variable",
            )
        if not ctx.resolve_env:
            return "${env:" + name + "}", True, None
        # Empty counts as unset, as in the shell's ${NAME:-default}: CI systems pass a
        # secret that was never configured as an empty string, which must not slip through.
        if ctx.env.get(name):
            return ctx.env[name], True, None
        if default is not None:
            return default, True, None
        state = "is empty" if name in ctx.env else "is not set"
        return (
            "",
            True,
            (
                f"environment variable {name} {state} (${{env:{name}}}); set it, or give a "
                f"default with ${{env:{name}:-default}}"
            ),
        )
    if match := _VAR.fullmatch(body):
        name = match.group(1)
        if name in ctx.variables:
            return ctx.variables[name], False, None
        return (
            "",
            False,
            (
                f"variable {name} is not defined (${{var:{name}}}); pass --var {name}=VALUE or "
                "a --var-file that defines it"
            ),
        )
    if match := _FILE.fullmatch(body):
        return (*_read_file(match.group(1).strip(), ctx),)
    return (
        "",
        False,
        f"${{{body}}} is not a valid reference; write {FORMS}, or $${{ for a literal ${{",
    )


def _read_file(raw: str, ctx: ReferenceContext) -> tuple[str, bool, str | None]:
    path = Path(os.path.normpath(ctx.manifest_dir / Path(raw).expanduser()))
    if not ctx.allow_outside and not is_inside(path, ctx.root):
        return (
            "",
            True,
            (
                f"${{file:{raw}}} points outside the repository ({ctx.root}); keep referenced "
                "files inside it, or pass --allow-files-outside"
            ),
        )
    if not ctx.resolve_env:
        return "${file:" + raw + "}", True, None
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return "", True, f"${{file:{raw}}} is larger than {MAX_FILE_BYTES:,} bytes"
        content = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return "", True, f"${{file:{raw}}}: no such file ({path})"
    except IsADirectoryError:
        return "", True, f"${{file:{raw}}}: {path} is a folder, not a file"
    except UnicodeDecodeError:
        return "", True, f"${{file:{raw}}}: {path} is not UTF-8 text"
    except OSError as exc:
        return "", True, f"${{file:{raw}}}: cannot read {path}: {exc.strerror or exc}"
    return content.rstrip("\r\n"), True, None


def is_inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (after resolving symlinks) lies inside ``root``.

    A symbolic link loop counts as inside: it leads nowhere, and reading it fails with an
    error of its own ("too many levels of symbolic links") at the place that names it."""
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return False
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop
        return True
    return True
