"""An HTTP endpoint as a tool (serves ``autogen_ext.tools.http``); needs the ``http`` extra (httpx)."""

from __future__ import annotations

from ._http_tool import HttpTool, HttpToolConfig

__all__ = ["HttpTool", "HttpToolConfig"]
