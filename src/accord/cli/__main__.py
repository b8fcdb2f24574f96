"""``python -m accord.cli``: the same as the ``accord`` command."""

from __future__ import annotations

from . import main

if __name__ == "__main__":  # importing this module (a provider path in a config) runs nothing
    main()
