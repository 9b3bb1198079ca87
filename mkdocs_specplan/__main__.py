"""``python -m mkdocs_specplan``: the ``specplan`` command."""

from .cli import main

raise SystemExit(main())
