"""The team interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from ..core import ComponentBase
from ._task import TaskRunner

__all__ = ["Team"]


class Team(ABC, TaskRunner, ComponentBase[BaseModel]):
    """The interface of teams of agents."""

    component_type = "team"

    @property
    @abstractmethod
    def name(self) -> str:
        """The team's name."""

    @property
    @abstractmethod
    def description(self) -> str:
        """What the team does."""

    @abstractmethod
    async def reset(self) -> None:
        """Return the team and its participants to their initial state."""

    @abstractmethod
    async def pause(self) -> None:
        """Pause the participants (calls their ``on_pause``)."""

    @abstractmethod
    async def resume(self) -> None:
        """Resume the participants (calls their ``on_resume``)."""

    @abstractmethod
    async def save_state(self) -> Mapping[str, Any]:
        """The team's state as JSON-able data."""

    @abstractmethod
    async def load_state(self, state: Mapping[str, Any]) -> None:
        """Restore a state from :meth:`save_state`."""
