"""A large tenant: 10 ERP connections with every actor type mapped, plus price lists.

Built on ``scale_data`` (the repository's examples and N generated products in 5 price lists):
the two example ERP connections are joined by ``connections - 2`` more on the Demo ERP
connector, each with all four actor types it offers (Customer, Supplier, Person, Project), 23
mapped fields, defaults and four list mappings. Two variants are written: ``manifests`` (what
the CRM holds) and ``edited`` (the description of every generated connection edited, and 1% of
the products changed), so apply has work at every latency and the original can be applied back.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from scale_data import _run_cli, copy_database, insert_products, write_manifests

#: (ERP actor, CRM actor, [(ERP field, CRM field, direction)], defaults, list mappings)
ACTORS: tuple[tuple[str, str, tuple[tuple[str, str, str], ...]], ...] = (
    (
        "Customer",
        "Contact",
        (
            ("customerNo", "contact.number1", "both"),
            ("name", "contact.name", "both"),
            ("orgNo", "contact.orgnr", "toCrm"),
            ("phone", "contact.phone", "toCrm"),
            ("email", "contact.email", "both"),
            ("address", "contact.address1", "toCrm"),
            ("postcode", "contact.zipcode", "toCrm"),
            ("city", "contact.city", "toCrm"),
            ("country", "contact.country", "toCrm"),
            ("category", "contact.category", "toCrm"),
        ),
    ),
    (
        "Supplier",
        "Contact",
        (
            ("supplierNo", "contact.number2", "both"),
            ("name", "contact.name", "toCrm"),
            ("phone", "contact.phone", "toCrm"),
            ("email", "contact.email", "toCrm"),
            ("country", "contact.country", "toCrm"),
        ),
    ),
    (
        "Person",
        "Person",
        (
            ("personNo", "person.title", "toCrm"),
            ("firstName", "person.firstname", "both"),
            ("lastName", "person.lastname", "both"),
            ("email", "person.email", "toCrm"),
        ),
    ),
    (
        "Project",
        "Project",
        (
            ("projectNo", "project.number", "both"),
            ("name", "project.name", "both"),
            ("startDate", "project.startdate", "toCrm"),
            ("status", "project.status", "toCrm"),
        ),
    ),
)
DEFAULTS = {
    "Customer": (("country", "NO", True), ("category", "B", False), ("city", "Oslo", False)),
    "Supplier": (("country", "SE", True),),
    "Project": (("status", "planned", False),),
}
LIST_MAPPINGS = (
    ("Customer", "country", (("NO", "Norway"), ("SE", "Sweden"), ("DK", "Denmark"))),
    ("Customer", "category", (("A", "Customer"), ("B", "Prospect"), ("C", "Partner"))),
    ("Supplier", "country", (("NO", "Norway"), ("SE", "Sweden"))),
    ("Project", "status", (("planned", "Planning"), ("active", "In progress"))),
)
#: The example manifests already hold two ERP connections.
EXAMPLE_CONNECTIONS = 2


@dataclass(frozen=True)
class Tenant:
    n: int
    connections: int
    mapped_fields: int  # per generated connection
    root: Path
    manifests: Path  # matches the CRM
    edited: Path  # a description per generated connection + 1% of the products changed
    db: Path
    changed_products: int

    def served_copy(self, name: str) -> Path:
        target = self.root / name
        copy_database(self.db, target)
        return target


def connection_yaml(index: int, edited: bool) -> str:
    description = f"Tenant company {index}" + (" (edited)" if edited else "")
    lines = [
        "apiVersion: quotesync.io/v1",
        "kind: ErpConnection",
        "metadata:",
        f"  name: Tenant ERP {index:02d}",
        "spec:",
        "  connector: Demo ERP",
        f"  description: {description}",
        f"  active: {'true' if index % 2 else 'false'}",
        "  scope:",
        "    users: [ANNA]",
        "    groups: [Sales]",
        "  config:",
        "    endpointUrl: https://erp.example.com/api",
        f'    companyNumber: "{index}"',
        "    username: demo",
        "    password: ${env:DEMO_ERP_PASSWORD:-demo-password}",
        "  actors:",
    ]
    for actor, crm_actor, fields in ACTORS:
        lines += [f"    {actor}:", f"      crmActor: {crm_actor}", "      mappings:"]
        lines += [
            f"        - {{erpField: {erp}, crmField: {crm}, direction: {direction}}}"
            for erp, crm, direction in fields
        ]
        defaults = DEFAULTS.get(actor, ())
        if defaults:
            lines.append("      defaults:")
            for erp, value, ask in defaults:
                lines += [f"        - erpField: {erp}", f'          value: "{value}"']
                if ask:
                    lines.append("          askUser: true")
    lines.append("  listMappings:")
    for actor, erp, items in LIST_MAPPINGS:
        lines += [f"    - actor: {actor}", f"      erpField: {erp}", "      items:"]
        lines += [f'        - {{erpItem: "{e}", crmItem: {c}}}' for e, c in items]
    return "\n".join(lines) + "\n"


def add_connections(target: Path, count: int, *, edited: bool) -> None:
    folder = target / "erp" / "tenant"
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(1, count + 1):
        (folder / f"tenant-erp-{index:02d}.yaml").write_text(
            connection_yaml(index, edited), encoding="utf-8"
        )


def build_tenant(root: Path, n: int, price_lists: int, connections: int) -> Tenant:
    """Manifests (as is, and edited) and a CRM holding the first, under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    generated = connections - EXAMPLE_CONNECTIONS
    manifests, edited, skeleton = root / "manifests", root / "edited", root / "skeleton"
    write_manifests(manifests, n, price_lists, changed=False, products=True)
    changes = write_manifests(edited, n, price_lists, changed=True, products=True)
    write_manifests(skeleton, n, price_lists, changed=False, products=False)
    for target in (manifests, skeleton):
        add_connections(target, generated, edited=False)
    add_connections(edited, generated, edited=True)
    db = root / "crm.sqlite"
    _run_cli(["apply", str(skeleton), "--crm", f"local:{db}", "--auto-approve"], root)
    insert_products(db, n, price_lists)
    shutil.rmtree(skeleton)
    mapped = sum(len(fields) for _, _, fields in ACTORS)
    return Tenant(n, connections, mapped, root, manifests, edited, db, changes)
