"""LangChain tools as accord tools (serves ``autogen_ext.tools.langchain``); needs the ``langchain`` extra."""

from __future__ import annotations

from ._adapter import LangChainToolAdapter

__all__ = ["LangChainToolAdapter"]
