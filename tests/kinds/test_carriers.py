"""Each kind's carrier, both ways: canonical → carrier → canonical is the identity for
valid specs, and a carrier never holds a Secret (revealed as the last step)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quotesync_gitops.kinds import (
    erp_connector,
    price_list,
    product_field_settings,
    sale_type_quote_settings,
    sync_settings,
)
from quotesync_gitops.kinds.base import CarrierError
from quotesync_gitops.secrets import Secret

text = st.text(max_size=40)
names = st.text(min_size=1, max_size=30)
dates = st.one_of(st.just(""), st.dates().map(lambda d: d.isoformat()))


def _no_secret(value: Any) -> bool:
    if isinstance(value, Secret):
        return False
    if isinstance(value, dict):
        return all(_no_secret(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_secret(v) for v in value)
    return True


@given(name=names, url=text, deleted=st.booleans(), ident=st.integers(1, 10**6))
def test_erp_connector_round_trip(name: str, url: str, deleted: bool, ident: int) -> None:
    spec: erp_connector.ErpConnectorSpec = {"url": url, "deleted": deleted}
    carrier = erp_connector.to_carrier(spec, name, connector_id=ident)
    assert erp_connector.from_carrier(carrier) == (name, spec, {"id": ident})


def test_erp_connector_reveals_a_secret_url_into_the_carrier_only() -> None:
    carrier = erp_connector.to_carrier(
        {"url": Secret("https://user:pw@erp"), "deleted": False}, "C", connector_id=1
    )
    assert carrier["URL"] == "https://user:pw@erp" and _no_secret(carrier)


price_list_specs = st.fixed_dictionaries(
    {
        "description": text,
        "currency": st.sampled_from(["NOK", "EUR", "SEK", ""]),
        "currencyName": text,
        "validFrom": dates,
        "validTo": dates,
        "active": st.booleans(),
        "erpKey": text,
        "quoteConnection": st.one_of(st.none(), st.sampled_from(["Q1", "Q2"])),
    }
)


@given(spec=price_list_specs, name=names, ident=st.integers(1, 10**6))
def test_price_list_round_trip(spec: dict[str, Any], name: str, ident: int) -> None:
    quote_ids = {"Q1": 11, "Q2": 12}
    quote_id = quote_ids.get(spec["quoteConnection"] or "", 0)
    carrier = price_list.to_carrier(spec, name, price_list_id=ident, quote_connection_id=quote_id)
    assert _no_secret(carrier)
    back_name, back = price_list.from_carrier(carrier, {v: k for k, v in quote_ids.items()})
    assert (back_name, dict(back)) == (name, spec)


line_settings = st.fixed_dictionaries(
    {},
    optional={
        "shown": st.booleans(),
        "label": text,
        "tooltip": text,
        "editable": st.booleans(),
        "mandatory": st.booleans(),
        "order": st.integers(0, 1000),
    },
)


@given(wanted=line_settings)
def test_quote_line_field_round_trip_changes_only_what_is_given(wanted: dict[str, Any]) -> None:
    read = {
        "QuoteLineConfigurationId": 3,
        "FieldName": "Discount",
        "InUse": True,
        "Label": "Discount",
        "Tooltip": "",
        "Editable": False,
        "Mandatory": False,
        "Rank": 4,
        "RestrictEdit": True,
    }
    before = product_field_settings.from_carrier(read)
    carrier = product_field_settings.to_carrier(read, wanted)
    after = product_field_settings.from_carrier(carrier)
    assert {k: after[k] for k in wanted} == wanted  # type: ignore[literal-required]
    assert {k: v for k, v in after.items() if k not in wanted} == {
        k: v for k, v in before.items() if k not in wanted
    }
    assert carrier["RestrictEdit"] is True and carrier["QuoteLineConfigurationId"] == 3


TEMPLATES = {"QuoteLines": {"Lines A": 5, "Lines B": 6}, "ConfirmationLines": {"Conf": 9}}

sale_type_settings = st.fixed_dictionaries(
    {
        "allowQuoteAlternatives": st.booleans(),
        "defaultQuoteValidity": st.integers(0, 365),
        "quoteLinesTemplate": st.sampled_from([None, "Lines A", "Lines B"]),
        "confirmationLinesTemplate": st.sampled_from([None, "Conf"]),
        "maxDiscountPercent": st.one_of(st.none(), st.integers(0, 100)),
        "minEarningPercent": st.one_of(st.none(), st.integers(0, 100)),
        "groupQuoteLinesBy": st.integers(0, 5),
        "sortGroupLinesBy": st.integers(0, 5),
    }
)


@given(settings=sale_type_settings)
def test_sale_type_quote_settings_round_trip_keeps_the_rest_of_the_entity(
    settings: dict[str, Any],
) -> None:
    entity = {"SaleTypeId": 2, "Name": "Standard", "Stages": [{"Id": 1}], "Duration": 30}
    carrier = sale_type_quote_settings.to_carrier(entity, settings, list(settings), TEMPLATES)
    assert sale_type_quote_settings.from_carrier(carrier, TEMPLATES) == settings
    assert {k: carrier[k] for k in entity} == entity


def test_a_template_the_crm_lacks_has_no_carrier() -> None:
    with pytest.raises(CarrierError, match="no QuoteLines document template 'Nope'"):
        sale_type_quote_settings.to_carrier(
            {}, {"quoteLinesTemplate": "Nope"}, ["quoteLinesTemplate"], TEMPLATES
        )


intervals = st.one_of(
    st.none(),
    st.builds(
        "{:02d}:{:02d}:{:02d}".format, st.integers(0, 99), st.integers(0, 59), st.integers(0, 59)
    ),
)


@given(
    priority=st.lists(names, unique=True, max_size=6),
    automatic=st.booleans(),
    interval=intervals,
    retired=st.lists(names, max_size=3),
    data=st.data(),
)
def test_sync_settings_round_trip(
    priority: list[str],
    automatic: bool,
    interval: str | None,
    retired: list[str],
    data: st.DataObject,
) -> None:
    spec: sync_settings.SyncSettingsSpec = {
        "priority": priority,
        "automaticSync": automatic,
        "interval": interval,
        "deleted": False,
    }
    ids = {name: 100 + index for index, name in enumerate(priority)}
    carrier = sync_settings.to_carrier(spec, ids)
    assert carrier == {
        "Priorities": list(ids.values()),
        "IsRunning": automatic,
        "Interval": interval,
    }
    # The CRM lists its connections in priority order, soft-deleted ones anywhere among them.
    by_id = {ident: name for name, ident in ids.items()}
    rows: list[dict[str, Any]] = [
        {"ErpConnectionId": ident, "DisplayName": by_id[ident], "Deleted": False}
        for ident in carrier["Priorities"]
    ]
    for offset, name in enumerate(retired):
        at = data.draw(st.integers(0, len(rows)))
        rows.insert(at, {"ErpConnectionId": 900 + offset, "DisplayName": name, "Deleted": True})
    engine = {"IsRunning": carrier["IsRunning"], "Interval": carrier["Interval"]}
    assert sync_settings.from_carrier(rows, engine) == (spec, {"connectionIds": ids})


def test_sync_settings_read_the_engines_timespan_as_hours() -> None:
    engine = {"IsRunning": True, "Interval": "1.02:30:00.5000000"}
    spec, ids = sync_settings.from_carrier([], engine)
    assert spec == {"priority": [], "automaticSync": True, "interval": "26:30:00", "deleted": False}
    assert ids == {"connectionIds": {}}
    assert sync_settings.from_carrier([], {})[0]["automaticSync"] is False
