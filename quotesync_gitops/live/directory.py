"""The directory every plan needs: users, groups and currencies (``MDOList/associate``,
``MDOList/usergroup``, ``MDOList/currency``), read into the ``LiveContext``.

The lists are independent, so they are read at once, through the client's bounded
concurrency; one call per list, never one per value.
"""

from __future__ import annotations

from quotesync_gitops.crm.client import CrmClient
from quotesync_gitops.kinds.reading import mdo, named
from quotesync_gitops.model import LiveContext

#: MDO lists every plan needs: users, groups, currencies.
DIRECTORY_LISTS = ("associate", "usergroup", "currency")


def read_directory(client: CrmClient, ctx: LiveContext) -> None:
    """Users, groups and currencies, in one concurrent batch."""
    users, groups, currencies = client.run_bulk([mdo(client, name) for name in DIRECTORY_LISTS])
    ctx.users = named(users)
    ctx.groups = named(groups)
    ctx.currencies = named(currencies)
