"""A LiveState → the files of a manifest repository (in memory; ``output`` writes them).

Layout (one file per resource)::

    erp/connectors/<slug>.yaml      ErpConnector
    erp/connections/<slug>.yaml     ErpConnection
    quote/<slug>.yaml               QuoteConnection
    pricing/<slug>.yaml             PriceList (+ <slug>-products.csv beside it when large)
    pricing/images/<slug>/<code>.*  its product images
    settings/sync.yaml              SyncSettings
    settings/product-fields.yaml    ProductFieldSettings
    settings/sale-types/<slug>.yaml SaleTypeQuoteSettings
    settings/repository.yaml        RepositorySettings (a default: nothing pruned)
    schemas/<Kind>.schema.json      the JSON Schemas the modelines point at
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from quotesync_gitops.export import specs
from quotesync_gitops.export.names import env_names, file_stems
from quotesync_gitops.export.products import inline_products, products_csv
from quotesync_gitops.export.yamlout import to_yaml
from quotesync_gitops.kinds import KINDS, price_list
from quotesync_gitops.kinds.product_parts import ProductSpec, ProductValue
from quotesync_gitops.kinds.reading import SINGLETON_NAME
from quotesync_gitops.manifest.images import EXTENSIONS, image_type
from quotesync_gitops.manifest.schemagen.parts import API_VERSION
from quotesync_gitops.manifest.schemas import schema_file_name, schema_text
from quotesync_gitops.model import MANIFEST_KINDS, Kind, LiveState, Resource

#: Price lists with more products than this get their products in a CSV file.
DEFAULT_CSV_THRESHOLD = 50
SCHEMA_FOLDER = "schemas"

#: Folder per kind (one file per resource) or fixed file (singletons): each kind's own
#: (``KindDef.export_folder``/``export_file``), in ``KINDS`` order.
FOLDERS: dict[str, str] = {k: d.export_folder for k, d in KINDS.items() if d.export_folder}
SINGLETON_FILES: dict[str, str] = {k: d.export_file for k, d in KINDS.items() if d.export_file}
#: File name of a resource whose name has no letter or digit, per kind.
FALLBACK_STEMS: dict[str, str] = {k: KINDS[k].fallback_stem for k in FOLDERS}
#: Order of kinds in summaries: what others refer to first.
KIND_ORDER: tuple[str, ...] = MANIFEST_KINDS

_REPOSITORY_COMMENT = (
    "How quotesync treats this repository (not a CRM object). Nothing is pruned: objects in\n"
    "the CRM that no manifest describes are reported as unmanaged and left alone.\n"
)


@dataclass(frozen=True)
class ExportOptions:
    kinds: frozenset[str] = frozenset(KIND_ORDER)
    include_deleted: bool = False
    csv_threshold: int = DEFAULT_CSV_THRESHOLD
    #: Ask the CRM about every product's image (one call per product) and export them.
    images: bool = True


@dataclass(frozen=True)
class EnvVar:
    """An environment variable the user must set: a password the CRM does not hand back."""

    name: str
    kind: str
    resource: str
    field: str  # e.g. "config.password"


@dataclass(frozen=True)
class Written:
    kind: str
    name: str
    path: str  # the manifest, relative to the export folder (POSIX)
    tombstone: bool = False
    products_file: str | None = None


@dataclass
class ExportTree:
    #: relative POSIX path → file content
    files: dict[str, str] = field(default_factory=dict)
    #: relative POSIX path → image bytes (product images beside their price list)
    images: dict[str, bytes] = field(default_factory=dict)
    written: list[Written] = field(default_factory=list)
    env_vars: list[EnvVar] = field(default_factory=list)
    #: soft-deleted objects left out (no --include-deleted)
    skipped_deleted: list[tuple[str, str]] = field(default_factory=list)


def build_tree(
    live: LiveState,
    options: ExportOptions,
    images: Mapping[str, Mapping[str, bytes]] | None = None,
) -> ExportTree:
    """Every file of the export, from what the CRM holds (``images``: price list name → code
    → image bytes, see ``kinds.price_list.images.read_all_product_images``)."""
    tree = ExportTree()
    chosen: list[Resource] = []
    for kind in KIND_ORDER:
        if kind not in options.kinds:
            continue
        for resource in live.of_kind(kind):
            if resource.deleted and not options.include_deleted:
                tree.skipped_deleted.append((resource.kind, resource.name))
            else:
                chosen.append(resource)
    names = _env_names(chosen, live)
    tree.env_vars = [
        EnvVar(name, kind, resource, f"config.{key}")
        for (kind, resource, key), name in sorted(names.items(), key=lambda item: item[1])
    ]
    context = specs.ExportContext(live.context, lambda kind, name, key: names[(kind, name, key)])
    paths = _paths(chosen)
    for resource in chosen:
        pictures = (images or {}).get(resource.name, {}) if resource.kind == Kind.PRICE_LIST else {}
        _add_resource(tree, resource, paths[resource.key], context, options, pictures)
    if Kind.REPOSITORY_SETTINGS in options.kinds:
        path = SINGLETON_FILES[Kind.REPOSITORY_SETTINGS]
        _add_document(
            tree,
            path,
            Kind.REPOSITORY_SETTINGS,
            SINGLETON_NAME,
            specs.spec(Resource(Kind.REPOSITORY_SETTINGS, SINGLETON_NAME, {}), context),
            comment=_REPOSITORY_COMMENT,
        )
        tree.written.append(Written(Kind.REPOSITORY_SETTINGS, SINGLETON_NAME, path))
    for kind in sorted({w.kind for w in tree.written}):
        tree.files[f"{SCHEMA_FOLDER}/{schema_file_name(kind)}"] = schema_text(kind)
    return tree


def _env_names(chosen: Iterable[Resource], live: LiveState) -> dict[tuple[str, str, str], str]:
    wanted = [(r.kind, r.name, key) for r in chosen for key in specs.secret_fields(r, live.context)]
    return env_names(wanted)


def _paths(chosen: list[Resource]) -> dict[tuple[str, str], str]:
    paths: dict[tuple[str, str], str] = {}
    for kind, folder in FOLDERS.items():
        of_kind = [r.name for r in chosen if r.kind == kind]
        for name, stem in file_stems(of_kind, FALLBACK_STEMS[kind]).items():
            paths[(kind, name)] = f"{folder}/{stem}.yaml"
    for resource in chosen:
        if resource.kind in SINGLETON_FILES:
            paths[resource.key] = SINGLETON_FILES[resource.kind]
    return paths


def _add_resource(
    tree: ExportTree,
    resource: Resource,
    path: str,
    context: specs.ExportContext,
    options: ExportOptions,
    pictures: Mapping[str, bytes],
) -> None:
    singleton = resource.kind in SINGLETON_FILES
    name = SINGLETON_NAME if singleton else resource.name
    if resource.deleted:
        _add_document(tree, path, resource.kind, name, specs.tombstone())
        tree.written.append(Written(resource.kind, name, path, tombstone=True))
        return
    spec = specs.spec(resource, context)
    comment = ""
    products_file: str | None = None
    if resource.kind == Kind.PRICE_LIST:
        products = price_list.spec_of(resource)["products"]
        # Products with an image stay inline: the image is named on the product entry.
        with_image: Mapping[str, ProductSpec] = {
            code: p for code, p in products.items() if code in pictures
        }
        rest = {code: p for code, p in products.items() if code not in pictures}
        if len(products) > options.csv_threshold and rest:
            products_file = path.removesuffix(".yaml") + "-products.csv"
            file_name = products_file.rsplit("/", 1)[-1]
            spec["productsFile"] = file_name
            tree.files[products_file] = products_csv(rest)
            comment = f"{len(rest)} products, in {file_name} beside this file.\n"
        else:
            with_image = products
        if with_image:
            spec["products"] = _with_images(tree, path, inline_products(with_image), pictures)
    _add_document(tree, path, resource.kind, name, spec, comment=comment)
    tree.written.append(Written(resource.kind, name, path, products_file=products_file))


def _with_images(
    tree: ExportTree,
    path: str,
    entries: list[dict[str, ProductValue]],
    pictures: Mapping[str, bytes],
) -> list[Mapping[str, ProductValue]]:
    """Product entries with ``image:`` where the CRM has one, its file written beside."""
    folder = path.rsplit("/", 1)[0]
    stem = path.rsplit("/", 1)[-1].removesuffix(".yaml")
    stems = file_stems(sorted(pictures), "product")
    out: list[Mapping[str, ProductValue]] = []
    for entry in entries:
        code = str(entry["code"])  # product codes are text
        data = pictures.get(code)
        if data is not None:
            extension = EXTENSIONS.get(image_type(data) or "", "img")
            relative = f"images/{stem}/{stems[code]}.{extension}"
            tree.images[f"{folder}/{relative}"] = data
            entry = {**entry, "image": relative}
        out.append(entry)
    return out


def _add_document(
    tree: ExportTree, path: str, kind: str, name: str, spec: dict[str, object], comment: str = ""
) -> None:
    document = {
        "apiVersion": API_VERSION,
        "kind": str(kind),
        "metadata": {"name": name},
        "spec": spec,
    }
    tree.files[path] = (
        modeline(path, kind) + _comment(comment) + to_yaml(specs.escape_refs(document))
    )


def modeline(path: str, kind: str) -> str:
    """The yaml-language-server modeline: the schema copy in the export's ``schemas/``."""
    up = "../" * path.count("/")
    return f"# yaml-language-server: $schema={up}{SCHEMA_FOLDER}/{schema_file_name(kind)}\n"


def _comment(text: str) -> str:
    if not text:
        return ""
    return "#\n" + "".join(f"# {line}\n" for line in text.splitlines())
