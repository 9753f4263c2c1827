"""Rewrite the JSON Schema files from the generator."""

from __future__ import annotations

import sys

from quotesync_gitops.manifest.schemagen import write_all

for path in write_all():
    sys.stdout.write(f"wrote {path}\n")
