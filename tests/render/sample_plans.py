"""Plans built directly from the dataclasses, shared by the renderer tests."""

from __future__ import annotations

from quotesync_gitops.model import SourceRef
from quotesync_gitops.plan.model import (
    Action,
    Change,
    FieldChange,
    GuardReport,
    Plan,
    TestResult,
    Unmanaged,
)
from quotesync_gitops.secrets import UNREADABLE, Secret

CANARY = "canary-s3cr3t"


def product(
    code: str, action: Action, *fields: FieldChange, parent: str = "Standard", reason: str = ""
) -> Change:
    """A product change named like the planner names them: ``<price list>/<code>``."""
    return Change("Product", f"{parent}/{code}", action, fields=tuple(fields), reason=reason)


def full_plan() -> Plan:
    """Every action, products, unmanaged objects, notes, tests and a blocked guard."""
    price_list = Change(
        "PriceList",
        "Standard",
        Action.UPDATE,
        fields=(FieldChange("description", "Old text", "New text"),),
        source=SourceRef("manifests/pricelists.yaml", 3, 3),
        live_ids={"id": 7},
        children=(
            product("A-100", Action.CREATE, FieldChange("listPrice", None, 12.5)),
            product("A-200", Action.UPDATE, FieldChange("listPrice", 10.0, 12.0)),
            product("A-300", Action.DELETE, reason="not in the price list's manifest"),
        ),
        unchanged_children=1234,
    )
    return Plan(
        changes=[
            Change(
                "ErpConnection",
                "Visma",
                Action.CREATE,
                fields=(FieldChange("description", None, "Visma Business"),),
                source=SourceRef("manifests/erp.yaml", 1, 1),
            ),
            Change(
                "QuoteConnection",
                "Old quotes",
                Action.DELETE,
                reason="tombstone (deleted: true)",
                live_ids={"id": 3},
            ),
            price_list,
            Change(
                "PriceList",
                "EUR prices",
                Action.REPLACE,
                fields=(FieldChange("currency", "EUR", "SEK"),),
                reason="currency cannot change after creation",
            ),
            Change(
                "ErpConnector",
                "Legacy",
                Action.RESTORE,
                fields=(FieldChange("url", "https://old.example", "https://new.example"),),
            ),
            Change(
                "SyncSettings",
                "default",
                Action.REORDER,
                fields=(FieldChange("priority", ["Visma", "SAP"], ["SAP", "Visma"]),),
            ),
        ],
        unmanaged=[
            Unmanaged("QuoteConnection", "Made by hand"),
            Unmanaged("ErpConnection", "Gone", deleted=True),
        ],
        notes=[
            "ErpConnection/Visma: config.password is set in the CRM but cannot be read back",
            "ErpConnection/Visma: config.password is set in the CRM but cannot be read back",
        ],
        tests=[
            TestResult("ErpConnection", "Visma", True),
            TestResult("QuoteConnection", "SAP quotes", False, "Login failed: wrong password"),
        ],
        guard=GuardReport(
            needs_allow_deletes=("QuoteConnection/Old quotes: allowDeletes is false",),
            needs_allow_mass_changes=("Product: 1 of 4 deleted (25% > maxDeletePercent 10%)",),
        ),
        live_fingerprints={"QuoteConnection/Old quotes": "a" * 64},
        manifest_fingerprints={"manifests/erp.yaml": "b" * 64},
        paths=["manifests"],
        target="http://127.0.0.1:8080",
    )


def secret_plan() -> Plan:
    """FieldChanges carrying a Secret and UNREADABLE, top-level, nested and in products."""
    return Plan(
        changes=[
            Change(
                "ErpConnection",
                "Visma",
                Action.UPDATE,
                fields=(
                    FieldChange("config.password", UNREADABLE, Secret(CANARY)),
                    FieldChange("config.token", None, Secret(CANARY)),
                    FieldChange("config", {"apiKey": Secret("x")}, {"apiKey": Secret(CANARY)}),
                    FieldChange("config.user", "alice", "bob"),
                ),
            ),
            Change(
                "QuoteConnection",
                "SAP quotes",
                Action.CREATE,
                fields=(FieldChange("config", None, {"password": Secret(CANARY), "url": "u"}),),
            ),
            Change(
                "PriceList",
                "Standard",
                Action.UPDATE,
                children=(
                    product("S-1", Action.UPDATE, FieldChange("extraField1", "a", Secret(CANARY))),
                ),
            ),
        ],
        notes=["ErpConnection/Visma: config.password cannot be read back from the CRM"],
    )


def big_plan(products: int = 100_000) -> Plan:
    """One price list with ``products`` product changes, plus a few other resources."""
    children = tuple(
        product(
            f"P-{i:06d}",
            Action.UPDATE if i % 10 else Action.CREATE,
            FieldChange("listPrice", float(i), float(i) + 1.5),
            FieldChange("name", f"Product {i}", f"Product {i} (new)"),
            parent="Huge",
        )
        for i in range(products)
    )
    changes = [
        Change("PriceList", "Huge", Action.UPDATE, children=children, unchanged_children=5),
        *(
            Change(
                "ErpConnection",
                f"Conn {i}",
                Action.UPDATE,
                fields=(FieldChange("active", True, False),),
            )
            for i in range(300)
        ),
        Change("QuoteConnection", "Doomed", Action.DELETE),
    ]
    return Plan(changes=changes)
