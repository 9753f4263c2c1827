from __future__ import annotations

from quotesync_gitops.cli.main import main

if __name__ == "__main__":
    main()
