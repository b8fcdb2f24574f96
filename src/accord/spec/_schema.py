"""The friendly YAML form of a spec, as pydantic models (their JSON schema is the editor schema).

A spec describes one agent or a team: models, MCP servers, agents, the team and its termination. Strings are
accepted where a short form is obvious: a model is ``"openai:gpt-4.1-mini"``, a termination is ``"TERMINATE"``
(text mention), a handoff is the target agent's name.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "AgentSpec",
    "EdgeSpec",
    "ExecutorSpec",
    "HandoffSpec",
    "McpServerSpec",
    "ModelSpec",
    "SpecDocument",
    "TeamSpec",
    "TerminationSpec",
    "spec_json_schema",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelSpec(_Strict):
    """A model: ``provider:model`` as a string, or this mapping for options."""

    provider: str = Field(description="openai, azure, anthropic, gemini, ollama, local or scripted")
    model: str | None = Field(default=None, description="model name (deployment for azure, file path for local)")
    base_url: str | None = Field(default=None, description="OpenAI-compatible server URL (provider openai)")
    api_key_env: str | None = Field(default=None, description="environment variable that holds the API key")
    temperature: float | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    model_info: dict[str, Any] | None = Field(default=None, description="capabilities of a model accord doesn't know")
    options: dict[str, Any] = Field(default_factory=dict, description="more provider options, passed as they are")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            provider, sep, model = value.partition(":")
            return {"provider": provider.strip(), "model": model.strip() if sep and model.strip() else None}
        return value

    def reference(self) -> str:
        return f"{self.provider}:{self.model}" if self.model else self.provider


class McpServerSpec(_Strict):
    """An MCP server: a command started over stdio, or a URL (streamable HTTP or SSE)."""

    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] | None = None
    cwd: str | None = Field(default=None, description="working directory, relative to the spec file")
    url: str | None = None
    transport: Literal["stdio", "http", "sse"] | None = None
    headers: dict[str, str] | None = None
    timeout: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _command_or_url(self) -> McpServerSpec:
        if (self.command is None) == (self.url is None):
            raise ValueError("give either 'command' (a stdio server) or 'url' (an HTTP server), not both or neither")
        return self


class HandoffSpec(_Strict):
    target: str
    description: str | None = None
    message: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"target": value} if isinstance(value, str) else value


class ExecutorSpec(_Strict):
    """Where a code executor agent runs code: accord's sandboxed local executor or a Jupyter kernel."""

    type: Literal["local", "jupyter"] = "local"
    work_dir: str | None = Field(default=None, description="relative to the spec file; a temporary folder if unset")
    timeout: float = Field(default=60, gt=0)
    files: list[str] = Field(default_factory=list, description="files copied into the work dir before the run")


class AgentSpec(_Strict):
    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="a Python identifier")
    type: Literal["assistant", "user_proxy", "code_executor"] = "assistant"
    description: str | None = None
    model: ModelSpec | None = Field(default=None, description="a model reference or a name from 'models'")
    system_message: str | None = None
    tools: list[str] = Field(default_factory=list, description="trusted functions (accord.tools.register_function)")
    mcp: list[str] = Field(default_factory=list, description="names of servers from 'mcp_servers'")
    handoffs: list[HandoffSpec] = Field(default_factory=list)
    max_tool_iterations: int = Field(default=1, ge=1)
    reflect_on_tool_use: bool | None = None
    stream: bool = Field(default=True, description="stream the model's tokens")
    executor: ExecutorSpec | None = Field(default=None, description="code_executor agents: where code runs")
    sources: list[str] | None = Field(default=None, description="code_executor agents: whose messages hold code")


class TerminationSpec(_Strict):
    """When a team stops. Several keys in one mapping: stop when any of them fires."""

    text: str | None = Field(default=None, description="a message mentions this text")
    max_messages: int | None = Field(default=None, ge=1)
    timeout: float | None = Field(default=None, gt=0, description="seconds")
    handoff: str | None = Field(default=None, description="a handoff to this target")
    source: list[str] | None = Field(default=None, description="any of these agents answered")
    max_tokens: int | None = Field(default=None, ge=1, description="total tokens of model calls")
    function_call: str | None = Field(default=None, description="this function was executed")
    stop_message: bool = False
    any: list[TerminationSpec] | None = None
    all: list[TerminationSpec] | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        return {"text": value} if isinstance(value, str) else value


class EdgeSpec(_Strict):
    source: str = Field(description="agent name")
    target: str = Field(description="agent name")
    condition: str | None = Field(default=None, description="follow the edge only if the message contains this")


class TeamSpec(_Strict):
    type: Literal["round_robin", "selector", "swarm", "graph", "magentic_one"] = "round_robin"
    name: str | None = None
    description: str | None = None
    participants: list[str] | None = Field(default=None, description="agent names, in order (default: all agents)")
    model: ModelSpec | None = Field(default=None, description="selector and magentic_one: the model that orchestrates")
    max_turns: int | None = Field(default=None, ge=1)
    selector_prompt: str | None = None
    allow_repeated_speaker: bool = False
    edges: list[EdgeSpec] | None = Field(default=None, description="graph: the edges between agents")
    entry: str | None = Field(default=None, description="graph: the first agent")
    max_stalls: int | None = Field(default=None, ge=1, description="magentic_one")


class SpecDocument(_Strict):
    """An accord spec (friendly YAML form)."""

    accord: Literal[1] = Field(default=1, description="spec format version")
    name: str | None = None
    description: str | None = None
    task: str | None = Field(default=None, description="the default task of 'accord run'")
    model: ModelSpec | None = Field(default=None, description="the default model of every agent")
    models: dict[str, ModelSpec] = Field(default_factory=dict, description="named models agents refer to")
    mcp_servers: dict[str, McpServerSpec] = Field(default_factory=dict)
    agents: list[AgentSpec] = Field(min_length=1)
    team: TeamSpec | None = None
    termination: TerminationSpec | None = None
    max_turns: int | None = Field(default=None, ge=1, description="default for --max-turns")
    budget_usd: float | None = Field(default=None, gt=0, description="default for --budget-usd")


def spec_json_schema() -> dict[str, Any]:
    """The JSON schema of the friendly form (for editors: yaml-language-server, VS Code)."""
    schema = SpecDocument.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "accord spec"
    # the string short forms accepted by the 'before' validators
    defs = schema.get("$defs", {})
    for name, short in (("ModelSpec", "provider:model"), ("TerminationSpec", "text"), ("HandoffSpec", "target")):
        if name in defs:
            defs[name] = {"anyOf": [{"type": "string", "description": short}, defs[name]]}
    return schema


def dump_json_schema() -> str:
    return json.dumps(spec_json_schema(), indent=2)
