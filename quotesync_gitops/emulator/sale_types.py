"""List agent: sale types (``SaleTypeEntity``) and document templates, as ListAgent.swagger2.json.

What matters for quotesync is the quote part of a sale type (alternatives, validity, the
quote-lines and confirmation-lines templates, approval limits, grouping and sorting). Like
SuperOffice, ``SaveSaleTypeEntity`` stores the entity it is given as a whole: a field the
carrier leaves out takes its default, so a client that sends only the quote fields wipes the
rest of the sale type (its stages, duration, guide...). Clients must read, modify and write
the whole entity; the tests hold quotesync to that.

A template named by ``QuoteLinesTemplate`` must be a quote-lines template, and one named by
``ConfirmationLinesTemplate`` a confirmation-lines template (the documents say so); other ids
are refused the agent way (``Message``).
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from quotesync_gitops.emulator.http import (
    AgentMessage,
    Call,
    Handler,
    Response,
    bad_request,
    check_length,
    get_bool,
    get_int,
    get_list,
    get_str,
    ok,
)

TABLES = ("sale_type", "document_template")

SCHEMA: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS sale_type (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, deleted INTEGER NOT NULL,
        carrier TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS document_template (
        id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, tooltip TEXT NOT NULL,
        quote_doc_type TEXT NOT NULL, deleted INTEGER NOT NULL)""",
)

DURATION_UNITS = (
    "Unknown",
    "Second",
    "Minute",
    "Hour",
    "Day",
    "Week",
    "Month",
    "Quarter",
    "HalfYear",
    "Year",
    "Decade",
    "Century",
    "Millenium",
)
QUOTE_DOC_TYPES = (
    "None",
    "MailBody",
    "MainDocument",
    "QuoteLines",
    "ConfirmationMailBody",
    "ConfirmationLines",
)

#: The stored fields of a SaleTypeEntity and their defaults (CreateDefaultSaleTypeEntity).
INT_FIELDS = {
    "Rank": 0,
    "SaleDuration": 0,
    "SaleTypeCatId": 0,
    "DefaultQuoteValidity": 30,
    "QuoteLinesTemplate": 0,
    "ConfirmationLinesTemplate": 0,
    "MaxDiscountPercent": 0,
    "MinEarningPercent": 0,
    "GroupQuoteLinesBy": 0,
    "SortGroupLinesBy": 0,
}
BOOL_FIELDS = {
    "Deleted": False,
    "HasGuide": False,
    "HasStakeholders": False,
    "IsAutoAdvance": False,
    "AllowQuoteAlternatives": False,
    "MaxDiscountPercentSet": False,
    "MinEarningPercentSet": False,
}
STR_FIELDS = {"Name": "", "Tooltip": "", "DurationUnit": "Day"}

#: (name, tooltip, quote document type) of the templates a new tenant has.
SEED_TEMPLATES = (
    ("Quote lines", "Product lines of a quote", "QuoteLines"),
    ("Quote lines (grouped)", "Product lines of a quote, grouped", "QuoteLines"),
    ("Order confirmation lines", "Product lines of an order confirmation", "ConfirmationLines"),
    ("Quote letter", "Main document of a quote", "MainDocument"),
    ("Quote e-mail", "Mail body of a quote", "MailBody"),
    ("Offer letter", "A letter, not a quote document", "None"),
)


#: SelectableMDOListItem's properties (ListAgent.swagger2.json), as a stage is stored.
STAGE_FIELDS = (
    "Id",
    "Name",
    "ToolTip",
    "Deleted",
    "Rank",
    "Type",
    "ColorBlock",
    "IconHint",
    "Selected",
    "LastChanged",
    "ChildItems",
    "ExtraInfo",
    "StyleHint",
    "Hidden",
    "FullName",
)


def _stage(ident: int, name: str, selected: bool) -> dict[str, Any]:
    return {
        "Id": ident,
        "Name": name,
        "ToolTip": "",
        "Deleted": False,
        "Rank": ident,
        "Type": "",
        "ColorBlock": 0,
        "IconHint": "",
        "Selected": selected,
        "LastChanged": "2026-01-01T00:00:00",
        "ChildItems": [],
        "ExtraInfo": "",
        "StyleHint": "",
        "Hidden": False,
        "FullName": name,
    }


def _seed_sale_type(name: str, tooltip: str, rank: int, **quote: Any) -> dict[str, Any]:
    carrier = {**INT_FIELDS, **BOOL_FIELDS, **STR_FIELDS}
    carrier.update(Name=name, Tooltip=tooltip, Rank=rank, SaleDuration=30 * rank)
    carrier["Stages"] = [
        _stage(i, stage, selected=i <= 2 + rank % 3)
        for i, stage in enumerate(("Lead", "Qualified", "Proposal", "Negotiation", "Won"), 1)
    ]
    carrier.update(quote)
    return carrier


SEED_SALE_TYPES = (
    _seed_sale_type("Standard", "Everyday sales", 1),
    _seed_sale_type("Hardware", "Hardware and licences", 2, HasGuide=True, IsAutoAdvance=True),
    _seed_sale_type("Consulting", "Consulting projects", 3, DefaultQuoteValidity=14),
    _seed_sale_type("Subscription", "Recurring services", 4, HasStakeholders=True),
)


def create(db: sqlite3.Connection) -> None:
    """Tables, and the seed of a new tenant when the tables are new (also in an older file)."""
    existed = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sale_type'"
    ).fetchone()
    for statement in SCHEMA:
        db.execute(statement)
    if existed is None:
        db.executemany(
            "INSERT INTO document_template (name, tooltip, quote_doc_type, deleted) "
            "VALUES (?, ?, ?, 0)",
            SEED_TEMPLATES,
        )
        db.executemany(
            "INSERT INTO sale_type (name, deleted, carrier) VALUES (?, 0, ?)",
            [(c["Name"], json.dumps(c)) for c in SEED_SALE_TYPES],
        )


# --- sale types ------------------------------------------------------------------------------


def _entity(row: sqlite3.Row) -> dict[str, Any]:
    carrier: dict[str, Any] = json.loads(row["carrier"])
    carrier["SaleTypeId"] = row["id"]
    carrier["Deleted"] = bool(row["deleted"])
    carrier["FieldProperties"] = {}
    return carrier


def get_all(call: Call) -> Response:
    include_deleted = get_bool(call.request.json_object(), "IncludeDeleted")
    rows = call.db.execute("SELECT * FROM sale_type ORDER BY id")
    return ok([_entity(r) for r in rows if include_deleted or not r["deleted"]])


def _requested_id(call: Call) -> int:
    raw = call.request.param("saleTypeEntityId")
    if raw is None:
        return get_int(call.request.json_object(), "SaleTypeEntityId")
    try:
        return int(raw)
    except ValueError:
        raise bad_request("'saleTypeEntityId' must be an integer.") from None


def get_one(call: Call) -> Response:
    row = call.db.execute("SELECT * FROM sale_type WHERE id = ?", (_requested_id(call),))
    found = row.fetchone()
    return ok(_entity(found) if found is not None else None)


def create_default(call: Call) -> Response:
    return ok({"SaleTypeId": 0, **INT_FIELDS, **BOOL_FIELDS, **STR_FIELDS, "Stages": []})


def _template_type(db: sqlite3.Connection, template_id: int) -> str | None:
    row = db.execute(
        "SELECT quote_doc_type FROM document_template WHERE id = ? AND deleted = 0",
        (template_id,),
    ).fetchone()
    return None if row is None else str(row["quote_doc_type"])


def _check_template(db: sqlite3.Connection, field: str, template_id: int, wanted: str) -> None:
    if template_id == 0:
        return
    found = _template_type(db, template_id)
    if found is None:
        raise AgentMessage(
            f"{field}: there is no document template with id {template_id}.",
            "Read the templates with GetAllDocumentTemplates.",
        )
    if found != wanted:
        raise AgentMessage(
            f"{field}: document template {template_id} is a {found} template, not {wanted}.",
            f"The template must have DocTmplQuoteType={wanted}.",
        )


def _percent(carrier: dict[str, Any], field: str) -> int:
    value = get_int(carrier, field)
    if not 0 <= value <= 100:
        raise AgentMessage(f"{field} must be between 0 and 100, not {value}.")
    return value


def _stored(db: sqlite3.Connection, body: dict[str, Any]) -> dict[str, Any]:
    """The carrier as it will be stored: every field the request leaves out takes its default."""
    stored: dict[str, Any] = {}
    for number, zero in INT_FIELDS.items():
        stored[number] = get_int(body, number, zero)
    for flag, unset in BOOL_FIELDS.items():
        stored[flag] = get_bool(body, flag, unset)
    for text, empty in STR_FIELDS.items():
        stored[text] = get_str(body, text, empty)
    stored["Name"] = stored["Name"].strip()
    if not stored["Name"]:
        raise AgentMessage("A sale type needs a Name.")
    check_length("Name", stored["Name"])
    check_length("Tooltip", stored["Tooltip"])
    if stored["DurationUnit"] not in DURATION_UNITS:
        raise bad_request(f"'DurationUnit' must be one of: {', '.join(DURATION_UNITS)}.")
    if stored["DefaultQuoteValidity"] < 0:
        raise AgentMessage("DefaultQuoteValidity cannot be negative.")
    for field in ("MaxDiscountPercent", "MinEarningPercent"):
        stored[field] = _percent(body, field)
    for field in ("GroupQuoteLinesBy", "SortGroupLinesBy"):
        if stored[field] < 0:
            raise AgentMessage(f"{field} cannot be negative.")
    _check_template(db, "QuoteLinesTemplate", stored["QuoteLinesTemplate"], "QuoteLines")
    _check_template(
        db, "ConfirmationLinesTemplate", stored["ConfirmationLinesTemplate"], "ConfirmationLines"
    )
    stages = get_list(body, "Stages")
    if any(not isinstance(s, dict) for s in stages):
        raise bad_request("'Stages' must be an array of objects.")
    # Stored under the documented names, whatever spelling the client sent (camelCase too).
    stored["Stages"] = [
        {key: stage.get(key) for key in STAGE_FIELDS if stage.get(key) is not None}
        for stage in stages
    ]
    return stored


def save(call: Call) -> Response:
    body = call.request.json_object()
    sale_type_id = get_int(body, "SaleTypeId")
    stored = _stored(call.db, body)
    text = json.dumps(stored)
    if sale_type_id:
        updated = call.db.execute(
            "UPDATE sale_type SET name = ?, deleted = ?, carrier = ? WHERE id = ?",
            (stored["Name"], int(stored["Deleted"]), text, sale_type_id),
        )
        if updated.rowcount == 0:
            raise AgentMessage(f"There is no sale type with id {sale_type_id}.")
    else:
        cursor = call.db.execute(
            "INSERT INTO sale_type (name, deleted, carrier) VALUES (?, ?, ?)",
            (stored["Name"], int(stored["Deleted"]), text),
        )
        sale_type_id = int(cursor.lastrowid or 0)
    row = call.db.execute("SELECT * FROM sale_type WHERE id = ?", (sale_type_id,)).fetchone()
    return ok(_entity(row))


# --- document templates ----------------------------------------------------------------------


def _template(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "DocumentTemplateId": row["id"],
        "Name": row["name"],
        "Tooltip": row["tooltip"],
        "SaveInDb": 1,
        "Filename": f"template-{row['id']}.docx",
        "DefaultOref": "",
        "RecordType": "Document",
        "Deleted": bool(row["deleted"]),
        "Direction": "Outgoing",
        "AutoeventId": 0,
        "IntentId": 0,
        "IsDefaultPublished": False,
        "Rank": row["id"],
        "LoadTemplateFromPlugin": 0,
        "MimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "IsInUseInGuides": False,
        "DocumentTypeKey": 0,
        "QuoteDocType": row["quote_doc_type"],
        "PrivacyDocType": "None",
        "EmailSubject": "",
        "IncludeSignature": False,
        "ShowCurrents": False,
        "SenderEmailMode": "UseDefaultSender",
        "SenderEmailAddress": "",
        "InvitationDocType": "None",
        "FieldProperties": {},
    }


def get_all_templates(call: Call) -> Response:
    include_deleted = get_bool(call.request.json_object(), "IncludeDeleted")
    rows = call.db.execute("SELECT * FROM document_template ORDER BY id")
    return ok([_template(r) for r in rows if include_deleted or not r["deleted"]])


METHODS: dict[str, tuple[Handler, bool]] = {
    "GetAllSaleTypeEntities": (get_all, False),
    "GetSaleTypeEntity": (get_one, False),
    "CreateDefaultSaleTypeEntity": (create_default, False),
    "SaveSaleTypeEntity": (save, True),
    "GetAllDocumentTemplates": (get_all_templates, False),
}
