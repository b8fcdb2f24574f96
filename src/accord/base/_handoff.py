"""Handoff: a tool an agent calls to pass the conversation to another agent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, model_validator

if TYPE_CHECKING:
    from ..tools import BaseTool

__all__ = ["Handoff"]


class Handoff(BaseModel):
    """A handoff to ``target``: the agent gets a tool ``name`` that returns ``message``.

    Defaults: ``description`` "Handoff to {target}.", ``name`` "transfer_to_{target}" (lower case), ``message``
    "Transferred to {target}, adopting the role of {target} immediately.".
    """

    target: str
    description: str = ""
    name: str = ""
    message: str = ""

    @model_validator(mode="before")
    @classmethod
    def _set_defaults(cls, values: Any) -> Any:
        if not isinstance(values, dict):
            return values
        values = dict(values)
        target = values.get("target")
        if not isinstance(target, str):
            raise ValueError(f"Handoff target must be a string, got {target!r}")
        if not values.get("description"):
            values["description"] = f"Handoff to {target}."
        name = values.get("name")
        if not name:
            values["name"] = f"transfer_to_{target}".lower()
        elif not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"Handoff name must be a valid identifier: {name!r}")
        if not values.get("message"):
            values["message"] = f"Transferred to {target}, adopting the role of {target} immediately."
        return values

    @property
    def handoff_tool(self) -> BaseTool[BaseModel, BaseModel]:
        """A strict tool without arguments that returns :attr:`message`."""
        from ..tools import FunctionTool

        message = self.message

        def _handoff_tool() -> str:
            return message

        return FunctionTool(_handoff_tool, name=self.name, description=self.description, strict=True)
