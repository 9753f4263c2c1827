"""Everything a tenant offers, for `quotesync catalog` and `schema --from-crm`: the
``LiveContext`` that plan and apply check manifests against.

Where each catalog lives in SuperOffice's API (``superoffice-api/``):

==============================  ==========================================================
users, groups                   ``MDOList/associate``, ``MDOList/usergroup``
currencies                      ``MDOList/currency``
CRM list items                  ``MDOList/{name}``, the list named by a list mapping's
                                ``CrmList`` (``GetConnectionListMappings``)
ERP connectors, config fields   ``GetAllConnectors`` + ``GetConfigurationFields`` (the
                                ``FieldMetadata``: type, access, max length, default)
quote connectors, config fields ``GetAllAvailableQuoteConnections`` + ``GetConfigurationFields``
ERP actor types and fields      ``GetActorTypeMapping`` per connection and actor type (only
                                for a connection that exists)
ERP list items                  ``GetConnectionListMappings`` (``ErpCrmListItemMappings`` of
                                each List-type ERP field of an enabled actor type)
quote line field names          ``GetAllQuoteLineConfigurations``
==============================  ==========================================================

The API has **no** catalog of CRM field keys (``crmField``) and none of the values a
connector's List-type configuration field accepts (``FieldMetadata.ListName`` names a list
no method returns). Apply's first write of a connection's mappings is the judge of CRM
field keys (apply/erp_guard.py); the connector's connection test, which runs before any
configuration is written, is the only judge of List-type values (docs/manifests.md).

The directory is read by ``live/directory.py``; every other catalog by the read of the kind
it belongs to (``KindDef.fetch``/``add``: connectors by ``kinds/erp_connector``, the ERP
catalog by ``kinds/erp_connection/``, quote connectors by ``kinds/quote_connection/``, quote
line fields by ``kinds/product_field_settings``), from the same calls that read the objects.
"""

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
