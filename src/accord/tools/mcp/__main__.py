"""Serve an agent or team described by a component spec (JSON/YAML) as an MCP server.

    python -m accord.tools.mcp serve team.json                 # stdio (for MCP clients that spawn servers)
    python -m accord.tools.mcp serve team.json --http --port 8765   # streamable HTTP on 127.0.0.1

Over HTTP the bearer token comes from ``--token`` or ``ACCORD_MCP_TOKEN``, or a fresh one is generated and
printed to stderr. The spec is loaded with ``load_component`` (providers resolve only through accord's
registry; nothing is executed from it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from ._serve import McpTaskServer


def _load_spec(path: Path) -> Any:
    from ..._data import parse_json_text, parse_yaml_text
    from ...core import load_component

    text = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        data = parse_yaml_text(text, source=str(path))
    else:
        data = parse_json_text(text, source=str(path))
    return load_component(data)


async def _serve(args: argparse.Namespace) -> None:
    runner = _load_spec(Path(args.spec))
    server = McpTaskServer(
        runner,
        name=args.name or Path(args.spec).stem,
        output="transcript" if args.transcript else "last",
        reset_after_task=not args.keep_state,
    )
    if not args.http:
        await server.serve_stdio()
        return
    token = args.token or os.environ.get("ACCORD_MCP_TOKEN")
    url = await server.start_http(host=args.host, port=args.port, token=token)
    shown = "" if token else f" token={server.token}"
    print(f"accord MCP server on {url}{shown}", file=sys.stderr, flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m accord.tools.mcp", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve an agent or team spec as an MCP server")
    serve.add_argument("spec", help="component spec of the agent or team (JSON or YAML)")
    serve.add_argument("--http", action="store_true", help="streamable HTTP on loopback instead of stdio")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--token", default=None, help="bearer token (default: $ACCORD_MCP_TOKEN or a fresh one)")
    serve.add_argument("--name", default=None, help="server name (default: the spec's file name)")
    serve.add_argument("--transcript", action="store_true", help="return the whole transcript, not the last message")
    serve.add_argument("--keep-state", action="store_true", help="do not reset the runner between tasks")
    args = parser.parse_args(argv)
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
