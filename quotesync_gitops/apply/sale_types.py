"""Write the quote settings of a sale type: read, modify, write the whole entity.

``SaveSaleTypeEntity`` replaces the stored sale type with the carrier it is given, so the
writer fetches the entity right before it writes, checks that the settings it is about to
change still hold what the plan read (another writer in between stops the run, exit 3), and
sends the fetched entity back with only the planned quote settings changed: stages,
duration, guide and every other field travel back exactly as the CRM gave them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quotesync_gitops.apply.concurrency import conflict
from quotesync_gitops.apply.context import ApplyContext, ResourceFailed, wanted
from quotesync_gitops.live.sale_types import (
    LIMIT_FIELDS,
    PLAIN_FIELDS,
    TEMPLATE_FIELDS,
    quote_settings,
)
from quotesync_gitops.plan.model import Change
from quotesync_gitops.secrets import plain


def with_quote_settings(
    entity: Mapping[str, Any],
    settings: Mapping[str, Any],
    keys: set[str],
    templates: Mapping[str, Mapping[str, int]],
) -> dict[str, Any]:
    """``entity`` with the quote settings in ``keys`` set from ``settings`` (canonical form)."""
    body = dict(entity)
    for key in sorted(keys):
        value = settings[key]
        if key in PLAIN_FIELDS:
            body[PLAIN_FIELDS[key]] = value
        elif key in TEMPLATE_FIELDS:
            field, doc_type = TEMPLATE_FIELDS[key]
            if value is None:
                body[field] = 0
            elif value in templates.get(doc_type, {}):
                body[field] = templates[doc_type][value]
            else:
                raise ResourceFailed(f"the CRM has no {doc_type} document template {value!r}")
        elif key in LIMIT_FIELDS:
            flag, field = LIMIT_FIELDS[key]
            body[flag] = value is not None
            if value is not None:
                body[field] = value
    return body


def write_sale_type_quote_settings(ac: ApplyContext, change: Change) -> None:
    want = wanted(change)
    templates = ac.live.context.quote_templates
    sale_type_id = int(change.live_ids["id"])
    keys = {str(section) for section in change.touched}
    entity = ac.client.list_get_sale_type(sale_type_id)
    if str(entity.get("Name") or "").strip() != change.name or entity.get("Deleted"):
        raise conflict(change, "was renamed or deleted")
    now = quote_settings(entity, templates)
    if any(plain(now.get(f.path)) != plain(f.before) for f in change.fields):
        raise conflict(change, "had its quote settings changed")
    saved = ac.client.list_save_sale_type(with_quote_settings(entity, want.spec, keys, templates))
    after = quote_settings(saved, templates)
    differ = sorted(key for key in keys if after[key] != want.spec[key])
    if differ:
        raise ResourceFailed(f"the CRM saved other values for {', '.join(differ)}")
