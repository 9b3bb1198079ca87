"""``python -m mkdocs_specplan``: the ``specplan`` command."""

from .cli.main import main

raise SystemExit(main())
