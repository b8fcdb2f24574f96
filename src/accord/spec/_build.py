"""The friendly form of a spec, turned into AutoGen component models (the same JSON ``dump_component`` writes).

Everything is then loaded with :func:`accord.core.load_component`, so a spec never reaches a class that the
component registry does not know, and never runs code it carries.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._errors import SpecError
from ._models import PROVIDERS, ResolvedModel, resolve_model
from ._schema import AgentSpec, McpServerSpec, ModelSpec, SpecDocument, TeamSpec, TerminationSpec
from ._source import FieldPath, SpecSource, format_path

__all__ = ["BuiltSpec", "ExecutorFiles", "build_spec", "is_model_component", "validate_document"]

AGENT_PROVIDERS = {
    "assistant": "autogen_agentchat.agents.AssistantAgent",
    "user_proxy": "autogen_agentchat.agents.UserProxyAgent",
    "code_executor": "autogen_agentchat.agents.CodeExecutorAgent",
}
TEAM_PROVIDERS = {
    "round_robin": "autogen_agentchat.teams.RoundRobinGroupChat",
    "selector": "autogen_agentchat.teams.SelectorGroupChat",
    "swarm": "autogen_agentchat.teams.Swarm",
    "graph": "autogen_agentchat.teams.GraphFlow",
    "magentic_one": "autogen_agentchat.teams.MagenticOneGroupChat",
}
EXECUTOR_PROVIDERS = {
    "local": "autogen_ext.code_executors.local.LocalCommandLineCodeExecutor",
    "jupyter": "autogen_ext.code_executors.jupyter.JupyterCodeExecutor",
}
DEFAULT_SYSTEM_MESSAGE = (
    "You are a helpful AI assistant. Solve tasks using your tools. "
    "Reply with TERMINATE when the task has been completed."
)


@dataclass
class ExecutorFiles:
    """Files a code executor needs in its work dir before the run (copied by the runner)."""

    agent: str
    work_dir: Path | None
    files: list[Path]


@dataclass
class BuiltSpec:
    """A spec ready to load: the component model of the agent or team, plus what the runner needs."""

    component: dict[str, Any]
    kind: str  # "agent" or "team"
    task: str | None
    max_turns: int | None
    budget_usd: float | None
    models: list[ResolvedModel] = field(default_factory=list)
    executor_files: list[ExecutorFiles] = field(default_factory=list)
    name: str | None = None
    work_root: Path | None = None
    """The spec's folder: the only place its code executors' folders may be (``allow_work_roots``)."""


def _loc_to_path(data: Any, loc: Sequence[str | int]) -> FieldPath:
    """A pydantic error location mapped onto the spec's data (drops union and validator tags)."""
    out: list[str | int] = []
    current: Any = data
    for i, part in enumerate(loc):
        if isinstance(current, dict) and part in current:
            out.append(part)
            current = current[part]
        elif isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
            out.append(part)
            current = current[part]
        elif i == len(loc) - 1 and isinstance(part, str) and isinstance(current, dict):
            out.append(part)
            current = None
    return tuple(out)


def validate_document(source: SpecSource) -> SpecDocument:
    """Validate the friendly form; the first problem becomes a :class:`SpecError` with file, line and field."""
    try:
        return SpecDocument.model_validate(source.data)
    except ValidationError as e:
        errors = e.errors()
        first = errors[0]
        path = _loc_to_path(source.data, first["loc"])
        message = first["msg"]
        if first["type"] == "extra_forbidden":
            message = f"unknown field {path[-1]!r}" if path else "unknown field"
        elif first["type"] == "string_type" and isinstance(first.get("input"), bool):
            message += " (YAML reads yes/no/on/off/true/false as booleans: put the text in quotes)"
        more = len(errors) - 1
        if more:
            others = "; ".join(
                f"{format_path(_loc_to_path(source.data, err['loc']))}: {err['msg']}" for err in errors[1:4]
            )
            message += f" (and {more} more: {others})"
        raise source.error(message, path) from e


class _Builder:
    def __init__(
        self, source: SpecSource, doc: SpecDocument, model_override: str | None, check_credentials: bool
    ) -> None:
        self.check_credentials = check_credentials
        self.source = source
        self.doc = doc
        self.model_override = model_override
        self.models: list[ResolvedModel] = []
        self.executor_files: list[ExecutorFiles] = []

    # -- models
    def model(self, spec: ModelSpec | None, path: FieldPath, agent: str | None) -> dict[str, Any]:
        from_spec = self.model_override is None  # model files named in the spec must lie in its folder
        if self.model_override is not None:
            spec = ModelSpec.model_validate(self.model_override)
            path = ()
        elif spec is None:
            spec = self.doc.model
            path = ("model",)
        if spec is not None and spec.model is None and spec.provider in self.doc.models:
            path = ("models", spec.provider)
            spec = self.doc.models[spec.provider]
        if spec is None:
            from ._models import default_model_reference

            from_spec = False  # ACCORD_MODEL or the environment's provider: the user's choice
            try:
                spec = ModelSpec.model_validate(default_model_reference())
            except SpecError as e:
                if self.check_credentials:
                    raise self.source.error(e.problem, path, cls=type(e)) from e
                spec = ModelSpec(provider="local")
        try:
            resolved = resolve_model(
                spec,
                base_dir=self.source.base_dir,
                agent=agent,
                check_credentials=self.check_credentials,
                paths_inside=self.source.base_dir if from_spec else None,
            )
        except SpecError as e:
            if self.model_override is not None:
                raise type(e)(f"--model {self.model_override}: {e.problem}") from e
            problem = e.problem
            if spec.model is None and spec.provider not in PROVIDERS:
                named = ", ".join(self.doc.models) or "none are defined"
                problem = f"{spec.provider!r} is neither a provider nor a name from 'models' ({named}). {problem}"
            raise self.source.error(problem, path, cls=type(e)) from e
        self.models.append(resolved)
        return resolved.component

    # -- tools and MCP
    def mcp_workbench(self, name: str, server: McpServerSpec) -> dict[str, Any]:
        if server.command is not None:
            cwd = self.source.base_dir.resolve()
            if server.cwd is not None:
                cwd = self.source.inside(server.cwd, ("mcp_servers", name, "cwd"), what="cwd")
            params: dict[str, Any] = {
                "type": "StdioServerParams",
                "command": server.command,
                "args": list(server.args),
                "cwd": str(cwd),
            }
            if server.env is not None:
                params["env"] = server.env
            if server.timeout is not None:
                params["read_timeout_seconds"] = server.timeout
        else:
            kind = "SseServerParams" if server.transport == "sse" else "StreamableHttpServerParams"
            params = {"type": kind, "url": server.url}
            if server.headers:
                params["headers"] = server.headers
            if server.timeout is not None:
                params["timeout"] = server.timeout
        return {
            "provider": "autogen_ext.tools.mcp.McpWorkbench",
            "component_type": "workbench",
            "label": name,
            "config": {"server_params": params},
        }

    @staticmethod
    def function_tool(name: str) -> dict[str, Any]:
        """A FunctionTool naming a trusted function; its docstring is the description when it is registered."""
        import inspect

        from ..tools import registered_functions

        short = name.rsplit(".", 1)[-1]
        description = ""
        functions = registered_functions()
        fn = functions.get(name)
        if fn is None:
            matches = [f for k, f in functions.items() if k.rsplit(".", 1)[-1] == short]
            fn = matches[0] if len(matches) == 1 else None
        if fn is not None:
            description = (inspect.getdoc(fn) or "").split("\n\n", 1)[0]
        return {
            "provider": "autogen_core.tools.FunctionTool",
            "component_type": "tool",
            "config": {"name": short, "description": description, "function": name, "source_code": ""},
        }

    # -- agents
    def agent(self, index: int, agent: AgentSpec) -> dict[str, Any]:
        path: FieldPath = ("agents", index)
        if agent.type == "assistant":
            return self.assistant(index, agent)
        if agent.type == "user_proxy":
            config: dict[str, Any] = {"name": agent.name, "description": agent.description or "A human user"}
            return {"provider": AGENT_PROVIDERS["user_proxy"], "component_type": "agent", "config": config}
        executor = agent.executor or _default_executor()
        work_dir: Path | None = None
        exec_config: dict[str, Any] = {"timeout": executor.timeout}
        if executor.work_dir is not None:
            work_dir = self.source.inside(executor.work_dir, (*path, "executor", "work_dir"), what="work_dir")
            exec_config["work_dir"] = str(work_dir)
        files: list[Path] = []
        for n, name in enumerate(executor.files):
            file = self.source.inside(name, (*path, "executor", "files", n), what="file")
            if not file.is_file():
                raise self.source.error(
                    f"file {name!r} not found (relative to the spec)", (*path, "executor", "files", n)
                )
            files.append(file)
        if files:
            self.executor_files.append(ExecutorFiles(agent.name, work_dir, files))
        config = {
            "name": agent.name,
            "code_executor": {
                "provider": EXECUTOR_PROVIDERS[executor.type],
                "component_type": "code_executor",
                "config": exec_config,
            },
            "description": agent.description or "A computer terminal that runs the code it receives (sandboxed).",
            "model_client_stream": agent.stream,
        }
        if agent.model is not None:
            config["model_client"] = self.model(agent.model, (*path, "model"), agent.name)
            if agent.system_message is not None:
                config["system_message"] = agent.system_message
        if agent.sources is not None:
            config["sources"] = agent.sources
        return {"provider": AGENT_PROVIDERS["code_executor"], "component_type": "agent", "config": config}

    def assistant(self, index: int, agent: AgentSpec) -> dict[str, Any]:
        path: FieldPath = ("agents", index)
        workbenches: list[dict[str, Any]] = []
        for n, server_name in enumerate(agent.mcp):
            server = self.doc.mcp_servers.get(server_name)
            if server is None:
                known = ", ".join(self.doc.mcp_servers) or "none are defined"
                raise self.source.error(
                    f"unknown MCP server {server_name!r}; mcp_servers defines: {known}", (*path, "mcp", n)
                )
            workbenches.append(self.mcp_workbench(server_name, server))
        tools = [self.function_tool(name) for name in agent.tools]
        if tools and workbenches:
            workbenches.insert(
                0,
                {
                    "provider": "autogen_core.tools.StaticStreamWorkbench",
                    "component_type": "workbench",
                    "config": {"tools": tools},
                },
            )
            tools = []
        handoffs: list[dict[str, Any]] = []
        for handoff in agent.handoffs:
            item: dict[str, Any] = {"target": handoff.target}
            if handoff.description:
                item["description"] = handoff.description
            if handoff.message:
                item["message"] = handoff.message
            handoffs.append(item)
        config: dict[str, Any] = {
            "name": agent.name,
            "model_client": self.model(agent.model, (*path, "model"), agent.name),
            "description": agent.description or "An agent that provides assistance with ability to use tools.",
            "system_message": agent.system_message if agent.system_message is not None else DEFAULT_SYSTEM_MESSAGE,
            "model_client_stream": agent.stream,
            "reflect_on_tool_use": bool(agent.reflect_on_tool_use),
            "tool_call_summary_format": "{result}",
            "max_tool_iterations": agent.max_tool_iterations,
        }
        if tools:
            config["tools"] = tools
        if workbenches:
            config["workbench"] = workbenches
        if handoffs:
            config["handoffs"] = handoffs
        return {
            "provider": AGENT_PROVIDERS["assistant"],
            "component_type": "agent",
            "version": 2,
            "component_version": 2,
            "config": config,
        }

    # -- termination
    def termination(self, spec: TerminationSpec, path: FieldPath) -> dict[str, Any] | None:
        conditions: list[dict[str, Any]] = []

        def cond(name: str, config: dict[str, Any]) -> None:
            conditions.append(
                {
                    "provider": f"autogen_agentchat.conditions.{name}",
                    "component_type": "termination",
                    "config": config,
                }
            )

        if spec.text is not None:
            cond("TextMentionTermination", {"text": spec.text})
        if spec.max_messages is not None:
            cond("MaxMessageTermination", {"max_messages": spec.max_messages, "include_agent_event": False})
        if spec.timeout is not None:
            cond("TimeoutTermination", {"timeout_seconds": spec.timeout})
        if spec.handoff is not None:
            cond("HandoffTermination", {"target": spec.handoff})
        if spec.source is not None:
            cond("SourceMatchTermination", {"sources": spec.source})
        if spec.max_tokens is not None:
            cond("TokenUsageTermination", {"max_total_token": spec.max_tokens})
        if spec.function_call is not None:
            cond("FunctionCallTermination", {"function_name": spec.function_call})
        if spec.stop_message:
            cond("StopMessageTermination", {})
        for key, combinator in (("any", "OrTerminationCondition"), ("all", "AndTerminationCondition")):
            children = getattr(spec, key)
            if children:
                built = [self.termination(child, (*path, key, i)) for i, child in enumerate(children)]
                parts = [b for b in built if b is not None]
                if len(parts) == 1:
                    conditions.append(parts[0])
                elif parts:
                    conditions.append(
                        {
                            "provider": f"autogen_agentchat.base.{combinator}",
                            "component_type": "termination",
                            "config": {"conditions": parts},
                        }
                    )
        if not conditions:
            return None
        if len(conditions) == 1:
            return conditions[0]
        return {
            "provider": "autogen_agentchat.base.OrTerminationCondition",
            "component_type": "termination",
            "config": {"conditions": conditions},
        }

    # -- team
    def team(self, team: TeamSpec, agents: dict[str, dict[str, Any]]) -> dict[str, Any]:
        names = team.participants if team.participants is not None else list(agents)
        for i, name in enumerate(names):
            if name not in agents:
                raise self.source.error(
                    f"unknown agent {name!r}; agents defines: {', '.join(agents)}", ("team", "participants", i)
                )
        config: dict[str, Any] = {"participants": [agents[n] for n in names]}
        if team.name:
            config["name"] = team.name
        if team.description:
            config["description"] = team.description
        if self.doc.termination is not None:
            termination = self.termination(self.doc.termination, ("termination",))
            if termination is not None:
                config["termination_condition"] = termination
        if team.max_turns is not None:
            config["max_turns"] = team.max_turns
        if team.type in ("selector", "magentic_one"):
            config["model_client"] = self.model(team.model, ("team", "model"), "team")
        if team.type == "selector":
            from ..teams._selector import DEFAULT_SELECTOR_PROMPT

            config["selector_prompt"] = team.selector_prompt or DEFAULT_SELECTOR_PROMPT
            config["allow_repeated_speaker"] = team.allow_repeated_speaker
        if team.type == "magentic_one":
            from ..teams._magentic_one_prompts import ORCHESTRATOR_FINAL_ANSWER_PROMPT

            config["max_stalls"] = team.max_stalls if team.max_stalls is not None else 3
            config["final_answer_prompt"] = ORCHESTRATOR_FINAL_ANSWER_PROMPT
        if team.type == "graph":
            config["graph"] = self.graph(team, names)
        elif team.edges is not None:
            raise self.source.error("'edges' only applies to team type 'graph'", ("team", "edges"))
        return {"provider": TEAM_PROVIDERS[team.type], "component_type": "team", "config": config}

    def graph(self, team: TeamSpec, names: list[str]) -> dict[str, Any]:
        edges: list[tuple[str, str, str | None]] = []
        if not team.edges:
            # no edges: a chain in participant order
            edges = [(a, b, None) for a, b in itertools.pairwise(names)]
        else:
            for i, edge in enumerate(team.edges):
                for key in ("source", "target"):
                    if getattr(edge, key) not in names:
                        raise self.source.error(
                            f"unknown agent {getattr(edge, key)!r}; participants: {', '.join(names)}",
                            ("team", "edges", i, key),
                        )
                edges.append((edge.source, edge.target, edge.condition))
        nodes: dict[str, dict[str, Any]] = {n: {"name": n, "edges": [], "activation": "all"} for n in names}
        for source, target, condition in edges:
            nodes[source]["edges"].append(
                {"target": target, "condition": condition, "activation_group": target, "activation_condition": "all"}
            )
        if team.entry is not None and team.entry not in names:
            raise self.source.error(
                f"unknown agent {team.entry!r}; participants: {', '.join(names)}", ("team", "entry")
            )
        return {"nodes": nodes, "default_start_node": team.entry}

    def build(self) -> BuiltSpec:
        agents: dict[str, dict[str, Any]] = {}
        for i, agent in enumerate(self.doc.agents):
            if agent.name in agents:
                raise self.source.error(f"duplicate agent name {agent.name!r}", ("agents", i, "name"))
            agents[agent.name] = self.agent(i, agent)
        used = {s for a in self.doc.agents for s in a.mcp}
        for name in self.doc.mcp_servers:
            if name not in used:
                raise self.source.error(f"MCP server {name!r} is not used by any agent", ("mcp_servers", name))
        if self.doc.team is None and len(agents) == 1:
            if self.doc.termination is not None:
                raise self.source.error(
                    "termination needs a team (a spec with one agent runs it once)", ("termination",)
                )
            component = next(iter(agents.values()))
            kind = "agent"
        else:
            component = self.team(self.doc.team or TeamSpec(), agents)
            kind = "team"
        return BuiltSpec(
            component=component,
            kind=kind,
            task=self.doc.task,
            max_turns=self.doc.max_turns,
            budget_usd=self.doc.budget_usd,
            models=self.models,
            executor_files=self.executor_files,
            name=self.doc.name,
            work_root=self.source.base_dir,
        )


def _default_executor() -> Any:
    from ._schema import ExecutorSpec

    return ExecutorSpec()


def build_spec(source: SpecSource, *, model: str | None = None, check_credentials: bool = True) -> BuiltSpec:
    """Validate ``source`` and build its component model. ``model`` overrides every agent's model.

    ``check_credentials=False`` accepts providers this environment has not configured (``accord validate``).
    """
    data = source.data
    if "provider" in data and "config" in data:
        return _build_component(source, model, check_credentials)
    doc = validate_document(source)
    return _Builder(source, doc, model, check_credentials).build()


def is_model_component(node: Any) -> bool:
    """Whether ``node`` is the component model of a model client (AutoGen also writes component types such as
    ``replay_chat_completion_client`` or ``chat_completion_cache``, so the provider's class decides)."""
    if not isinstance(node, dict) or not isinstance(node.get("provider"), str) or "config" not in node:
        return False
    if node.get("component_type") == "model":
        return True
    from .._errors import ComponentError
    from ..core._component_registry import resolve_provider
    from ..models import ChatCompletionClient

    try:
        cls = resolve_provider(node["provider"])
    except ComponentError:
        return False
    return isinstance(cls, type) and issubclass(cls, ChatCompletionClient)


def _build_component(source: SpecSource, model: str | None, check_credentials: bool) -> BuiltSpec:
    """AutoGen component JSON as it is; ``model`` replaces every model client in it."""
    from ..core import ComponentModel

    try:
        ComponentModel.model_validate(source.data)
    except ValidationError as e:
        err = e.errors()[0]
        raise source.error(err["msg"], _loc_to_path(source.data, err["loc"])) from e
    models: list[ResolvedModel] = []

    def replace(node: Any, path: FieldPath, owner: str | None) -> Any:
        if isinstance(node, dict):
            config = node.get("config")
            if model is not None and is_model_component(node):
                try:
                    resolved = resolve_model(
                        model, base_dir=source.base_dir, agent=owner, check_credentials=check_credentials
                    )
                except SpecError as e:
                    raise type(e)(f"--model {model}: {e.problem}") from e
                models.append(resolved)
                return resolved.component
            name = config.get("name") if isinstance(config, dict) and node.get("component_type") == "agent" else None
            return {k: replace(v, (*path, k), name if isinstance(name, str) else owner) for k, v in node.items()}
        if isinstance(node, list):
            return [replace(v, (*path, i), owner) for i, v in enumerate(node)]
        return node

    component = replace(source.data, (), None)
    kind = str(component.get("component_type") or "agent")
    if kind not in ("agent", "team"):
        raise source.error(
            f"accord run needs an agent or a team, this component is a {kind!r} ({component.get('provider')})",
            ("component_type",),
        )
    return BuiltSpec(
        component=component,
        kind=kind,
        task=None,
        max_turns=None,
        budget_usd=None,
        models=models,
        work_root=source.base_dir,
    )
