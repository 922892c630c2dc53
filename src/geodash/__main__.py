"""``python -m geodash``: same as the ``geodash`` command."""

from .cli import main

raise SystemExit(main())
