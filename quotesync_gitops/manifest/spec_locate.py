"""Point problems found against the CRM at the offending key's own FILE:LINE:COL.

Plan and apply know a problem by its resource and a spec path in manifest form
(``actors.Customer.mappings[erpField=name].crmField``, see ``model.Match``); only here, on
the error path, is each file read again to find the document and the entry that path names.
A path that cannot be followed (an entry written through ``${var:}``, a product from a CSV
file) points at its longest prefix that can, and at worst at ``metadata.name``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from pathlib import Path as FsPath
from typing import Any

from quotesync_gitops.manifest.files import read_text
from quotesync_gitops.manifest.problems import Problems, Where
from quotesync_gitops.manifest.yamlparse import ParsedDocument, Path, parse_yaml
from quotesync_gitops.model import Diagnostic, Match, Resource, SpecPath, SpecProblem


def locate_spec_problems(
    problems: Sequence[SpecProblem],
    resources: Mapping[tuple[str, str], Resource],
    base: FsPath | None = None,
) -> list[Diagnostic]:
    """Every problem as a diagnostic at its key's line, sorted, all files read once
    (``base``: the folder the manifests' shown paths are relative to; default the current)."""

    @cache
    def text(file: str) -> str | None:
        return read_text((base or FsPath.cwd()) / file, file).text

    @cache
    def documents(file: str) -> list[ParsedDocument]:
        content = text(file)
        return parse_yaml(content).documents if content is not None else []

    collected = Problems()
    for problem in problems:
        resource = resources.get((problem.kind, problem.name))
        label = f"{problem.kind} {problem.name!r}: {problem.message}"
        source = resource.source if resource is not None else None
        if source is None:
            continue
        doc = _document(documents(source.file), source.line, source.column)
        if doc is None:
            collected.add(source, label, problem.level)
            continue
        path = ("spec", *_manifest_path(_spec_of(doc), problem.path))
        where = Where(source.file, doc.index, path, problem.at)
        collected.at(where, label, level=problem.level)
    return collected.diagnostics(documents, text)


def problem_locator(
    resources: Mapping[tuple[str, str], Resource], base: FsPath | None = None
) -> Callable[[Sequence[SpecProblem]], list[str]]:
    """For apply: problems of a resource as ``FILE:LINE:COL: message`` lines."""

    def locate(problems: Sequence[SpecProblem]) -> list[str]:
        located = locate_spec_problems(problems, resources, base)
        return [f"{d.source}: {d.message}" for d in located]

    return locate


def _document(docs: Sequence[ParsedDocument], line: int, column: int) -> ParsedDocument | None:
    for doc in docs:
        position = doc.positions.get(("metadata", "name"))
        if position is not None and position.value == (line, column):
            return doc
    return None


def _spec_of(doc: ParsedDocument) -> Any:
    value = doc.value
    return value.get("spec") if isinstance(value, dict) else None


def _manifest_path(spec: Any, path: SpecPath) -> Path:
    """Follow ``path`` through the document as written; stop where it cannot be followed."""
    out: list[str | int] = []
    node = spec
    for step in path:
        if isinstance(step, Match):
            if not isinstance(node, list):
                break
            index = next((i for i, entry in enumerate(node) if step.matches(entry)), None)
            if index is None:
                break
            out.append(index)
            node = node[index]
        elif isinstance(step, int):
            if not isinstance(node, list) or not 0 <= step < len(node):
                break
            out.append(step)
            node = node[step]
        else:
            if not isinstance(node, dict) or step not in node:
                break
            out.append(step)
            node = node[step]
    return tuple(out)
