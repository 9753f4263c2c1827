"""load_manifests: files → documents → declared resources → checked DesiredState."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from quotesync_gitops.manifest.crossrefs import check_across
from quotesync_gitops.manifest.document import Declared, FileContext, read_document
from quotesync_gitops.manifest.files import IGNORE_FILE, discover, read_text, show
from quotesync_gitops.manifest.problems import Problems
from quotesync_gitops.manifest.references import ReferenceContext, is_inside
from quotesync_gitops.manifest.schemagen.parts import API_VERSION
from quotesync_gitops.manifest.schemas import KINDS
from quotesync_gitops.manifest.yamlparse import ParsedDocument, parse_yaml
from quotesync_gitops.model import (
    DesiredState,
    Diagnostic,
    Kind,
    RepositorySettings,
    Resource,
    SourceRef,
)


@dataclass
class LoadResult:
    desired: DesiredState
    #: Every problem found, sorted by file, line and column.
    diagnostics: list[Diagnostic]
    #: The manifest files read (shown paths), for summaries.
    manifest_files: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.level == "error" for d in self.diagnostics)


def load_manifests(
    paths: Sequence[str | Path],
    *,
    env: Mapping[str, str],
    variables: Mapping[str, str] | None = None,
    resolve_env: bool = True,
    allow_files_outside: bool = False,
    cwd: Path | None = None,
) -> LoadResult:
    """Read, resolve and check the manifests under ``paths`` (default: current directory).

    Relative paths are relative to ``cwd`` (default: the current directory), and so are the
    file names in diagnostics and fingerprints. Never raises for bad input: every problem
    becomes a diagnostic.
    """
    cwd = cwd or Path.cwd()
    found = discover(paths, cwd)
    problems = Problems()
    for shown, message in found.problems:
        problems.add(SourceRef(shown, 0, 0), message)
    documents: dict[str, list[ParsedDocument]] = {}
    locations: dict[str, Path] = {}
    fingerprints: dict[str, str] = {}
    declared: list[Declared] = []
    skipped: set[str] = set()
    complete = True
    for path in found.files:
        shown = show(path, cwd)
        if not allow_files_outside and not is_inside(path, found.root):
            # A symlink in the repository to a file elsewhere on the machine: reading it
            # would let a pull request have any YAML on the runner quoted back in errors.
            problems.add(
                SourceRef(shown, 1, 1),
                f"this manifest is a link to a file outside the repository ({found.root}); "
                "keep manifests inside it, or pass --allow-files-outside",
            )
            complete = False
            continue
        read = read_text(path, shown)
        if read.sha256 is not None:
            fingerprints[shown] = read.sha256
        if read.problem is not None or read.text is None:
            if read.problem is not None:
                problems.add(*read.problem)
            complete = False
            continue
        parsed = parse_yaml(read.text)
        skip = path not in found.named and not parsed.problems and parsed.complete
        if skip and foreign_file(parsed.documents):
            # docker-compose.yml, a workflow, a Kubernetes manifest: another tool's YAML.
            problems.add(
                SourceRef(shown, 0, 0),
                f"not a quotesync manifest (no apiVersion: {API_VERSION} and no quotesync "
                f"kind in it), skipped; list it in {IGNORE_FILE} to leave it out quietly",
                level="notice",
            )
            fingerprints.pop(shown, None)
            skipped.add(shown)
            continue
        documents[shown] = parsed.documents
        locations[shown] = path
        complete = complete and parsed.complete
        for (line, column), message in parsed.problems:
            problems.add(SourceRef(shown, line, column), message)
        refs = ReferenceContext(
            env=env,
            variables=variables or {},
            resolve_env=resolve_env,
            manifest_dir=path.parent,
            root=found.root,
            allow_outside=allow_files_outside,
        )
        context = FileContext(shown, refs, lambda p: show(p, cwd))
        for document in parsed.documents:
            item = read_document(document, context, problems)
            if item is not None:
                declared.append(item)
        fingerprints.update(context.extra_files)
    if found.files and len(skipped) == len(found.files):
        problems.add(
            SourceRef(show(found.root, cwd), 0, 0),
            "no quotesync manifests here: every YAML file was skipped as another tool's",
        )
    unique = check_across(declared, problems, complete=complete)

    # Only on the error path, and only for files with a problem deep inside a node whose
    # position the parser did not keep: holding every file's text until the end would cost
    # as much memory as a 100,000-product price list, for positions rarely needed.
    def reread(shown: str) -> str | None:
        location = locations.get(shown)
        return read_text(location, shown).text if location is not None else None

    diagnostics = problems.diagnostics(lambda shown: documents.get(shown, []), reread)
    desired = _desired(unique, fingerprints)
    shown_files = [show(p, cwd) for p in found.files]
    return LoadResult(desired, diagnostics, [f for f in shown_files if f not in skipped])


def foreign_file(documents: Sequence[ParsedDocument]) -> bool:
    """True when every document is a mapping that is plainly another tool's: an apiVersion
    that is not quotesync's (apps/v1), or neither apiVersion nor kind (docker-compose). A
    document with a quotesync kind or apiVersion, however broken, is ours and gets errors."""
    if not documents:
        return False
    for document in documents:
        value = document.value
        if not isinstance(value, dict):
            return False
        version, kind = value.get("apiVersion"), value.get("kind")
        if kind in KINDS or (isinstance(version, str) and version.startswith("quotesync.io/")):
            return False
        if version is None and kind is not None:
            return False  # a manifest without its apiVersion: say so
    return True


def _desired(declared: Sequence[Declared], fingerprints: dict[str, str]) -> DesiredState:
    desired = DesiredState(files=dict(sorted(fingerprints.items())))
    for item in declared:
        if item.canonical is None:
            continue
        desired.add(
            Resource(
                Kind(item.kind),  # a known kind: documents of others have problems
                item.name,
                item.canonical,
                source=item.source,
                key_sources=item.key_sources,
            )
        )
        if item.kind == Kind.REPOSITORY_SETTINGS and not item.deleted:
            desired.settings = repository_settings(item.canonical)
    return desired


def repository_settings(spec: Mapping[str, object]) -> RepositorySettings:
    guards = spec["guards"]
    assert isinstance(guards, dict)
    prune = spec["prune"]
    assert isinstance(prune, list)
    acknowledged = spec.get("acknowledgeUnmanaged") or []
    assert isinstance(acknowledged, list)
    return RepositorySettings(
        prune=frozenset(str(k) for k in prune),
        allow_deletes=bool(spec["allowDeletes"]),
        max_delete_percent=float(guards["maxDeletePercent"]),
        max_update_percent=float(guards["maxUpdatePercent"]),
        min_existing=int(guards["minExisting"]),
        acknowledged=frozenset((str(a["kind"]), str(a["name"])) for a in acknowledged),
    )
