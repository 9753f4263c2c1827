"""One manifest document: envelope, references, schema, products, rules → a declared resource."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path as FsPath
from typing import Any

from quotesync_gitops.kinds.base import Spec
from quotesync_gitops.manifest.canonical import canonical_spec
from quotesync_gitops.manifest.checks import check_spec
from quotesync_gitops.manifest.images import read_image
from quotesync_gitops.manifest.interpolate import Found, resolve_tree
from quotesync_gitops.manifest.names import check_names, name_problem
from quotesync_gitops.manifest.problems import Problems, Where
from quotesync_gitops.manifest.products import MAX_PRODUCT_PROBLEMS, check_product
from quotesync_gitops.manifest.products_csv import CsvProducts, read_products_csv
from quotesync_gitops.manifest.references import ReferenceContext, is_inside
from quotesync_gitops.manifest.schema_check import check_document
from quotesync_gitops.manifest.schemagen.parts import API_VERSION
from quotesync_gitops.manifest.schemas import KINDS
from quotesync_gitops.manifest.wording import closest, kind_of
from quotesync_gitops.manifest.yamlparse import ParsedDocument, Path
from quotesync_gitops.model import ImageFile, Kind, SourceRef
from quotesync_gitops.secrets import Secret, reveal


@dataclass
class Declared:
    """A document that names a resource (its spec may still have problems)."""

    kind: str
    name: str
    where: Where  # metadata.name
    source: SourceRef
    #: spec key → where its value is written (top-level keys of spec only)
    key_sources: dict[str, SourceRef]
    spec: dict[str, Any]  # references resolved, not canonical
    canonical: Spec | None  # None when the document has problems
    deleted: bool


@dataclass
class FileContext:
    display: str
    refs: ReferenceContext
    show: Callable[[FsPath], str]
    #: extra files read (products CSV): display path → sha256
    extra_files: dict[str, str] = field(default_factory=dict)


def read_document(doc: ParsedDocument, ctx: FileContext, problems: Problems) -> Declared | None:
    value = doc.value
    where = Where(ctx.display, doc.index, ())
    if value is None:
        return None  # an empty document (a stray --- or only comments)
    if not isinstance(value, dict):
        problems.at(
            where,
            "a manifest document must be a mapping with apiVersion, kind, "
            f"metadata and spec, but this one is {kind_of(value)}",
        )
        return None
    if not _envelope(value, where, problems):
        return None
    kind = str(value["kind"])
    before = problems.count
    found = Found()

    def report(path: Path, message: str) -> None:
        problems.at(where.child(*path), message)

    metadata = resolve_tree(value.get("metadata"), ("metadata",), ctx.refs, report, found)
    metadata_resolved = problems.count == before  # an undefined ${var:} makes a name odd
    spec = resolve_tree(value.get("spec"), ("spec",), ctx.refs, report, found)
    spec_resolved = problems.count == before
    view_spec = spec
    if kind == Kind.PRICE_LIST and isinstance(spec, dict) and "products" in spec:
        view_spec = {**spec, "products": []}  # products get the fast row check below
    view = reveal({**value, "metadata": metadata, "spec": view_spec})
    for problem in check_document(kind, view, frozenset(found.secrets)):
        if problem.path not in found.refused:  # reported as "cannot come from ${env:}"
            problems.at(Where(ctx.display, doc.index, problem.path, problem.at), problem.message)
    images: dict[str, ImageFile | None] = {}
    products = (
        _products(spec, where.child("spec"), ctx, problems, images)
        if kind == Kind.PRICE_LIST
        else None
    )
    check_spec(kind, spec, where.child("spec"), problems)
    check_names(
        kind, metadata if metadata_resolved else None, spec if spec_resolved else None, report
    )
    name = metadata.get("name") if isinstance(metadata, dict) else None
    if not isinstance(name, str) or not name:
        return None
    name_at = where.child("metadata", "name")
    position = doc.positions.get(name_at.path)
    mark = position.value if position is not None else doc.start
    spec = spec if isinstance(spec, dict) else {}
    canonical = canonical_spec(kind, spec, products) if problems.count == before else None
    if canonical is not None and images:
        canonical["images"] = images
    key_sources = {
        str(path[1]): SourceRef(ctx.display, *position.value)
        for path, position in doc.positions.items()
        if len(path) == 2 and path[0] == "spec"
    }
    return Declared(
        kind,
        name,
        name_at,
        SourceRef(ctx.display, *mark),
        key_sources,
        spec,
        canonical,
        spec.get("deleted") is True,
    )


def _envelope(value: dict[str, Any], where: Where, problems: Problems) -> bool:
    ok = True
    if "apiVersion" not in value:
        problems.at(where, f"the document has no apiVersion; write apiVersion: {API_VERSION}")
        ok = False
    elif value["apiVersion"] != API_VERSION:
        problems.at(
            where.child("apiVersion"),
            f"unknown apiVersion {value['apiVersion']!r}; expected {API_VERSION}",
        )
        ok = False
    kind = value.get("kind")
    if "kind" not in value:
        problems.at(where, f"the document has no kind; expected one of: {', '.join(KINDS)}")
        ok = False
    elif not isinstance(kind, str) or kind not in KINDS:
        near = closest(str(kind), KINDS)
        hint = f"; did you mean {near!r}?" if near else ""
        problems.at(
            where.child("kind"),
            f"unknown kind {kind!r}{hint or '.'} Known kinds: {', '.join(KINDS)}",
        )
        ok = False
    return ok


def _products(
    spec: Any,
    where: Where,
    ctx: FileContext,
    problems: Problems,
    images: dict[str, ImageFile | None],
) -> dict[str, dict[str, Any]]:
    """Inline products and those of productsFile, by code; repeats and bad rows reported.
    The images inline products name go to ``images`` (code → image, None: no image)."""
    out: dict[str, dict[str, Any]] = {}
    #: code → where it is first listed: inline, or the line of its row in the products file
    first_at: dict[str, Where | int] = {}
    if not isinstance(spec, dict):
        return out
    shown = hidden = 0
    csv_files: list[CsvProducts] = []  # the products file read (one at most)

    def source(at: Where | int) -> Where | SourceRef:
        return at if isinstance(at, Where) else csv_files[0].code_cell(at).source()

    def add(product: dict[str, Any], at: Where | int) -> None:
        code = product["code"]
        untrimmed = name_problem("the product code", code) if isinstance(code, str) else None
        if untrimmed is not None:
            problems.at(source(at), untrimmed)
            return
        if code in first_at:
            problems.at(
                source(at),
                f"product code {code!r} is listed twice in this price list (first at {{first}})",
                first=source(first_at[code]),
            )
            return
        first_at[code] = at
        out[code] = product

    def add_all(result: CsvProducts) -> None:
        """A products file's products: at once when every code is trimmed, new and unique
        (what :func:`add` would find of each), else one by one through it. The file is
        the last to add (``first_at`` is not looked at after it)."""
        csv_files.append(result)
        found = result.found
        codes = [product["code"] for product in found]
        by_code = dict(zip(codes, found, strict=True))
        if (
            len(by_code) == len(codes)
            and out.keys().isdisjoint(by_code)
            and list(map(str.strip, codes)) == codes
        ):
            out.update(by_code)
            return
        for product, line in zip(found, result.lines, strict=True):
            add(product, line)

    inline = spec.get("products")
    if isinstance(inline, list):
        for index, item in enumerate(inline):
            image: tuple[bool, ImageFile | None] | None = None
            if isinstance(item, dict) and "image" in item:
                at = where.child("products", index, "image")
                image = _image(item["image"], at, ctx, problems)
                item = {k: v for k, v in item.items() if k != "image"}
            product, found = check_product(item, index)
            for problem in found:
                if shown >= MAX_PRODUCT_PROBLEMS:
                    hidden += 1
                    continue
                shown += 1
                path = (index,) if problem.field is None else (index, problem.field)
                problems.at(where.child("products", *path, at=problem.at), problem.message)
            if product is not None:
                add(product, where.child("products", index, "code"))
                if image is not None and image[0]:
                    images[product["code"]] = image[1]
    if hidden:
        problems.at(
            where.child("products", at="key"),
            f"{hidden} more problems in spec.products are not shown; fix the ones above first",
        )
    file_name = spec.get("productsFile")
    if isinstance(file_name, str) and file_name:
        _products_file(file_name, where, ctx, problems, add_all)
    return out


def _repository_file(
    label: str, file_name: str, at: Where, ctx: FileContext, problems: Problems
) -> FsPath | None:
    """The file a manifest names (relative to its folder), if it is inside the repository
    (unless --allow-files-outside) and exists; otherwise a problem at ``at``."""
    refs = ctx.refs
    path = FsPath(os.path.normpath(refs.manifest_dir / file_name))
    if not refs.allow_outside and not is_inside(path, refs.root):
        problems.at(
            at,
            f"{label} {file_name!r} points outside the repository "
            f"({refs.root}); keep it inside, or pass --allow-files-outside",
        )
        return None
    if not path.is_file():
        what = "a symbolic link that leads nowhere" if path.is_symlink() else "no such file"
        problems.at(
            at,
            f"{label} {file_name!r}: {what} ({ctx.show(path)}); the path "
            "is relative to this manifest's folder",
        )
        return None
    return path


def _products_file(
    file_name: str,
    where: Where,
    ctx: FileContext,
    problems: Problems,
    add_all: Callable[[CsvProducts], None],
) -> None:
    path = _repository_file("productsFile", file_name, where.child("productsFile"), ctx, problems)
    if path is None:
        return
    display = ctx.show(path)
    result = read_products_csv(path, display)
    for diagnostic in result.diagnostics:
        problems.add(diagnostic.source, diagnostic.message)
    if result.sha256 is not None:
        ctx.extra_files[display] = result.sha256
    add_all(result)


def _image(
    value: Any, at: Where, ctx: FileContext, problems: Problems
) -> tuple[bool, ImageFile | None]:
    """(valid, the image or None for ``image: null``) of one product's ``image``."""
    if value is None:
        return True, None
    if isinstance(value, Secret):
        problems.at(at, "image cannot come from ${env:} or ${file:}; write the file's path")
        return False, None
    if not isinstance(value, str) or not value:
        what = "empty" if value == "" else kind_of(value)
        problems.at(
            at,
            "image must be the path of an image file (relative to this manifest), or null for "
            f"no image, but it is {what}",
        )
        return False, None
    path = _repository_file("image", value, at, ctx, problems)
    if path is None:
        return False, None
    image, problem = read_image(path, value)
    if problem is not None or image is None:
        problems.at(at, problem or f"image {value!r} cannot be read")
        return False, None
    ctx.extra_files[ctx.show(path)] = image.sha256
    return True, image
