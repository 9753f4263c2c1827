"""quotesync-gitops: SuperOffice Quote/Sync settings as code."""

from __future__ import annotations

__version__ = "0.1.0"
API_VERSION = "quotesync.io/v1"
