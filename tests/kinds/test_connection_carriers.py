"""ERP and quote connections' carriers both ways: header, scope, config, field mappings
and default values. canonical → carrier → canonical is the identity for valid specs."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from quotesync_gitops.kinds import erp_connection, quote_connection
from quotesync_gitops.kinds.connection_parts import PASSWORD_MASK, config_to_carrier
from quotesync_gitops.model import FieldInfo, LiveContext
from quotesync_gitops.secrets import UNREADABLE, Secret

USERS = {"ann": 1, "bob": 2, "cy": 3}
GROUPS = {"Sales": 10, "Support": 11}
CTX = LiveContext(users=USERS, groups=GROUPS)
BY_ID = ({v: k for k, v in USERS.items()}, {v: k for k, v in GROUPS.items()})

text = st.text(max_size=30)
names = st.text(min_size=1, max_size=30)


@st.composite
def scopes(draw: st.DrawFn) -> dict[str, Any]:
    users = sorted(draw(st.sets(st.sampled_from(sorted(USERS)))))
    groups = sorted(draw(st.sets(st.sampled_from(sorted(GROUPS)))))
    if draw(st.booleans()) or not (users or groups):
        return {"allUsers": True, "users": [], "groups": []}
    return {"allUsers": False, "users": users, "groups": groups}


configs = st.dictionaries(st.text(min_size=1, max_size=12), text, max_size=4)
versions = st.one_of(st.none(), st.integers(1, 50))
descriptions = text.filter(lambda d: "secretsVersion" not in d)


def _with_version(spec: dict[str, Any], version: int | None) -> dict[str, Any]:
    return spec if version is None else {**spec, "secretsVersion": version}


@given(
    name=names,
    description=descriptions,
    version=versions,
    scope=scopes(),
    config=configs,
    erp=st.sampled_from([None, "ERP A"]),
    deleted=st.booleans(),
)
def test_quote_connection_round_trip(
    name: str,
    description: str,
    version: int | None,
    scope: dict[str, Any],
    config: dict[str, str],
    erp: str | None,
    deleted: bool,
) -> None:
    spec = _with_version(
        {
            "connector": "Demo Quote",
            "erpName": "demo",
            "erpConnection": erp,
            "description": description,
            "scope": scope,
            "config": config,
        },
        version,
    )
    carrier = quote_connection.to_carrier(
        spec, name, connection_id=4, erp_connection_id=7 if erp else 0, ctx=CTX
    )
    values = config_to_carrier(config, keep_passwords=False)  # SaveConnectionConfigFields
    back_name, back = quote_connection.from_carrier(
        {**carrier, "Deleted": deleted},
        values,
        fields={},
        erp_names={7: "ERP A"},
        users=BY_ID[0],
        groups=BY_ID[1],
    )
    assert (back_name, back) == (name, {**spec, "deleted": deleted})


@given(name=names, description=descriptions, version=versions, scope=scopes(), config=configs)
def test_erp_connection_header_round_trip(
    name: str, description: str, version: int | None, scope: dict[str, Any], config: dict[str, str]
) -> None:
    spec = _with_version({"description": description, "scope": scope, "config": config}, version)
    carrier = erp_connection.to_carrier(
        spec,
        name,
        connection_id=2,
        connector_id=5,
        ctx=CTX,
        config=config_to_carrier(config, keep_passwords=False),
        active=True,
    )
    back_name, back = erp_connection.header_from_carrier(
        carrier,
        carrier["ConfigFields"],
        connector="Demo ERP",
        fields={},
        users=BY_ID[0],
        groups=BY_ID[1],
    )
    assert back_name == name
    assert back == {"connector": "Demo ERP", "active": True, "deleted": False, **spec}


def test_a_password_is_revealed_into_the_carrier_and_reads_back_unreadable() -> None:
    fields = {"password": FieldInfo("password", field_type="Password")}
    sent = config_to_carrier({"password": Secret("pw-123456"), "url": "u"}, keep_passwords=False)
    assert sent == {"password": "pw-123456", "url": "u"}
    kept = config_to_carrier(
        {"password": Secret("pw"), "url": "u"}, keep_passwords=True, password_keys={"password"}
    )
    assert kept["password"] == PASSWORD_MASK
    _, back = erp_connection.header_from_carrier(
        {"DisplayName": "E", "ConfigFields": {}},
        {"password": PASSWORD_MASK, "url": "u"},
        connector="C",
        fields=fields,
        users={},
        groups={},
    )
    assert back["config"] == {"password": UNREADABLE, "url": "u"}


mappings = st.dictionaries(
    st.sampled_from(["no", "name", "city", "zip"]),
    st.fixed_dictionaries(
        {
            "crmField": st.sampled_from(["contact.name", "address.city"]),
            "direction": st.sampled_from(["toCrm", "toErp", "both", "none"]),
            "showInSearch": st.booleans(),
            "showInTab": st.booleans(),
        }
    ),
)


@given(wanted=mappings)
def test_field_mappings_round_trip(wanted: dict[str, Any]) -> None:
    offered = [
        {"ErpFieldId": i, "ErpFieldKey": key, "CrmFieldKey": "x", "SyncToCrm": True}
        for i, key in enumerate(["no", "name", "city", "zip"])
    ]
    carriers = erp_connection.field_mappings(offered, wanted)
    back = {
        fm["ErpFieldKey"]: {
            "crmField": fm["CrmFieldKey"],
            "direction": erp_connection.direction(fm["SyncToCrm"], fm["SyncToErp"]),
            "showInSearch": fm["ShowInSearch"],
            "showInTab": fm["ShowInGui"],
        }
        for fm in carriers
        if fm["CrmFieldKey"]
    }
    assert back == wanted
    assert [fm["ErpFieldId"] for fm in carriers] == [0, 1, 2, 3]  # the CRM's order kept


defaults = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "value": st.one_of(st.none(), st.text(min_size=1, max_size=20)),
            "askUser": st.booleans(),
            "mandatory": st.booleans(),
        }
    ).filter(lambda d: d["value"] is not None or d["askUser"] or d["mandatory"]),
)


@given(wanted=defaults)
def test_default_value_round_trip(wanted: erp_connection.DefaultSpec | None) -> None:
    carrier = erp_connection.default_to_carrier(9, "country", wanted)
    assert carrier["ErpFieldId"] == 9 and carrier["ErpFieldKey"] == "country"
    assert erp_connection.default_from_carrier(carrier) == wanted


def test_a_secret_default_value_is_revealed_into_its_carrier() -> None:
    carrier = erp_connection.default_to_carrier(
        1, "token", {"value": Secret("s3cr3t-value"), "askUser": False, "mandatory": False}
    )
    assert carrier["DefaultValue"] == "s3cr3t-value"
    assert not any(isinstance(v, Secret) for v in carrier.values())


def test_a_description_ending_in_white_space_keeps_it_beside_its_secrets_version() -> None:
    """Found by the round trip: the marker's pattern ate the description's own trailing
    white space, so such a connection differed from its manifest after every apply."""
    spec = {"description": "Production ", "secretsVersion": 2, "scope": {}, "config": {}}
    carrier = quote_connection.to_carrier(spec, "Q", connection_id=1, erp_connection_id=0, ctx=CTX)
    assert carrier["DisplayDescription"] == "Production  [secrets v2]"
    _, back = quote_connection.from_carrier(
        carrier, {}, fields={}, erp_names={}, users={}, groups={}
    )
    assert (back["description"], back["secretsVersion"]) == ("Production ", 2)
