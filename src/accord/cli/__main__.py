"""``python -m accord.cli``: the same as the ``accord`` command."""

from __future__ import annotations

from . import main

main()
