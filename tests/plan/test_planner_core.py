"""Unit tests of the planner core: diff rules, ordering, guards, stale detection, and the
checks against the CRM's catalogs (beside the CLI tests in tests/e2e)."""

from __future__ import annotations

from typing import Any

from quotesync_gitops.kinds.crm_checks import check_against_crm, waits_for_creation
from quotesync_gitops.model import (
    DesiredState,
    ErpFieldInfo,
    FieldInfo,
    Kind,
    LiveContext,
    LiveState,
    Match,
    RepositorySettings,
    Resource,
)
from quotesync_gitops.pipeline import stale_objects
from quotesync_gitops.plan.diff import diff_specs
from quotesync_gitops.plan.model import Action
from quotesync_gitops.plan.planner import build_plan, fingerprint
from quotesync_gitops.secrets import UNREADABLE, Secret


def _price_list(name: str, **spec: Any) -> Resource:
    base = {
        "description": "",
        "currency": "NOK",
        "currencyName": "",
        "validFrom": "2026-01-01",
        "validTo": "2026-12-31",
        "active": True,
        "erpKey": "",
        "quoteConnection": None,
        "products": {},
        "deleted": False,
    }
    return Resource(Kind.PRICE_LIST, name, {**base, **spec}, ids={"id": 1})


def _states(desired: list[Resource], live: list[Resource], **settings: Any) -> Any:
    want = DesiredState(settings=RepositorySettings(**settings))
    have = LiveState()
    for r in desired:
        want.add(r)
    for r in live:
        have.add(r)
    return want, have


# --- diff ---------------------------------------------------------------------------------


def test_order_is_compared_only_among_the_names_the_manifest_lists() -> None:
    live = {"fieldOrder": ["a", "x", "b", "c"]}
    assert diff_specs(Kind.ERP_CONNECTION, live, {"fieldOrder": ["a", "b"]}).changes == []
    changed = diff_specs(Kind.ERP_CONNECTION, live, {"fieldOrder": ["b", "a"]}).changes
    assert [(c.path, c.before, c.after) for c in changed] == [
        ("fieldOrder", ["a", "b"], ["b", "a"])
    ]
    assert diff_specs(Kind.ERP_CONNECTION, live, {"fieldOrder": []}).changes == []  # unmanaged


def test_values_left_to_the_crm_are_not_compared() -> None:
    live = {"erpKey": "17", "currencyName": "Norwegian krone"}
    assert diff_specs(Kind.PRICE_LIST, live, {"erpKey": "", "currencyName": ""}).changes == []
    assert diff_specs(Kind.PRICE_LIST, live, {"erpKey": "18", "currencyName": ""}).changes


def test_a_secret_equals_its_clear_value_and_an_unreadable_one_is_counted() -> None:
    same = diff_specs(
        Kind.ERP_CONNECTION, {"config": {"u": "demo"}}, {"config": {"u": Secret("demo")}}
    )
    assert same.changes == []
    unreadable = diff_specs(
        Kind.ERP_CONNECTION, {"config": {"p": UNREADABLE}}, {"config": {"p": Secret("pw")}}
    )
    assert unreadable.changes == [] and unreadable.unreadable == ["config.p"]


def test_fingerprints_never_hold_a_secret_and_change_with_the_spec() -> None:
    one = fingerprint({"config": {"p": Secret("hunter22")}})
    assert one == fingerprint({"config": {"p": Secret("other")}})  # masked alike
    assert one != fingerprint({"config": {"p": "plain"}})


# --- plan: actions, order, guards ---------------------------------------------------------


def test_actions_and_order_deletions_last_in_reverse_dependency_order() -> None:
    settings = {"prune": frozenset({Kind.PRICE_LIST, Kind.QUOTE_CONNECTION})}
    quote = Resource(
        Kind.QUOTE_CONNECTION,
        "Old quotes",
        {"connector": "X", "deleted": False, "scope": {}, "config": {}},
        ids={"id": 4},
    )
    desired, live = _states(
        [_price_list("New"), _price_list("Changed", currency="EUR"), _price_list("Back")],
        [
            _price_list("Changed"),
            _price_list("Back", deleted=True),
            _price_list("Gone"),
            quote,
        ],
        **settings,
    )
    plan = build_plan(desired, live).plan
    got = [(c.address, c.action) for c in plan.changes]
    assert got == [
        ("PriceList/Back", Action.RESTORE),
        ("PriceList/Changed", Action.REPLACE),
        ("PriceList/New", Action.CREATE),
        ("PriceList/Gone", Action.DELETE),  # price lists depend on quote connections:
        ("QuoteConnection/Old quotes", Action.DELETE),  # deleted first, then what they need
    ]
    assert plan.guard.needs_allow_deletes  # deletions need --allow-deletes


def test_mass_updates_are_guarded_only_above_the_minimum_count() -> None:
    names = [f"L{i}" for i in range(10)]
    desired, live = _states(
        [_price_list(n, description="new") for n in names],
        [_price_list(n) for n in names],
        max_update_percent=50.0,
        min_existing=10,
    )
    assert build_plan(desired, live).plan.guard.needs_allow_mass_changes
    desired, live = _states(
        [_price_list(n, description="new") for n in names[:9]],
        [_price_list(n) for n in names[:9]],
        max_update_percent=50.0,
        min_existing=10,
    )
    assert not build_plan(desired, live).plan.guard.needs_allow_mass_changes


def test_a_saved_plan_is_stale_when_an_object_it_touches_changed_and_only_then() -> None:
    desired, live = _states(
        [_price_list("A", description="new")], [_price_list("A"), _price_list("B")]
    )
    saved = build_plan(desired, live).plan
    assert stale_objects(saved, build_plan(desired, live).plan) == []
    _, moved_untouched = _states([], [_price_list("A"), _price_list("B", description="x")])
    fresh = build_plan(desired, moved_untouched).plan
    assert "PriceList/B" not in stale_objects(saved, fresh)
    _, moved = _states([], [_price_list("A", description="by hand"), _price_list("B")])
    assert "PriceList/A" in stale_objects(saved, build_plan(desired, moved).plan)


# --- checks against the CRM's catalogs ------------------------------------------------------


def _ctx() -> LiveContext:
    ctx = LiveContext()
    ctx.users = {"ANNA": 2, "CARLA": 4}
    ctx.groups = {"Sales": 1}
    ctx.currencies = {"NOK": 1, "EUR": 4}
    ctx.erp_connectors = {
        "Demo ERP": (
            1,
            {
                "companyNumber": FieldInfo("companyNumber", "Integer", "Mandatory"),
                "useSandbox": FieldInfo("useSandbox", "Checkbox"),
                "note": FieldInfo("note", max_length=5),
            },
        )
    }
    ctx.erp_fields[("Conn", "Customer")] = {
        "customerNo": ErpFieldInfo("customerNo", 1, access="Mandatory"),
        "country": ErpFieldInfo("country", 2, "List"),
    }
    ctx.erp_list_items[("Conn", "Customer/country")] = {"NO": "Norge", "GB": "United Kingdom"}
    ctx.crm_list_of[("Conn", "Customer/country")] = ("contact.country", "country")
    ctx.crm_lists["country"] = {"Norway": 1, "Denmark": 3, "United Kingdom": 4}
    ctx.erp_catalog_read.add("Conn")
    return ctx


def _connection(**spec: Any) -> Resource:
    base: dict[str, Any] = {
        "connector": "Demo ERP",
        "active": True,
        "scope": {"allUsers": False, "users": ["KARLA"], "groups": []},
        "config": {"companyNumber": "one", "useSandbox": "yes", "note": "too long"},
        "actors": {
            "Customer": {
                "enabled": True,
                "crmActor": "Contact",
                "mappings": {
                    "country": {"crmField": "contact.country", "direction": "toCrm"},
                    "custNo": {"crmField": "contact.number1", "direction": "both"},
                },
                "defaults": {"country": {"value": "XX", "askUser": False, "mandatory": False}},
                "fieldOrder": [],
            }
        },
        "listMappings": {"Customer/country": {"UK": "United Kingdom", "NO": "Danmark"}},
        "deleted": False,
    }
    return Resource(Kind.ERP_CONNECTION, "Conn", {**base, **spec})


def test_every_problem_has_the_path_of_its_key_and_a_suggestion() -> None:
    problems = {(p.path, p.message) for p in check_against_crm(_connection(), _ctx())}
    paths = {path for path, _ in problems}
    customer = ("actors", "Customer")
    entry = ("listMappings", Match.of(actor="Customer", erpField="country"), "items")
    assert paths == {
        ("scope", "users", Match.item("KARLA")),
        ("config", "companyNumber"),
        ("config", "useSandbox"),
        ("config", "note"),
        (*customer, "mappings", Match.of(erpField="custNo"), "erpField"),
        (*customer, "defaults", Match.of(erpField="country"), "value"),
        (*customer, "mappings"),  # customerNo is mandatory and not mapped while active
        (*entry, Match.of(erpItem="UK"), "erpItem"),
        (*entry, Match.of(erpItem="NO"), "crmItem"),
    }
    messages = " | ".join(m for _, m in problems)
    assert "did you mean 'CARLA'?" in messages
    assert "did you mean 'customerNo'?" in messages
    assert "has no item 'Danmark'; did you mean 'Denmark'?" in messages


def test_a_new_connection_waits_for_its_catalog_and_a_connector_stays() -> None:
    ctx = _ctx()
    new = Resource(Kind.ERP_CONNECTION, "Other", _connection().spec)
    assert waits_for_creation(new, ctx) and not waits_for_creation(_connection(), ctx)
    assert all(p.path[0] != "actors" for p in check_against_crm(new, ctx))
    live = Resource(Kind.ERP_CONNECTION, "Conn", {**_connection().spec, "connector": "Old"})
    moved = [p for p in check_against_crm(_connection(), ctx, live) if p.path == ("connector",)]
    assert moved and "cannot be changed" in moved[0].message


def test_currencies_and_tombstones() -> None:
    ctx = _ctx()
    [problem] = check_against_crm(_price_list("P", currency="CHF"), ctx)
    assert problem.path == ("currency",) and "has no currency 'CHF'" in problem.message
    assert check_against_crm(_price_list("P", currency="CHF", deleted=True), ctx) == []


def test_plan_notes_the_checks_that_wait_for_apply() -> None:
    from quotesync_gitops.kinds.crm_checks import deferred_checks

    ctx = _ctx()
    new = Resource(Kind.ERP_CONNECTION, "Other", _connection().spec)
    assert "is new" in deferred_checks(new, ctx)[0]
    assert deferred_checks(_connection(), ctx) == []  # its list items are known
    del ctx.erp_list_items[("Conn", "Customer/country")]  # e.g. Customer not enabled yet
    [note] = deferred_checks(_connection(), ctx)
    assert "the list items of Customer/country are known once apply" in note


# --- stored credentials that fail (plan --test-connections) --------------------------------


def _quote(config: dict[str, Any], **ids: Any) -> Resource:
    spec = {"connector": "DemoErpQuote", "erpName": "", "description": "", "config": config}
    return Resource(Kind.QUOTE_CONNECTION, "Q", {**spec, "deleted": False}, ids=ids)


def test_stored_credentials_that_fail_plan_the_secrets_written_again() -> None:
    desired, live = _states(
        [_quote({"apiUser": "demo", "apiPassword": Secret("new-pw")})],
        [_quote({"apiUser": "demo", "apiPassword": UNREADABLE}, id=3)],
    )
    assert build_plan(desired, live).plan.changes == []  # a new secret alone is invisible
    (change,) = build_plan(desired, live, stored_fail={"QuoteConnection/Q"}).plan.changes
    assert change.action is Action.UPDATE and change.live_ids == {"id": 3}
    assert "stored fail the connection test" in change.reason
    assert [(f.path, f.sensitive) for f in change.fields] == [("config.apiPassword", True)]
    assert change.to_dict()["fields"][0]["after"] == "(sensitive)"
    other = build_plan(desired, live, stored_fail={"QuoteConnection/Other"}).plan
    assert other.changes == []


def test_stored_credentials_that_fail_without_a_secret_to_write_are_no_change() -> None:
    desired, live = _states([_quote({"apiUser": "demo"})], [_quote({"apiUser": "demo"}, id=3)])
    assert build_plan(desired, live, stored_fail={"QuoteConnection/Q"}).plan.changes == []
