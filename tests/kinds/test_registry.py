"""The kinds registry: one definition per manifest kind, references in one place."""

from __future__ import annotations

from quotesync_gitops.kinds import KINDS, references_of, rules_of
from quotesync_gitops.kinds.base import Reference
from quotesync_gitops.manifest.schemas import KINDS as SCHEMA_KINDS
from quotesync_gitops.model import MANIFEST_KINDS, Kind


def test_every_manifest_kind_has_one_definition_and_a_schema() -> None:
    assert list(KINDS) == list(MANIFEST_KINDS)
    assert Kind.PRODUCT not in KINDS and Kind.PRODUCT not in SCHEMA_KINDS
    assert sorted(SCHEMA_KINDS) == sorted(str(k) for k in KINDS)
    for kind, definition in KINDS.items():
        assert definition.kind is kind


def test_references_are_read_from_manifest_and_canonical_specs_alike() -> None:
    assert references_of(Kind.QUOTE_CONNECTION, {"erpConnection": "E"}) == [
        Reference(("erpConnection",), Kind.ERP_CONNECTION, "E")
    ]
    assert references_of(Kind.PRICE_LIST, {"quoteConnection": None}) == []
    sync = references_of(Kind.SYNC_SETTINGS, {"priority": ["A", 3, "B"]})
    assert [(r.path, r.address) for r in sync] == [
        (("priority", 0), "ErpConnection/A"),
        (("priority", 2), "ErpConnection/B"),
    ]
    (connector,) = references_of(Kind.ERP_CONNECTION, {"connector": "Demo"})
    assert connector.address == "ErpConnector/Demo" and not connector.must_be_declared
    assert references_of(Kind.PRODUCT, {"x": 1}) == []


def test_diff_rules_and_retirement_are_the_kinds() -> None:
    assert rules_of(Kind.PRICE_LIST).replace_fields == {"currency", "validFrom", "validTo"}
    assert rules_of(Kind.PRODUCT_FIELD_SETTINGS).partial
    assert rules_of(Kind.SALE_TYPE_QUOTE_SETTINGS).given_only
    assert not rules_of(Kind.PRODUCT).server_filled
    assert KINDS[Kind.PRICE_LIST].retired({"active": False, "deleted": False})
    assert not KINDS[Kind.QUOTE_CONNECTION].retired({"active": False, "deleted": False})
    assert KINDS[Kind.ERP_CONNECTOR].retired({"deleted": True})


def test_singleton_and_attached_kinds() -> None:
    assert {k for k, d in KINDS.items() if d.singleton} == {
        Kind.SYNC_SETTINGS,
        Kind.PRODUCT_FIELD_SETTINGS,
        Kind.REPOSITORY_SETTINGS,
    }
    assert {k for k, d in KINDS.items() if d.attached} == {Kind.SALE_TYPE_QUOTE_SETTINGS}


def test_write_guards_compare_a_carrier_with_the_spec_it_was_written_from() -> None:
    from quotesync_gitops.kinds import price_list

    guarded = {k for k, d in KINDS.items() if d.write_guard is not None}
    assert guarded == {
        Kind.ERP_CONNECTOR,
        Kind.ERP_CONNECTION,
        Kind.QUOTE_CONNECTION,
        Kind.PRICE_LIST,
    }
    guard = KINDS[Kind.PRICE_LIST].write_guard
    assert guard is not None and guard.head_of_carrier
    spec = {
        "description": "d",
        "currency": "NOK",
        "validFrom": "2026-01-01",
        "validTo": "",
        "active": True,
        "deleted": False,
    }
    carrier = price_list.to_carrier(spec, "L", price_list_id=1, quote_connection_id=0)
    head = guard.head_of_carrier(carrier)
    assert head == guard.head_of_spec("L", spec, head)
    inactive = guard.head_of_carrier({**carrier, "IsActive": False})
    assert inactive != guard.head_of_spec("L", spec, head)


def test_only_connections_have_connector_fields() -> None:
    from quotesync_gitops.model import FieldInfo, LiveContext

    url = FieldInfo("url")
    ctx = LiveContext(erp_connectors={"E": (1, {"url": url})}, quote_connectors={"Q": {}})
    assert KINDS[Kind.ERP_CONNECTION].connector_fields({"connector": "E"}, ctx) == {"url": url}
    assert KINDS[Kind.ERP_CONNECTION].connector_fields({"connector": "Q"}, ctx) is None
    assert KINDS[Kind.QUOTE_CONNECTION].connector_fields({"connector": "Q"}, ctx) == {}
    assert KINDS[Kind.PRICE_LIST].connector_fields({"connector": "E"}, ctx) is None


def test_each_kind_names_its_export_folder_or_its_one_file() -> None:
    from quotesync_gitops.export.tree import FALLBACK_STEMS, FOLDERS, SINGLETON_FILES
    from quotesync_gitops.model import SINGLETON_KINDS

    for kind, definition in KINDS.items():
        if kind in SINGLETON_KINDS or kind == Kind.REPOSITORY_SETTINGS:
            assert definition.export_file and not definition.export_folder, kind
            assert SINGLETON_FILES[kind] == definition.export_file
        else:
            assert definition.export_folder and definition.fallback_stem, kind
            assert not definition.export_file, kind
            assert (FOLDERS[kind], FALLBACK_STEMS[kind]) == (
                definition.export_folder,
                definition.fallback_stem,
            )
    paths = [*FOLDERS.values(), *SINGLETON_FILES.values()]
    assert len(paths) == len(set(paths)) == len(KINDS)


def test_catalog_checks_are_dispatched_to_the_kind() -> None:
    from quotesync_gitops.kinds.crm_checks import check_against_crm, deferred_checks
    from quotesync_gitops.model import LiveContext, Resource

    ctx = LiveContext(currencies={"NOK": 1}, line_fields={"Discount": {"restrictEdit": True}})
    line = Resource(Kind.PRODUCT_FIELD_SETTINGS, "default", {"fields": {"Discont": {}}})
    [problem] = check_against_crm(line, ctx)
    assert (problem.path, problem.level) == (("fields", "Discont"), "error")
    assert "did you mean 'Discount'" in problem.message
    restricted = Resource(
        Kind.PRODUCT_FIELD_SETTINGS, "default", {"fields": {"Discount": {"editable": True}}}
    )
    assert "restricted by the CRM" in check_against_crm(restricted, ctx)[0].message
    # Kinds the CRM declares no catalog for have nothing to check, and nothing deferred.
    sync = Resource(Kind.SYNC_SETTINGS, "default", {"priority": ["Nope"]})
    assert check_against_crm(sync, ctx) == [] and deferred_checks(sync, ctx) == []
