"""Properties of plan/apply over generated VALID manifest sets.

Manifests are drawn from the emulator's own catalogs (its seeded connectors, their config
fields, ERP actors, fields and lists; the CRM's field keys, MDO lists, users, groups,
currencies and quote line fields): ERP connectors and connections, quote connections, sync
settings, price lists with products, product field settings. ``${env:}`` and ``${var:}``
references stand in text values (config, descriptions, default values, product fields,
labels, connector URLs) and ``${var:}`` in names (metadata.name, priority), as the manifest
reference allows. The properties:

* apply exits 0, and the next plan shows no changes;
* for two sets A and B, apply A then apply B converges to B, with nothing duplicated.

Bounded for CI: few examples (``QUOTESYNC_PROPERTY_EXAMPLES`` raises them), a deadline per
example, the in-process embedded CRM.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from quotesync_gitops.cli.main import cli
from quotesync_gitops.emulator.connectors import ERP_CONNECTORS, ErpConnectorDef
from quotesync_gitops.emulator.crm_catalog import (
    CRM_FIELDS,
    DEFAULT_CRM_ACTOR,
    MDO_LISTS,
    QUOTE_LINE_FIELDS,
)
from quotesync_gitops.emulator.seed import SEED_CONNECTORS
from quotesync_gitops.target import open_client

EXAMPLES = int(os.environ.get("QUOTESYNC_PROPERTY_EXAMPLES", "5"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=dt.timedelta(seconds=90),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("CI") is not None,
    # A failing example is reported as drawn; shrinking one costs minutes of applies
    # (QUOTESYNC_PROPERTY_SHRINK=1 turns it on when hunting a failure).
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    + ([Phase.shrink] if os.environ.get("QUOTESYNC_PROPERTY_SHRINK") else []),
)

CONNECTORS: dict[str, ErpConnectorDef] = {
    name: ERP_CONNECTORS[url] for name, url in SEED_CONNECTORS
}
#: Config values the demo connectors' tests accept (docs/emulator.md).
VALID_CONFIG: dict[str, dict[str, list[str]]] = {
    "Demo ERP": {
        "endpointUrl": ["https://erp.example.com/api", "https://erp2.example.com/v2"],
        "companyNumber": ["1", "2", "17"],
        "username": ["demo"],
        "password": ["demo-password"],
        "timeoutSeconds": ["30", "60"],
        "useSandbox": ["true", "false"],
    },
    "Demo Accounting": {
        "apiUrl": ["https://accounting.example.com", "https://acc.example.com/eu"],
        "clientId": ["acme", "globex"],
        "apiKey": ["demo-api-key"],
        "region": ["eu", "us"],
    },
}
CRM_LIST_OF = {f.key: f.list_name for fields in CRM_FIELDS.values() for f in fields}
WORDS = st.text(alphabet="abcdefghijkl mnoøæåXYZ0123-", min_size=1, max_size=16).map(
    lambda s: " ".join(s.split()) or "x"
)


@dataclass
class ManifestSet:
    """Documents by file name, with the environment and variables their references use."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)

    def write(self, root: Path) -> Path:
        folder = root / "manifests"
        folder.mkdir(parents=True)
        for name, doc in self.files.items():
            # JSON is YAML whose strings are always quoted (PyYAML leaves "1e100" plain,
            # which YAML 1.2 reads as a number)
            (folder / name).write_text(json.dumps(doc, ensure_ascii=False, indent=1), "utf-8")
        return folder


def _doc(kind: str, name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "quotesync.io/v1", "kind": kind, "metadata": {"name": name}, "spec": spec}


@st.composite
def _name(draw: st.DrawFn, refs: ManifestSet, name: str) -> str:
    """A name written out or through ${var:} (${env:} is refused in names)."""
    if not draw(st.booleans()):
        return name
    key = f"N{len(refs.variables)}"
    refs.variables[key] = name
    return f"${{var:{key}}}"


@st.composite
def _text(draw: st.DrawFn, refs: ManifestSet, value: st.SearchStrategy[str] = WORDS) -> str:
    """A text value, written out or as a reference to it (${env:} is a secret, ${var:} not)."""
    plain = draw(value)
    how = draw(st.sampled_from(["plain", "plain", "env", "var"]))
    if how == "plain":
        return plain
    key = f"P{len(refs.env) + len(refs.variables)}"
    if how == "env":
        refs.env[key] = plain
        return f"${{env:{key}}}"
    refs.variables[key] = plain
    return f"${{var:{key}}}"


def _some(values: list[str] | tuple[str, ...], min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return (
        st.lists(st.sampled_from(list(values)), unique=True, min_size=min_size)
        if values
        else (st.just([]))
    )


@st.composite
def _actor(
    draw: st.DrawFn, refs: ManifestSet, connector: ErpConnectorDef, actor: str, active: bool
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    crm_actor = DEFAULT_CRM_ACTOR[actor]
    crm_keys = [f.key for f in CRM_FIELDS[crm_actor]]
    offered = connector.actors[actor]
    enabled = draw(st.booleans()) if not active else True
    mandatory = [f.key for f in offered if f.access == "Mandatory"]
    optional = [f.key for f in offered if f.access != "Mandatory"]
    chosen = mandatory + draw(_some(optional))
    targets = draw(st.permutations(crm_keys))[: len(chosen)]
    mappings = []
    for key, crm_field in zip(chosen, targets, strict=False):
        directions = ["toCrm", "toErp", "both"] + ([] if key in mandatory else ["none"])
        mapping = {
            "erpField": key,
            "crmField": crm_field,
            "direction": draw(st.sampled_from(directions)),
        }
        if draw(st.booleans()):
            mapping["showInSearch"] = draw(st.booleans())
        mappings.append(mapping)
    mapped = [m["erpField"] for m in mappings]
    defaults = []
    for erp_field in draw(_some([f.key for f in offered])):
        info = next(f for f in offered if f.key == erp_field)
        if info.field_type == "List":
            value = draw(st.sampled_from([k for k, _ in connector.lists[info.list_name]]))
        elif info.field_type in ("Integer", "Double"):
            value = str(draw(st.integers(0, 999)))
        elif info.field_type == "Date":
            value = "2026-01-31"
        else:
            value = draw(_text(refs))
        defaults.append({"erpField": erp_field, "value": value, "askUser": draw(st.booleans())})
    spec: dict[str, Any] = {"crmActor": crm_actor, "mappings": mappings}
    if not enabled:
        spec["enabled"] = False
    if defaults:
        spec["defaults"] = defaults
    if mapped and draw(st.booleans()):
        spec["fieldOrder"] = draw(st.permutations(mapped))
    lists = []
    for m in mappings:
        info = next(f for f in offered if f.key == m["erpField"])
        crm_list = CRM_LIST_OF.get(m["crmField"], "")
        if not enabled or info.field_type != "List" or not crm_list or not draw(st.booleans()):
            continue
        erp_items = draw(_some([k for k, _ in connector.lists[info.list_name]], min_size=1))
        crm_items = [i.name for i in MDO_LISTS[crm_list]]
        lists.append(
            {
                "actor": actor,
                "erpField": m["erpField"],
                "items": [
                    {"erpItem": item, "crmItem": draw(st.sampled_from(crm_items))}
                    for item in erp_items
                ],
            }
        )
    return spec, lists


@st.composite
def _erp_connection(
    draw: st.DrawFn, refs: ManifestSet, name: str, connector_name: str | None
) -> dict[str, Any]:
    # an existing connection keeps its connector (the CRM refuses a change; plan says so)
    connector_name = connector_name or draw(st.sampled_from(sorted(CONNECTORS)))
    connector = CONNECTORS[connector_name]
    active = draw(st.booleans())
    config = {}
    for key, values in VALID_CONFIG[connector_name].items():
        mandatory = any(f.key == key and f.access == "Mandatory" for f in connector.config_fields)
        if mandatory or draw(st.booleans()):
            config[key] = draw(_text(refs, st.sampled_from(values)))
    spec: dict[str, Any] = {"connector": connector_name, "active": active, "config": config}
    if draw(st.booleans()):
        spec["description"] = draw(_text(refs))
    users = [i.name for i in MDO_LISTS["associate"]]
    groups = [i.name for i in MDO_LISTS["usergroup"]]
    if draw(st.booleans()):
        scope = {"users": draw(_some(users)), "groups": draw(_some(groups))}
        if scope["users"] or scope["groups"]:
            spec["scope"] = scope
    actors: dict[str, Any] = {}
    list_mappings: list[dict[str, Any]] = []
    for actor in draw(_some(sorted(connector.actors))):
        actors[actor], lists = draw(_actor(refs, connector, actor, active))
        list_mappings += lists
    if actors:
        spec["actors"] = actors
    if list_mappings:
        spec["listMappings"] = list_mappings
    return _doc("ErpConnection", name, spec)


@st.composite
def _price_list(draw: st.DrawFn, refs: ManifestSet, name: str, quote: str) -> dict[str, Any]:
    start = draw(st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)))
    end = start + dt.timedelta(days=draw(st.integers(0, 400)))
    spec: dict[str, Any] = {
        "currency": draw(st.sampled_from([i.name for i in MDO_LISTS["currency"]])),
        "validFrom": start.isoformat(),
        "validTo": end.isoformat(),
        "active": draw(st.booleans()),
    }
    for key in ("description", "currencyName"):
        if draw(st.booleans()):
            spec[key] = draw(_text(refs))
    if quote and draw(st.booleans()):
        spec["quoteConnection"] = quote
    codes = draw(st.lists(st.sampled_from(["P-1", "P-2", "0042", "X 9"]), unique=True))
    products = []
    for code in codes:
        product: dict[str, Any] = {
            "code": code,
            "name": draw(_text(refs)),
            "listPrice": draw(st.integers(0, 100000)) / 100,
            "inAssortment": draw(st.booleans()),
        }
        for key in draw(_some(["description", "priceUnit", "supplier", "extraField1"])):
            product[key] = draw(_text(refs))
        products.append(product)
    spec["products"] = products
    return _doc("PriceList", name, spec)


@st.composite
def _quote_connection(draw: st.DrawFn, refs: ManifestSet, name: str) -> dict[str, Any]:
    """A connection of the CRM's own quote connector (it needs no configuration)."""
    spec: dict[str, Any] = {"connector": "CrmQuoteConnector"}
    for key in draw(_some(["description", "erpName"])):
        spec[key] = draw(_text(refs))
    groups = draw(_some([i.name for i in MDO_LISTS["usergroup"]]))
    if groups:
        spec["scope"] = {"groups": groups}
    return _doc("QuoteConnection", name, spec)


@st.composite
def _product_fields(draw: st.DrawFn, refs: ManifestSet) -> dict[str, Any]:
    editable = [f.field_name for f in QUOTE_LINE_FIELDS if not f.restrict_edit]
    fields: dict[str, Any] = {}
    for name in draw(_some(editable, min_size=1)):
        settings_: dict[str, Any] = {"shown": draw(st.booleans())}
        if draw(st.booleans()):
            settings_["label"] = draw(_text(refs))
        if draw(st.booleans()):
            settings_["tooltip"] = draw(_text(refs))
        if draw(st.booleans()):
            settings_["editable"] = draw(st.booleans())
        fields[name] = settings_
    return _doc("ProductFieldSettings", "default", {"fields": fields})


@st.composite
def manifest_sets(draw: st.DrawFn, after: ManifestSet | None = None) -> ManifestSet:
    """A valid set; ``after``: the set applied before it (whose connections keep their
    connectors)."""
    refs = ManifestSet()
    before = after.files if after is not None else {}
    for name in draw(_some(["Prop ERP A", "Prop ERP B"])):
        kept = before.get(f"{name}.yaml", {}).get("spec", {}).get("connector")
        refs.files[f"{name}.yaml"] = draw(_erp_connection(refs, name, kept))
    quote = ""
    if draw(st.booleans()):
        quote = "Prop Quotes"
        refs.files[f"{quote}.yaml"] = draw(_quote_connection(refs, quote))
    for name in draw(_some(["Prop List A", "Prop List B"])):
        refs.files[f"{name}.yaml"] = draw(_price_list(refs, name, quote))
    erp_names = [n.removesuffix(".yaml") for n in refs.files if n.startswith("Prop ERP")]
    if erp_names and draw(st.booleans()):
        priority = [draw(_name(refs, n)) for n in draw(st.permutations(erp_names))]
        spec: dict[str, Any] = {"priority": priority}
        if draw(st.booleans()):
            spec["interval"] = draw(st.sampled_from(["00:15:00", "01:00:00"]))
        refs.files["sync.yaml"] = _doc("SyncSettings", "default", spec)
    for connector, url in SEED_CONNECTORS:
        if draw(st.booleans()):  # declaring a seeded connector, its URL written or referenced
            spec = {"url": draw(_text(refs, st.just(url)))}
            refs.files[f"connector {connector}.yaml"] = _doc("ErpConnector", connector, spec)
    if not refs.files or draw(st.booleans()):
        refs.files["product-fields.yaml"] = draw(_product_fields(refs))
    for document in refs.files.values():
        if document["kind"] in ("ErpConnection", "PriceList", "QuoteConnection"):
            document["metadata"]["name"] = draw(_name(refs, document["metadata"]["name"]))
    return refs


class Crm:
    """A fresh embedded CRM and the real CLI, in a temp directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.target = f"local:{root / 'crm.sqlite'}"
        self.runner = CliRunner()
        self.count = 0

    def run(self, manifests: ManifestSet, *args: str) -> Result:
        self.count += 1
        folder = manifests.write(self.root / f"set{self.count}")
        var_args = [a for k, v in manifests.variables.items() for a in ("--var", f"{k}={v}")]
        env = {"QUOTESYNC_CRM": self.target, "NO_COLOR": "1", **manifests.env}
        return self.runner.invoke(
            cli, [args[0], str(folder), *var_args, *args[1:]], env=env, catch_exceptions=False
        )

    def names(self) -> Mapping[str, list[str]]:
        with open_client(self.target, {}) as client:
            erp = [c["DisplayName"] for c in client.erp_get_all_connections(False)]
            lists = [p["Name"] for p in client.iter_pricelists() if p.get("IsActive")]
            quotes = [
                c["DisplayName"]
                for c in client.quote_get_installed_connections()
                if not c.get("Deleted")
            ]
        return {"erp": erp, "lists": lists, "quotes": quotes}


def _converges(crm: Crm, manifests: ManifestSet) -> None:
    # B may drop products A had: taking them out of the assortment is a (soft) deletion
    applied = crm.run(manifests, "apply", "--auto-approve", "--allow-deletes")
    assert applied.exit_code == 0, applied.output
    again = crm.run(manifests, "plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    written = json.dumps(manifests.files, ensure_ascii=False)
    for secret in manifests.env.values():
        # ${env:} values are never shown; a ${var:} (not secret) may hold the same text
        shown_anyway = secret in written or secret in manifests.variables.values()
        if len(secret) >= 6 and not shown_anyway:
            assert secret not in applied.output + again.output


@PROPERTY
@given(manifest_sets())
def test_apply_then_plan_shows_no_changes(manifests: ManifestSet) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _converges(Crm(Path(tmp)), manifests)


@PROPERTY
@given(st.data())
def test_apply_a_then_b_converges_to_b_without_duplicates(data: st.DataObject) -> None:
    a = data.draw(manifest_sets(), label="A")
    b = data.draw(manifest_sets(after=a), label="B")
    with tempfile.TemporaryDirectory() as tmp:
        crm = Crm(Path(tmp))
        _converges(crm, a)
        _converges(crm, b)
        names = crm.names()
        for kind, found in names.items():
            assert len(found) == len(set(found)), (kind, found)
