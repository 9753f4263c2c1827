"""Each kind's spec TypedDict describes the specs the tool really builds, on both sides.

mypy checks the code against the TypedDicts; this checks the TypedDicts against the data:
every desired resource of the example manifests (``canonical()``) and every live resource
read back from CRMs that hold them (the carriers' ``from_carrier`` and the readers),
soft-deleted ones included, walked key by key against the kind's ``<Kind>Spec`` (required
and optional keys, nested TypedDicts, maps, lists and leaf types).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping

import pytest

from quotesync_gitops.kinds import (
    erp_connection,
    erp_connector,
    price_list,
    product_field_settings,
    quote_connection,
    repository_settings,
    sale_type_quote_settings,
    sync_settings,
)
from quotesync_gitops.live.reader import read_live
from quotesync_gitops.manifest import load_manifests
from quotesync_gitops.model import Kind, Resource
from quotesync_gitops.target import open_client
from tests.export.conftest import EXAMPLES

SPEC_TYPES: dict[Kind, type] = {
    Kind.ERP_CONNECTOR: erp_connector.ErpConnectorSpec,
    Kind.ERP_CONNECTION: erp_connection.ErpConnectionSpec,
    Kind.QUOTE_CONNECTION: quote_connection.QuoteConnectionSpec,
    Kind.SYNC_SETTINGS: sync_settings.SyncSettingsSpec,
    Kind.PRICE_LIST: price_list.PriceListSpec,
    Kind.PRODUCT_FIELD_SETTINGS: product_field_settings.ProductFieldSettingsSpec,
    Kind.SALE_TYPE_QUOTE_SETTINGS: sale_type_quote_settings.SaleTypeQuoteSettingsSpec,
    Kind.REPOSITORY_SETTINGS: repository_settings.RepositorySettingsSpec,
}


def _is_typeddict(hint: object) -> bool:
    return isinstance(hint, type) and typing.is_typeddict(hint)


def mismatches(value: object, hint: object, at: str) -> list[str]:
    """Where ``value`` is not of type ``hint`` (empty: it is)."""
    if hint is object or hint is typing.Any:
        return []
    if _is_typeddict(hint):
        assert isinstance(hint, type)
        if not isinstance(value, Mapping):
            return [f"{at}: {type(value).__name__}, not a {hint.__name__}"]
        hints = typing.get_type_hints(hint)
        required: frozenset[str] = hint.__required_keys__
        out = [f"{at}: no {key!r}" for key in sorted(required - set(value))]
        out += [f"{at}: unknown key {key!r}" for key in sorted(set(value) - set(hints))]
        for key in sorted(set(value) & set(hints)):
            out += mismatches(value[key], hints[key], f"{at}.{key}")
        return out
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        found = [mismatches(value, option, at) for option in args]
        return [] if any(not f for f in found) else [f"{at}: {value!r} is none of {hint}"]
    if origin in (dict, Mapping, typing.Mapping):
        if not isinstance(value, Mapping):
            return [f"{at}: {type(value).__name__}, not a mapping"]
        return [m for k, v in value.items() for m in mismatches(v, args[1], f"{at}[{k!r}]")]
    if origin is list:
        if not isinstance(value, list):
            return [f"{at}: {type(value).__name__}, not a list"]
        return [m for i, v in enumerate(value) for m in mismatches(v, args[0], f"{at}[{i}]")]
    if origin is typing.Literal:
        return [] if value in args else [f"{at}: {value!r} is not one of {args}"]
    if hint is None or hint is type(None):
        return [] if value is None else [f"{at}: {value!r} is not None"]
    assert isinstance(hint, type), (at, hint)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return []  # a float field may hold an int (typing's numeric tower)
    if hint is int and isinstance(value, bool):
        return [f"{at}: {value!r} is a bool, not an int"]
    return [] if isinstance(value, hint) else [f"{at}: {value!r} is not a {hint.__name__}"]


def _checked(resources: list[Resource]) -> set[Kind]:
    problems = [
        m
        for r in resources
        for m in mismatches(dict(r.spec), SPEC_TYPES[Kind(r.kind)], f"{r.kind}/{r.name}")
    ]
    assert problems == []
    return {Kind(r.kind) for r in resources}


def test_the_checker_finds_what_differs() -> None:
    """The walk itself: a missing key, an unknown one, a wrong leaf and a wrong literal."""
    spec = {"url": "https://erp", "deleted": False}
    assert mismatches(spec, erp_connector.ErpConnectorSpec, "c") == []
    assert mismatches({"url": "x"}, erp_connector.ErpConnectorSpec, "c") == ["c: no 'deleted'"]
    assert mismatches({**spec, "colour": 1}, erp_connector.ErpConnectorSpec, "c") == [
        "c: unknown key 'colour'"
    ]
    assert mismatches({**spec, "deleted": "no"}, erp_connector.ErpConnectorSpec, "c") == [
        "c.deleted: 'no' is not a bool"
    ]
    mapping = {"crmField": "name", "direction": "sideways", "showInSearch": True, "showInTab": 1}
    assert mismatches(mapping, erp_connection.MappingSpec, "m") == [
        "m.direction: 'sideways' is not one of ('toCrm', 'toErp', 'both', 'none')",
        "m.showInTab: 1 is not a bool",
    ]


def test_desired_specs_have_their_kinds_types() -> None:
    loaded = load_manifests([EXAMPLES], env={"DEMO_ERP_PASSWORD": "from-the-environment"})
    assert loaded.ok, loaded.diagnostics
    kinds = _checked(list(loaded.desired))
    assert kinds == set(SPEC_TYPES)  # every kind was checked


@pytest.mark.parametrize("crm", ["examples_crm", "hand_built"])
def test_live_specs_have_their_kinds_types(crm: str, request: pytest.FixtureRequest) -> None:
    with open_client(request.getfixturevalue(crm), {}) as client:
        live = read_live(client)
    kinds = _checked(list(live))
    assert kinds == set(SPEC_TYPES) - {Kind.REPOSITORY_SETTINGS}  # not a CRM object
