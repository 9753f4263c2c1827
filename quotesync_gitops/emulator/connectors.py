"""The demo connectors the emulator "runs": their config fields, ERP actors, ERP lists and tests.

Real connectors are web services the CRM calls. The emulator knows two ERP sync connectors by URL
and two quote connectors by name; a registered URL it does not know behaves as an unreachable
connector. Valid test credentials are documented in docs/emulator.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quotesync_gitops.emulator.rights import with_rights

DEMO_ERP_URL = "https://connectors.example.com/demo-erp"
DEMO_ACCOUNTING_URL = "https://connectors.example.com/demo-accounting"


@dataclass(frozen=True)
class TestResult:
    """What a connection test answers."""

    ok: bool
    explanation: str = ""
    tech: str = ""


PASSED = TestResult(True, "The connection test succeeded.", "")


@dataclass(frozen=True)
class ConfigField:
    """A connector's configuration field (the ``FieldMetadata`` carrier)."""

    key: str
    field_type: str
    access: str
    rank: int
    display_name: str
    description: str = ""
    default: str = ""
    list_name: str = ""
    max_length: int = 1023

    def metadata(self) -> dict[str, Any]:
        return with_rights(
            {
                "FieldKey": self.key,
                "Rank": self.rank,
                "DisplayName": self.display_name,
                "DisplayDescription": self.description,
                "FieldType": self.field_type,
                "ListName": self.list_name,
                "DefaultValue": self.default,
                "MaxLength": self.max_length,
                "Access": self.access,
                "ShowInSearch": False,
            }
        )


@dataclass(frozen=True)
class ErpField:
    """A field an ERP actor type offers for mapping; list fields name their ERP list."""

    key: str
    field_type: str = "Text"
    access: str = "Normal"
    list_name: str = ""

    @property
    def display_name(self) -> str:
        words = re.sub(r"(?<!^)([A-Z])", r" \1", self.key).lower()
        return words[0].upper() + words[1:]

    def metadata(self, rank: int) -> dict[str, Any]:
        """As ``FieldMetadata`` (``GetFieldsForNewErpActor``)."""
        return ConfigField(
            self.key,
            self.field_type,
            self.access,
            rank,
            self.display_name,
            list_name=self.list_name,
        ).metadata()


@dataclass(frozen=True)
class ErpConnectorDef:
    """A demo ERP connector: its config fields, actors, lists and connection test."""

    url: str
    config_fields: tuple[ConfigField, ...]
    actors: Mapping[str, tuple[ErpField, ...]]
    lists: Mapping[str, tuple[tuple[str, str], ...]]
    check: Callable[[Mapping[str, str], Mapping[str, str]], TestResult]
    #: What the ERP system behind it accepts until it is rotated (``erp_side.py``).
    credentials: Mapping[str, str] = field(default_factory=dict)

    def test(
        self, config: Mapping[str, str], rotated: Mapping[str, str] | None = None
    ) -> TestResult:
        """The connector's test of ``config``, against the ERP's credentials (``rotated``: what
        the ERP side accepts now instead of the documented ones)."""
        missing = _missing_mandatory(self.config_fields, config)
        accepted = {**self.credentials, **(rotated or {})}
        return missing if missing is not None else self.check(config, accepted)


@dataclass(frozen=True)
class QuoteConnectorDef:
    """A demo quote connector: its config fields and connection test."""

    name: str
    display_name: str
    description: str
    config_fields: tuple[ConfigField, ...]
    check: Callable[[Mapping[str, str], Mapping[str, str]], TestResult] = field(
        default=lambda _config, _accepted: PASSED
    )
    credentials: Mapping[str, str] = field(default_factory=dict)

    def test(
        self, config: Mapping[str, str], rotated: Mapping[str, str] | None = None
    ) -> TestResult:
        """As ``ErpConnectorDef.test``."""
        missing = _missing_mandatory(self.config_fields, config)
        accepted = {**self.credentials, **(rotated or {})}
        return missing if missing is not None else self.check(config, accepted)


def _missing_mandatory(
    fields: tuple[ConfigField, ...], config: Mapping[str, str]
) -> TestResult | None:
    for f in sorted(fields, key=lambda f: f.rank):
        if f.access == "Mandatory" and not config.get(f.key, "").strip():
            return TestResult(
                False,
                f"Mandatory field '{f.key}' is empty.",
                f"Configuration field '{f.key}' ({f.display_name}) must have a value.",
            )
    return None


def _https(key: str, config: Mapping[str, str]) -> TestResult | None:
    if not config.get(key, "").startswith("https://"):
        return TestResult(
            False,
            f"The address in '{key}' must start with https://.",
            f"'{key}' is not an https URL; the connector refuses unencrypted endpoints.",
        )
    return None


_REJECTED_LOGIN = TestResult(
    False,
    "The user name or password was not accepted by the ERP system.",
    "HTTP 401 from the ERP login endpoint.",
)


def _accepts(config: Mapping[str, str], accepted: Mapping[str, str]) -> bool:
    """Every credential the ERP checks has the value it accepts."""
    return all(config.get(key) == value for key, value in accepted.items())


def _check_demo_erp(config: Mapping[str, str], accepted: Mapping[str, str]) -> TestResult:
    failure = _https("endpointUrl", config)
    if failure is not None:
        return failure
    if not re.fullmatch(r"[+-]?\d+", config.get("companyNumber", "").strip()):
        return TestResult(
            False,
            "The company number must be a whole number.",
            f"companyNumber {config.get('companyNumber', '')!r} is not an integer.",
        )
    if not _accepts(config, accepted):
        return _REJECTED_LOGIN
    return PASSED


def _check_demo_accounting(config: Mapping[str, str], accepted: Mapping[str, str]) -> TestResult:
    failure = _https("apiUrl", config)
    if failure is not None:
        return failure
    if not _accepts(config, accepted):
        return TestResult(
            False,
            "The API key was not accepted by the accounting system.",
            "HTTP 403 from the accounting API.",
        )
    return PASSED


def _check_demo_erp_quote(config: Mapping[str, str], accepted: Mapping[str, str]) -> TestResult:
    failure = _https("baseUrl", config)
    if failure is not None:
        return failure
    if not _accepts(config, accepted):
        return _REJECTED_LOGIN
    return PASSED


_COUNTRIES = (
    ("NO", "Norge"),
    ("SE", "Sverige"),
    ("DK", "Danmark"),
    ("GB", "United Kingdom"),
    ("DE", "Deutschland"),
    ("US", "United States"),
)

DEMO_ERP = ErpConnectorDef(
    url=DEMO_ERP_URL,
    config_fields=(
        ConfigField(
            "endpointUrl",
            "Text",
            "Mandatory",
            1,
            "Endpoint URL",
            "Base address of the ERP API.",
            "https://erp.example.com/api",
        ),
        ConfigField(
            "companyNumber",
            "Integer",
            "Mandatory",
            2,
            "Company number",
            "The ERP company (client) to synchronise.",
        ),
        ConfigField("username", "Text", "Mandatory", 3, "User name", "ERP API user."),
        ConfigField("password", "Password", "Mandatory", 4, "Password", "ERP API password."),
        ConfigField(
            "timeoutSeconds",
            "Integer",
            "Normal",
            5,
            "Timeout (seconds)",
            "How long to wait for the ERP.",
            "30",
        ),
        ConfigField(
            "useSandbox",
            "Checkbox",
            "Normal",
            6,
            "Use sandbox",
            "Talk to the ERP's sandbox company.",
            "false",
        ),
    ),
    actors={
        "Customer": (
            ErpField("customerNo", access="Mandatory"),
            ErpField("name", access="Mandatory"),
            ErpField("orgNo"),
            ErpField("phone"),
            ErpField("email"),
            ErpField("address"),
            ErpField("postcode"),
            ErpField("city"),
            ErpField("country", "List", list_name="countries"),
            ErpField("creditLimit", "Double"),
            ErpField("category", "List", list_name="customerCategories"),
        ),
        "Supplier": (
            ErpField("supplierNo", access="Mandatory"),
            ErpField("name", access="Mandatory"),
            ErpField("phone"),
            ErpField("email"),
            ErpField("country", "List", list_name="countries"),
        ),
        "Person": (
            ErpField("personNo", access="Mandatory"),
            ErpField("firstName"),
            ErpField("lastName"),
            ErpField("email"),
            ErpField("phone"),
        ),
        "Project": (
            ErpField("projectNo", access="Mandatory"),
            ErpField("name"),
            ErpField("startDate", "Date"),
            ErpField("status", "List", list_name="projectStatus"),
        ),
    },
    lists={
        "countries": _COUNTRIES,
        "customerCategories": (("A", "Key account"), ("B", "Regular"), ("C", "Occasional")),
        "projectStatus": (("planned", "Planned"), ("active", "Active"), ("closed", "Closed")),
    },
    check=_check_demo_erp,
    credentials={"username": "demo", "password": "demo-password"},
)

DEMO_ACCOUNTING = ErpConnectorDef(
    url=DEMO_ACCOUNTING_URL,
    config_fields=(
        ConfigField("apiUrl", "Text", "Mandatory", 1, "API URL", "Base address of the API."),
        ConfigField("clientId", "Text", "Mandatory", 2, "Client id", "Accounting client id."),
        ConfigField("apiKey", "Password", "Mandatory", 3, "API key", "Secret API key."),
        ConfigField(
            "region",
            "List",
            "Normal",
            4,
            "Region",
            "Data region: eu or us.",
            "eu",
            list_name="regions",
        ),
    ),
    actors={
        "Customer": (
            ErpField("customerNo", access="Mandatory"),
            ErpField("name", access="Mandatory"),
            ErpField("email"),
            ErpField("country", "List", list_name="countries"),
        ),
        "Supplier": (
            ErpField("supplierNo", access="Mandatory"),
            ErpField("name", access="Mandatory"),
            ErpField("email"),
        ),
    },
    lists={"countries": _COUNTRIES, "regions": (("eu", "Europe"), ("us", "United States"))},
    check=_check_demo_accounting,
    credentials={"apiKey": "demo-api-key"},
)

#: Connector behaviour by registered URL (compared without case and trailing slash).
ERP_CONNECTORS: dict[str, ErpConnectorDef] = {c.url: c for c in (DEMO_ERP, DEMO_ACCOUNTING)}


def erp_connector_for_url(url: str) -> ErpConnectorDef | None:
    return ERP_CONNECTORS.get(url.strip().rstrip("/").lower())


QUOTE_CONNECTORS: dict[str, QuoteConnectorDef] = {
    c.name: c
    for c in (
        QuoteConnectorDef(
            name="DemoErpQuote",
            display_name="Demo ERP quotes",
            description="Prices and products from the demo ERP.",
            config_fields=(
                ConfigField(
                    "baseUrl", "Text", "Mandatory", 1, "Base URL", "Address of the ERP quote API."
                ),
                ConfigField("apiUser", "Text", "Mandatory", 2, "API user", "ERP API user."),
                ConfigField(
                    "apiPassword", "Password", "Mandatory", 3, "API password", "ERP API password."
                ),
                ConfigField(
                    "priceSource",
                    "List",
                    "Normal",
                    4,
                    "Price source",
                    "Where prices come from: erp or crm.",
                    "erp",
                    list_name="priceSources",
                ),
            ),
            check=_check_demo_erp_quote,
            credentials={"apiUser": "demo", "apiPassword": "demo-password"},
        ),
        QuoteConnectorDef(
            name="CrmQuoteConnector",
            display_name="CRM quotes",
            description="Price lists and products kept in the CRM itself.",
            config_fields=(),
        ),
    )
}
