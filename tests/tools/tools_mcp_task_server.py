"""Serve a small task runner over MCP stdio (for the hosting test). Usage: python tools_mcp_task_server.py"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from accord.tools.mcp import McpTaskServer


@dataclass
class Message:
    source: str
    content: str

    def to_text(self) -> str:
        return self.content


@dataclass
class Result:
    messages: list[Message] = field(default_factory=list)
    stop_reason: str | None = None


class UpperRunner:
    """A stand-in task runner (TaskRunner shape): answers with the task in upper case."""

    description = "Shouts the task back."

    async def run(self, *, task: str | None = None) -> Result:
        text = task or ""
        return Result([Message("user", text), Message("shouter", text.upper())], stop_reason="done")


if __name__ == "__main__":
    asyncio.run(McpTaskServer(UpperRunner(), name="shouter").serve_stdio())
