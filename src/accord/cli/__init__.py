"""The ``accord`` command: ``accord run SPEC``, ``accord validate SPEC``, ``accord models``, ``accord new NAME``.

Needs the ``cli`` extra (typer, rich). ``MeteredChatCompletionClient`` and ``RunMeter`` are the budget and turn
limits ``accord run`` puts around every model client.
"""

from __future__ import annotations

from ._meter import LimitReachedError, MeteredChatCompletionClient, RunMeter

__all__ = ["LimitReachedError", "MeteredChatCompletionClient", "RunMeter", "main"]


def main() -> None:
    """Entry point of the ``accord`` console script."""
    from .._imports import require

    require("typer", extra="cli")
    require("rich", extra="cli")
    from ._app import app

    app()
