"""Where each public AutoGen 0.7 module lives in accord.

This table is the single source of truth for two things:

* :mod:`accord.compat.autogen`, which makes ``import autogen_core...`` resolve to the accord module;
* the component registry, which resolves AutoGen provider strings (``autogen_ext.models.openai.X``)
  to accord classes without importing anything outside the ``accord`` package.

Keys are AutoGen module paths (public and private: AutoGen 0.7.5's whole tree, as listed in
``accord/compat/_autogen_manifest.json``). A value is either

* one accord module path (a ``str``): the AutoGen path *is* that accord module;
* a tuple of accord module paths: the AutoGen path is a thin compat module whose names are looked up in those
  modules in order, then in the accord modules behind AutoGen's public packages (:data:`PUBLIC_FALLBACK`), where
  the names AutoGen's private modules import from its public API live. Use it where AutoGen groups names
  differently from accord (its private modules).

Adding a module is one entry. An AutoGen module not listed here is not served: importing it raises an error
with the reason given in the manifest's ``excluded`` section.
"""

from __future__ import annotations

__all__ = ["AUTOGEN_MODULES", "PUBLIC_FALLBACK", "accord_module_for", "accord_modules_for"]

AUTOGEN_MODULES: dict[str, str | tuple[str, ...]] = {
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
    # autogen-core's private modules
    "autogen_core._agent": "accord.core._agent",
    "autogen_core._agent_id": "accord.core._agent_id",
    "autogen_core._agent_instantiation": ("accord.core._contexts",),
    "autogen_core._agent_metadata": ("accord.core._agent",),
    "autogen_core._agent_proxy": ("accord.core._agent",),
    "autogen_core._agent_runtime": ("accord.core._runtime_protocol",),
    "autogen_core._agent_type": ("accord.core._agent_id",),
    "autogen_core._base_agent": ("accord.core._base_agent",),
    "autogen_core._cache_store": "accord.core._cache_store",
    "autogen_core._cancellation_token": "accord.core._cancellation_token",
    "autogen_core._closure_agent": ("accord.core._closure_agent", "accord.compat._autogen_core"),
    "autogen_core._component_config": (
        "accord.core._component",
        "accord.core._component_registry",
        "accord.compat._autogen_core",
    ),
    "autogen_core._constants": ("accord.core._constants",),
    "autogen_core._default_subscription": ("accord.core._subscription",),
    "autogen_core._default_topic": ("accord.core._topic",),
    "autogen_core._function_utils": ("accord.compat._autogen_functions",),
    "autogen_core._image": ("accord.core._image", "accord.compat._autogen_core"),
    "autogen_core._intervention": "accord.core._intervention",
    "autogen_core._message_context": "accord.core._message_context",
    "autogen_core._message_handler_context": ("accord.core._contexts",),
    "autogen_core._queue": ("accord.compat._autogen_core",),
    "autogen_core._routed_agent": ("accord.core._routed_agent", "accord.compat._autogen_core"),
    "autogen_core._runtime_impl_helpers": ("accord.core._subscription_manager", "accord.compat._autogen_core"),
    "autogen_core._serialization": ("accord.core._serialization", "accord.compat._autogen_core"),
    "autogen_core._single_threaded_agent_runtime": (
        "accord.core._single_threaded_agent_runtime",
        "accord.compat._autogen_core",
    ),
    "autogen_core._subscription": "accord.core._subscription",
    "autogen_core._subscription_context": ("accord.core._contexts",),
    "autogen_core._telemetry": ("accord.core._telemetry", "accord.compat._autogen_core"),
    "autogen_core._telemetry._constants": ("accord.compat._autogen_core",),
    "autogen_core._telemetry._genai": ("accord.core._telemetry", "accord.compat._autogen_core"),
    "autogen_core._telemetry._propagation": ("accord.compat._autogen_core",),
    "autogen_core._telemetry._tracing": ("accord.core._telemetry", "accord.compat._autogen_core"),
    "autogen_core._telemetry._tracing_config": ("accord.compat._autogen_core",),
    "autogen_core._topic": ("accord.core._topic", "accord.compat._autogen_core"),
    "autogen_core._type_helpers": ("accord.core._type_helpers", "accord.compat._autogen_core"),
    "autogen_core._type_prefix_subscription": ("accord.core._subscription",),
    "autogen_core._type_subscription": ("accord.core._subscription",),
    "autogen_core._types": "accord.core._types",
    "autogen_core.code_executor._base": ("accord.code_executors._base",),
    "autogen_core.code_executor._func_with_reqs": ("accord.code_executors._functions", "accord.compat._autogen_core"),
    "autogen_core.memory._base_memory": ("accord.memory._base",),
    "autogen_core.memory._list_memory": ("accord.memory._list_memory",),
    "autogen_core.model_context._buffered_chat_completion_context": ("accord.model_context._buffered",),
    "autogen_core.model_context._chat_completion_context": ("accord.model_context._base",),
    "autogen_core.model_context._head_and_tail_chat_completion_context": ("accord.model_context._head_and_tail",),
    "autogen_core.model_context._token_limited_chat_completion_context": ("accord.model_context._token_limited",),
    "autogen_core.model_context._unbounded_chat_completion_context": ("accord.model_context._unbounded",),
    "autogen_core.models._model_client": ("accord.models._client", "accord.models._model_info"),
    "autogen_core.models._types": ("accord.models._types",),
    "autogen_core.tool_agent._caller_loop": ("accord.tools.tool_agent._caller_loop",),
    "autogen_core.tool_agent._tool_agent": ("accord.tools.tool_agent._tool_agent",),
    "autogen_core.tools._base": ("accord.tools._base", "accord.tools._schema", "accord.compat._autogen_functions"),
    "autogen_core.tools._function_tool": ("accord.tools._function_tool", "accord.compat._autogen_functions"),
    "autogen_core.tools._static_workbench": ("accord.tools._static_workbench", "accord.compat._autogen_core"),
    "autogen_core.tools._workbench": ("accord.tools._workbench", "accord.tools._result"),
    "autogen_core.utils._json_to_pydantic": ("accord.core.utils._json_schema", "accord.compat._autogen_core"),
    "autogen_core.utils._load_json": ("accord.core.utils._json_extract",),
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
    # autogen-agentchat's private modules
    "autogen_agentchat.agents._assistant_agent": ("accord.agents._assistant_agent", "accord.agents._tool_calls"),
    "autogen_agentchat.agents._base_chat_agent": ("accord.agents._base_chat_agent",),
    "autogen_agentchat.agents._code_executor_agent": ("accord.agents._code_executor_agent",),
    "autogen_agentchat.agents._message_filter_agent": ("accord.agents._message_filter_agent",),
    "autogen_agentchat.agents._society_of_mind_agent": ("accord.agents._society_of_mind_agent",),
    "autogen_agentchat.agents._user_proxy_agent": ("accord.agents._user_proxy_agent",),
    "autogen_agentchat.base._chat_agent": ("accord.base._chat_agent",),
    "autogen_agentchat.base._handoff": ("accord.base._handoff",),
    "autogen_agentchat.base._task": ("accord.base._task",),
    "autogen_agentchat.base._team": ("accord.base._team",),
    "autogen_agentchat.base._termination": ("accord.base._termination",),
    "autogen_agentchat.conditions._terminations": ("accord.conditions._terminations",),
    "autogen_agentchat.state._states": ("accord.state._states",),
    "autogen_agentchat.teams._group_chat": ("accord.teams",),
    "autogen_agentchat.teams._group_chat._base_group_chat": ("accord.teams._base_group_chat", "accord.teams._events"),
    "autogen_agentchat.teams._group_chat._base_group_chat_manager": ("accord.teams._manager", "accord.teams._events"),
    "autogen_agentchat.teams._group_chat._chat_agent_container": ("accord.teams._container", "accord.teams._events"),
    "autogen_agentchat.teams._group_chat._events": ("accord.teams._events", "accord.compat._autogen_agentchat"),
    "autogen_agentchat.teams._group_chat._graph": ("accord.teams._digraph", "accord.teams._graph_flow"),
    "autogen_agentchat.teams._group_chat._graph._digraph_group_chat": (
        "accord.teams._graph_flow",
        "accord.teams._digraph",
        "accord.compat._autogen_agentchat",
    ),
    "autogen_agentchat.teams._group_chat._graph._graph_builder": ("accord.teams._digraph",),
    "autogen_agentchat.teams._group_chat._magentic_one": ("accord.teams._magentic_one",),
    "autogen_agentchat.teams._group_chat._magentic_one._magentic_one_group_chat": ("accord.teams._magentic_one",),
    "autogen_agentchat.teams._group_chat._magentic_one._magentic_one_orchestrator": (
        "accord.teams._magentic_one",
        "accord.teams._manager",
        "accord.teams._events",
        "accord.teams._magentic_one_prompts",
    ),
    "autogen_agentchat.teams._group_chat._magentic_one._prompts": (
        "accord.teams._magentic_one_prompts",
        "accord.compat._autogen_agentchat",
    ),
    "autogen_agentchat.teams._group_chat._round_robin_group_chat": ("accord.teams._round_robin", "accord.teams._manager"),
    "autogen_agentchat.teams._group_chat._selector_group_chat": (
        "accord.teams._selector",
        "accord.teams._manager",
        "accord.compat._autogen_agentchat",
    ),
    "autogen_agentchat.teams._group_chat._sequential_routed_agent": ("accord.teams._sequential",),
    "autogen_agentchat.teams._group_chat._swarm_group_chat": ("accord.teams._swarm", "accord.teams._manager"),
    "autogen_agentchat.tools._agent": ("accord.agents.tools._agent_tool",),
    "autogen_agentchat.tools._task_runner_tool": ("accord.agents.tools._task_runner_tool",),
    "autogen_agentchat.tools._team": ("accord.agents.tools._agent_tool",),
    "autogen_agentchat.ui._console": ("accord.ui._console", "accord.compat._autogen_agentchat"),
    "autogen_agentchat.utils._utils": ("accord.messages._utils", "accord.compat._autogen_agentchat"),
    # autogen-ext
    "autogen_ext.models.openai": "accord.models.openai",
    "autogen_ext.models.anthropic": "accord.models.anthropic",
    "autogen_ext.models.ollama": "accord.models.ollama",
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
    "autogen_ext.teams.magentic_one": "accord.teams.magentic_one",
    "autogen_ext.ui": "accord.ui",
    # autogen-ext's private modules
    "autogen_ext.code_executors._common": ("accord.code_executors._common", "accord.compat._autogen_core"),
    "autogen_ext.code_executors.docker._docker_code_executor": ("accord.code_executors._docker",),
    "autogen_ext.code_executors.jupyter._jupyter_code_executor": ("accord.code_executors._jupyter",),
    "autogen_ext.models.anthropic._anthropic_client": ("accord.models.anthropic._client",),
    "autogen_ext.models.anthropic._model_info": ("accord.models._model_info",),
    "autogen_ext.models.anthropic.config": ("accord.models.anthropic._client",),
    "autogen_ext.models.cache._chat_completion_cache": ("accord.models.cache._cache",),
    "autogen_ext.models.llama_cpp._llama_cpp_completion_client": ("accord.models.llama_cpp._client",),
    "autogen_ext.models.ollama._model_info": ("accord.models.ollama._model_info",),
    "autogen_ext.models.ollama._ollama_client": ("accord.models.ollama._client",),
    "autogen_ext.models.ollama.config": ("accord.models.ollama._client",),
    "autogen_ext.models.openai._message_transform": ("accord.models.openai._transform",),
    "autogen_ext.models.openai._model_info": ("accord.models._model_info",),
    "autogen_ext.models.openai._openai_client": ("accord.models.openai._client", "accord.models.openai._config"),
    "autogen_ext.models.openai._transformation": ("accord.models.openai._transform",),
    "autogen_ext.models.openai._transformation.registry": ("accord.models.openai._transform",),
    "autogen_ext.models.openai._transformation.types": ("accord.models.openai._transform",),
    "autogen_ext.models.openai._utils": ("accord.models.openai._transform",),
    "autogen_ext.models.openai.config": ("accord.models.openai._config",),
    "autogen_ext.models.replay._replay_chat_completion_client": ("accord.models.replay._replay",),
    "autogen_ext.tools.code_execution._code_execution": ("accord.code_executors._tool",),
    "autogen_ext.tools.mcp._actor": ("accord.tools.mcp._actor",),
    "autogen_ext.tools.mcp._base": ("accord.tools.mcp._adapters",),
    "autogen_ext.tools.mcp._config": ("accord.tools.mcp._config",),
    "autogen_ext.tools.mcp._factory": ("accord.tools.mcp._adapters",),
    "autogen_ext.tools.mcp._session": ("accord.tools.mcp._connection",),
    "autogen_ext.tools.mcp._sse": ("accord.tools.mcp._adapters",),
    "autogen_ext.tools.mcp._stdio": ("accord.tools.mcp._adapters",),
    "autogen_ext.tools.mcp._streamable_http": ("accord.tools.mcp._adapters",),
    "autogen_ext.tools.mcp._workbench": ("accord.tools.mcp._workbench",),
    "autogen_ext.ui._rich_console": ("accord.ui._rich_console",),
}


# Where the names AutoGen's private modules import from AutoGen's public API (and its private helpers shared
# across modules) live in accord, per AutoGen package: searched after a tuple entry's own modules and its nearest
# public package. ``accord.compat._autogen_*`` hold AutoGen's small private helpers that accord has no use for.
PUBLIC_FALLBACK: dict[str, tuple[str, ...]] = {
    "autogen_core": (
        "accord.core",
        "accord.core.exceptions",
        "accord.models",
        "accord.tools",
        "accord.model_context",
        "accord.memory",
        "accord.code_executors",
        "accord.core.utils",
        "accord.core.logging",
        "accord.compat._autogen_core",
        "accord.compat._autogen_functions",
    ),
    "autogen_agentchat": (
        "accord.agentchat",
        "accord.base",
        "accord.messages",
        "accord.agents",
        "accord.teams",
        "accord.conditions",
        "accord.state",
        "accord.messages.utils",
        "accord.teams._events",
        "accord.teams._sequential",
        "accord.compat._autogen_agentchat",
    ),
}
PUBLIC_FALLBACK["autogen_agentchat"] = (*PUBLIC_FALLBACK["autogen_agentchat"], *PUBLIC_FALLBACK["autogen_core"])
PUBLIC_FALLBACK["autogen_ext"] = PUBLIC_FALLBACK["autogen_agentchat"]


def accord_modules_for(autogen_module: str) -> tuple[str, ...]:
    """The accord modules that hold ``autogen_module``'s names, in lookup order (empty if accord does not serve it)."""
    target = AUTOGEN_MODULES.get(autogen_module)
    if target is None:
        return ()
    if isinstance(target, str):
        return (target,)
    own = list(target)
    parts = autogen_module.split(".")[:-1]
    while parts:
        parent = AUTOGEN_MODULES.get(".".join(parts))
        if isinstance(parent, str):
            own.append(parent)
            break
        parts.pop()
    own.extend(PUBLIC_FALLBACK[autogen_module.split(".", 1)[0]])
    return tuple(dict.fromkeys(own))


def accord_module_for(autogen_module: str) -> str | None:
    """The accord module that holds most of ``autogen_module``'s names, or None if accord does not serve it."""
    modules = accord_modules_for(autogen_module)
    return modules[0] if modules else None
