"""The agents a runtime knows: factories by type, registered instances, lazily created agents, and their state."""

from __future__ import annotations

import asyncio
import inspect
import logging
import warnings
from collections.abc import Callable, Mapping
from typing import Any, cast

from .._errors import StateError, UsageError
from ._agent import Agent
from ._agent_id import AGENT_TYPE_PATTERN, AgentId, AgentType, is_valid_agent_type
from ._constants import EVENT_LOGGER_NAME, ROOT_LOGGER_NAME
from ._contexts import AgentInstantiationContext
from .exceptions import RecipientNotFoundError
from .logging import AgentConstructionExceptionEvent

__all__ = ["AgentDirectory"]

event_logger = logging.getLogger(EVENT_LOGGER_NAME)
logger = logging.getLogger(ROOT_LOGGER_NAME)


class AgentDirectory:
    """Owns the agents of one runtime. ``agents`` and ``factories`` are read directly on the hot path."""

    __slots__ = ("_creating", "_expected_classes", "_instance_types", "_legacy_factories", "agents", "factories")

    def __init__(self) -> None:
        self.factories: dict[str, Callable[[], Any]] = {}
        self.agents: dict[AgentId, Agent] = {}
        self._expected_classes: dict[str, type[Any] | None] = {}
        self._legacy_factories: set[str] = set()
        self._instance_types: dict[str, type[Any]] = {}
        self._creating: dict[AgentId, asyncio.Future[Agent]] = {}

    def unknown(self, agent_id: AgentId) -> RecipientNotFoundError:
        known = ", ".join(sorted(self.factories)) or "none"
        return RecipientNotFoundError(
            f"Recipient not found: agent type {agent_id.type!r} is not registered with this runtime "
            f"(registered types: {known})"
        )

    def register_factory(self, name: str, factory: Callable[[], Any], expected_class: type[Any] | None) -> AgentType:
        if not is_valid_agent_type(name):
            raise UsageError(f"Invalid agent type {name!r}: it must match {AGENT_TYPE_PATTERN!r}")
        if name in self.factories:
            raise UsageError(f"Agent with type {name!r} already exists.")
        self.factories[name] = factory
        self._expected_classes[name] = expected_class
        if _takes_two_args(factory):
            warnings.warn(
                "Agent factories that take (runtime, agent_id) are deprecated; take no arguments",
                DeprecationWarning,
                stacklevel=3,
            )
            self._legacy_factories.add(name)
        return AgentType(name)

    async def register_instance(self, agent: Agent, agent_id: AgentId, runtime: Any) -> AgentId:
        if agent_id in self.agents:
            raise UsageError(f"Agent with id {agent_id} already exists.")
        if agent_id.type in self.factories and agent_id.type not in self._instance_types:
            raise UsageError(f"Agent type {agent_id.type!r} is registered with a factory; cannot add instances")
        existing = self._instance_types.get(agent_id.type)
        if existing is not None and existing is not type(agent):
            raise UsageError(
                f"Agent type {agent_id.type!r} already holds instances of {existing.__name__}, "
                f"not {type(agent).__name__}"
            )

        def factory() -> Agent:
            requested = AgentInstantiationContext.current_agent_id()
            raise RecipientNotFoundError(
                f"Agent {requested} not found: type {requested.type!r} only has registered instances, "
                f"and this key is not one of them"
            )

        await agent.bind_id_and_runtime(agent_id, runtime)
        self._instance_types[agent_id.type] = type(agent)
        self.factories.setdefault(agent_id.type, factory)
        self.agents[agent_id] = agent
        return agent_id

    async def get(self, agent_id: AgentId, runtime: Any) -> Agent:
        """The agent with ``agent_id``, created by its type's factory on first use (once, even when raced)."""
        agent = self.agents.get(agent_id)
        if agent is not None:
            return agent
        pending = self._creating.get(agent_id)
        if pending is not None:
            return await asyncio.shield(pending)
        factory = self.factories.get(agent_id.type)
        if factory is None:
            raise self.unknown(agent_id)
        try:
            with AgentInstantiationContext.populate_context((runtime, agent_id)):
                if agent_id.type in self._legacy_factories:
                    result = cast(Any, factory)(runtime, agent_id)
                else:
                    result = factory()
            if inspect.isawaitable(result):
                result = await self._await_creation(agent_id, runtime, result)
            expected = self._expected_classes.get(agent_id.type)
            if expected is not None and not isinstance(result, expected):
                raise UsageError(
                    f"Factory for agent type {agent_id.type!r} created a {type(result).__name__}, "
                    f"expected {expected.__name__}"
                )
            await result.bind_id_and_runtime(agent_id, runtime)
        except BaseException as e:
            if event_logger.isEnabledFor(logging.INFO) and isinstance(e, Exception):
                event_logger.info(AgentConstructionExceptionEvent(agent_id=agent_id, exception=e))
            raise
        self.agents[agent_id] = result
        return cast(Agent, result)

    async def _await_creation(self, agent_id: AgentId, runtime: Any, awaitable: Any) -> Any:
        future: asyncio.Future[Agent] = asyncio.get_running_loop().create_future()
        self._creating[agent_id] = future
        try:
            with AgentInstantiationContext.populate_context((runtime, agent_id)):
                result = await awaitable
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: racing callers re-raise it themselves
            raise
        finally:
            del self._creating[agent_id]
        future.set_result(result)
        return result

    async def save_state(self) -> dict[str, Any]:
        return {str(agent_id): dict(await agent.save_state()) for agent_id, agent in self.agents.items()}

    async def load_state(self, state: Mapping[str, Any], runtime: Any) -> None:
        """Load every agent's state, or none: a malformed state or an agent that rejects its state changes nothing."""
        if not isinstance(state, Mapping):
            raise StateError(
                f"Runtime state must be a mapping of 'type/key' to agent state, got {type(state).__name__}"
            )
        parsed: list[tuple[AgentId, Mapping[str, Any]]] = []
        for key, agent_state in state.items():
            try:
                agent_id = AgentId.from_str(key)
            except (ValueError, TypeError) as e:
                raise StateError(f"Runtime state key {key!r} is not an agent id 'type/key'") from e
            if not isinstance(agent_state, Mapping):
                raise StateError(f"State of agent {key!r} must be a mapping, got {type(agent_state).__name__}")
            if agent_id.type in self.factories:
                parsed.append((agent_id, agent_state))
        snapshots: list[tuple[Agent, Mapping[str, Any]]] = []
        try:
            for agent_id, agent_state in parsed:
                agent = await self.get(agent_id, runtime)
                snapshots.append((agent, await agent.save_state()))
                await agent.load_state(agent_state)
        except Exception as e:
            for agent, old in snapshots:
                try:
                    await agent.load_state(old)
                except Exception:
                    logger.exception("Could not restore the previous state of %s", agent.id)
            raise StateError(f"Could not load runtime state; agents keep their previous state: {e}") from e

    async def close_all(self) -> None:
        for agent in list(self.agents.values()):
            await agent.close()


def _takes_two_args(factory: Callable[..., Any]) -> bool:
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return False
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    required = [p for p in params.values() if p.default is p.empty and p.kind in positional]
    return len(required) == 2
