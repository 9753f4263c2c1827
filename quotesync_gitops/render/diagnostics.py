"""Render diagnostics (manifest problems) as text, JSON or GitHub workflow annotations.

* text: ``FILE:LINE:COL: error: MESSAGE`` (``FILE: error: MESSAGE`` when the problem
  concerns a whole file: line 0), as yamllint and compilers write them.
* json: ``{"version": 1, "valid": bool, "diagnostics": [{file, line, column, level,
  message}]}``; line and column are 0 for whole-file problems.
* github: ``::error file=F,line=L,col=C::MESSAGE`` workflow commands, which GitHub shows
  as annotations on the pull request's diff.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Literal, get_args

from quotesync_gitops.model import Diagnostic

DiagnosticsFormat = Literal["text", "json", "github"]
DIAGNOSTICS_FORMATS: tuple[DiagnosticsFormat, ...] = get_args(DiagnosticsFormat)
JSON_VERSION = 1


def render_diagnostics(diagnostics: Sequence[Diagnostic], fmt: DiagnosticsFormat) -> str:
    """All diagnostics in ``fmt`` (text|json|github); text and github end with a newline
    unless there is nothing to say."""
    renderer = DIAGNOSTICS_RENDERERS.get(fmt)
    if renderer is None:
        raise ValueError(
            f"unknown diagnostics format {fmt!r}; expected one of {', '.join(DIAGNOSTICS_FORMATS)}"
        )
    return renderer(diagnostics)


def render_text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(text_line(d) + "\n" for d in diagnostics)


def render_github(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(github_line(d) + "\n" for d in diagnostics)


def text_line(diagnostic: Diagnostic) -> str:
    source = diagnostic.source
    where = source.file if source.line <= 0 else str(source)
    return f"{where}: {diagnostic.level}: {_one_line(diagnostic.message)}"


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    document = {
        "version": JSON_VERSION,
        "valid": not any(d.level == "error" for d in diagnostics),
        "diagnostics": [
            {
                "file": d.source.file,
                "line": d.source.line,
                "column": d.source.column,
                "level": d.level,
                "message": d.message,
            }
            for d in diagnostics
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def github_line(diagnostic: Diagnostic) -> str:
    source = diagnostic.source
    command = diagnostic.level if diagnostic.level in ("error", "notice") else "warning"
    props = [f"file={_escape_property(source.file)}"]
    if source.line > 0:
        props.append(f"line={source.line}")
        props.append(f"col={source.column}")
    return f"::{command} {','.join(props)}::{_escape_data(diagnostic.message)}"


def _one_line(message: str) -> str:
    return message.replace("\r", " ").replace("\n", " ")


def _escape_data(value: str) -> str:
    """GitHub's escaping of workflow command data (toolkit/core/src/command.ts)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


DIAGNOSTICS_RENDERERS: Mapping[DiagnosticsFormat, Callable[[Sequence[Diagnostic]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
}


def ci_format(env: Mapping[str, str]) -> DiagnosticsFormat:
    """GitHub annotations inside GitHub Actions (``GITHUB_ACTIONS=true``), text elsewhere."""
    return "github" if env.get("GITHUB_ACTIONS") == "true" else "text"
