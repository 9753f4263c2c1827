"""Write the quote settings of a sale type: read, modify, write the whole entity.

``SaveSaleTypeEntity`` replaces the stored sale type with the carrier it is given, so the
writer fetches the entity right before it writes, checks that the settings it is about to
change still hold what the plan read (another writer in between stops the run, exit 3), and
sends the fetched entity back with only the planned quote settings changed: stages,
duration, guide and every other field travel back exactly as the CRM gave them.
"""

from __future__ import annotations

from collections.abc import Mapping

from quotesync_gitops.apply.concurrency import conflict
from quotesync_gitops.kinds.base import CarrierError
from quotesync_gitops.kinds.sale_type_quote_settings import from_carrier, to_carrier
from quotesync_gitops.kinds.writing import ApplyContext, ResourceFailed, wanted
from quotesync_gitops.plan.model import Change
from quotesync_gitops.secrets import plain


def write_sale_type_quote_settings(ac: ApplyContext, change: Change) -> None:
    want = wanted(change)
    templates = ac.live.context.quote_templates
    sale_type_id = int(change.live_ids["id"])
    keys = {str(section) for section in change.touched}
    entity = ac.client.list_get_sale_type(sale_type_id)
    if str(entity.get("Name") or "").strip() != change.name or entity.get("Deleted"):
        raise conflict(change, "was renamed or deleted")
    now = from_carrier(entity, templates)
    if any(plain(now.get(f.path)) != plain(f.before) for f in change.fields):
        raise conflict(change, "had its quote settings changed")
    try:
        body = to_carrier(entity, want.spec, keys, templates)
    except CarrierError as exc:
        raise ResourceFailed(str(exc)) from exc
    saved = ac.client.list_save_sale_type(body)
    after: Mapping[str, object] = from_carrier(saved, templates)
    differ = sorted(key for key in keys if after[key] != want.spec[key])
    if differ:
        raise ResourceFailed(f"the CRM saved other values for {', '.join(differ)}")
