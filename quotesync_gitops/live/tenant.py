"""Everything a tenant offers, for `quotesync catalog` and `schema --from-crm`."""

from __future__ import annotations

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.live.reader import read_live
from quotesync_gitops.model import Kind, LiveContext

#: Reading these kinds fills every catalog (price lists and their products are not needed).
_CATALOG_KINDS = (Kind.ERP_CONNECTION, Kind.QUOTE_CONNECTION, Kind.PRODUCT_FIELD_SETTINGS)


def read_catalog(client: CrmClient) -> LiveContext:
    """The tenant's catalogs: directory lists, connectors and their fields, the ERP catalog
    of every existing connection, the CRM lists they map to, the quote line fields."""
    return read_live(client, kinds=_CATALOG_KINDS).context
