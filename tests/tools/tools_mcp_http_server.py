"""A Python MCP server (the SDK's FastMCP) for the tests, served over streamable HTTP on 127.0.0.1.

Usage: python tools_mcp_http_server.py PORT [streamable-http|sse|stdio]
"""

from __future__ import annotations

import sys

from mcp.server.fastmcp import Context, FastMCP
from mcp.types import SamplingMessage, TextContent
from pydantic import BaseModel

server = FastMCP("accord-test-server", host="127.0.0.1", port=int(sys.argv[1]) if len(sys.argv) > 1 else 8000)
counter = {"value": 0}


@server.tool(description="Add two integers.")
def add(a: int, b: int) -> int:
    return a + b


@server.tool(description="Increment a counter kept by the server (stateful).")
def increment() -> int:
    counter["value"] += 1
    return counter["value"]


@server.tool(description="Return n characters.")
def big(n: int) -> str:
    return "y" * n


@server.tool(description="Always fails.")
def broken() -> str:
    raise ValueError("the broken tool broke")


@server.tool(description="Ask the client's model to answer a question (sampling).")
async def ask_model(question: str, ctx: Context) -> str:  # type: ignore[type-arg]
    result = await ctx.session.create_message(
        messages=[SamplingMessage(role="user", content=TextContent(type="text", text=question))],
        max_tokens=50,
        system_prompt="Be brief.",
    )
    content = result.content
    return f"model said: {content.text}" if isinstance(content, TextContent) else "model said nothing"


@server.tool(description="List the client's roots.")
async def client_roots(ctx: Context) -> str:  # type: ignore[type-arg]
    roots = await ctx.session.list_roots()
    return ",".join(str(r.uri) for r in roots.roots)


class Confirm(BaseModel):
    confirmed: bool


@server.tool(description="Ask the user to confirm (elicitation).")
async def confirm(ctx: Context) -> str:  # type: ignore[type-arg]
    answer = await ctx.elicit("Proceed?", Confirm)
    if answer.action == "accept":
        return f"confirmed={answer.data.confirmed}"
    return answer.action


@server.resource("test://greeting", description="A greeting.")
def greeting() -> str:
    return "hello from the resource"


@server.prompt(description="A prompt with an argument.")
def review(code: str) -> str:
    return f"Please review: {code}"


if __name__ == "__main__":
    server.run(transport=sys.argv[2] if len(sys.argv) > 2 else "streamable-http")  # type: ignore[arg-type]
