from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FunctionCall"]


@dataclass
class FunctionCall:
    """A call to a tool requested by a model: ``arguments`` is a JSON string."""

    id: str
    arguments: str
    name: str
