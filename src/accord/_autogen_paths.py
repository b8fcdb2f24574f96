"""Where each public AutoGen 0.7 module lives in accord.

This table is the single source of truth for two things:

* :mod:`accord.compat.autogen`, which makes ``import autogen_core...`` resolve to the accord module;
* the component registry, which resolves AutoGen provider strings (``autogen_ext.models.openai.X``)
  to accord classes without importing anything outside the ``accord`` package.

Keys are AutoGen module paths; values are accord module paths. An AutoGen name not listed here is
not served.
"""

from __future__ import annotations

__all__ = ["AUTOGEN_MODULES", "accord_module_for"]

AUTOGEN_MODULES: dict[str, str] = {
    # autogen-core
    "autogen_core": "accord.core",
    "autogen_core.exceptions": "accord.core.exceptions",
    "autogen_core.logging": "accord.core.logging",
    "autogen_core.utils": "accord.core.utils",
    "autogen_core.models": "accord.models",
    "autogen_core.model_context": "accord.model_context",
    "autogen_core.tools": "accord.tools",
    "autogen_core.tool_agent": "accord.tools.tool_agent",
    "autogen_core.memory": "accord.memory",
    "autogen_core.code_executor": "accord.code_executors",
    # autogen-agentchat
    "autogen_agentchat": "accord.agentchat",
    "autogen_agentchat.base": "accord.base",
    "autogen_agentchat.messages": "accord.messages",
    "autogen_agentchat.agents": "accord.agents",
    "autogen_agentchat.teams": "accord.teams",
    "autogen_agentchat.conditions": "accord.conditions",
    "autogen_agentchat.state": "accord.state",
    "autogen_agentchat.tools": "accord.agents.tools",
    "autogen_agentchat.ui": "accord.ui",
    "autogen_agentchat.utils": "accord.messages.utils",
    # autogen-ext
    "autogen_ext.models.openai": "accord.models.openai",
    "autogen_ext.models.openai.config": "accord.models.openai.config",
    "autogen_ext.models.anthropic": "accord.models.anthropic",
    "autogen_ext.models.anthropic.config": "accord.models.anthropic.config",
    "autogen_ext.models.ollama": "accord.models.ollama",
    "autogen_ext.models.ollama.config": "accord.models.ollama.config",
    "autogen_ext.models.azure": "accord.models.azure",
    "autogen_ext.models.azure.config": "accord.models.azure.config",
    "autogen_ext.agents.openai": "accord.agents.openai",
    "autogen_ext.agents.openai._openai_agent": "accord.agents.openai._openai_agent",
    "autogen_ext.tools.http": "accord.tools.http",
    "autogen_ext.tools.langchain": "accord.tools.langchain",
    "autogen_ext.tools.azure": "accord.tools.azure",
    "autogen_ext.auth.azure": "accord.auth.azure",
    "autogen_ext.models.llama_cpp": "accord.models.llama_cpp",
    "autogen_ext.models.replay": "accord.models.replay",
    "autogen_ext.models.cache": "accord.models.cache",
    "autogen_ext.cache_store.diskcache": "accord.cache_stores.diskcache",
    "autogen_ext.cache_store.redis": "accord.cache_stores.redis",
    "autogen_ext.tools.mcp": "accord.tools.mcp",
    "autogen_ext.tools.code_execution": "accord.code_executors.tool",
    "autogen_ext.code_executors": "accord.code_executors",
    "autogen_ext.code_executors.local": "accord.code_executors.local",
    "autogen_ext.code_executors.jupyter": "accord.code_executors.jupyter",
    "autogen_ext.code_executors.docker": "accord.code_executors.docker",
    "autogen_ext.code_executors.azure": "accord.code_executors.azure",
    "autogen_ext.code_executors.docker_jupyter": "accord.code_executors.docker_jupyter",
    "autogen_ext.teams.magentic_one": "accord.teams.magentic_one",
    "autogen_ext.ui": "accord.ui",
}


def accord_module_for(autogen_module: str) -> str | None:
    """The accord module that serves ``autogen_module``, or None if accord does not serve it."""
    return AUTOGEN_MODULES.get(autogen_module)
