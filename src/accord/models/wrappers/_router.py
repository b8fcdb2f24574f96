"""Routing: pick a model per request by a policy (default: small model for short prompts without tools)."""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Self

from pydantic import BaseModel

from ..._errors import UsageError
from ...core import CancellationToken, Component, ComponentModel
from .._call import ModelCall
from .._client import ChatCompletionClient, ToolChoice
from .._tool_schema import ToolInput
from .._types import CreateResult, LLMMessage, RequestUsage
from ._base import WrappingChatCompletionClient

__all__ = [
    "RouteRequest",
    "RouterChatCompletionClient",
    "RouterChatCompletionClientConfig",
    "SimpleComplexPolicy",
]

logger = logging.getLogger("accord.models")


@dataclass(frozen=True)
class RouteRequest:
    """What a routing policy sees of a request."""

    messages: Sequence[LLMMessage]
    tools: Sequence[ToolInput]
    json_output: bool | type[BaseModel] | None
    prompt_tokens: int


class SimpleComplexPolicy:
    """The guide's rule: the ``small`` route for short prompts without tools or structured output, else ``large``.

    "Short" means at most ``max_prompt_tokens`` tokens (counted by the small model's client).
    """

    def __init__(self, *, small: str = "small", large: str = "large", max_prompt_tokens: int = 1000) -> None:
        self.small = small
        self.large = large
        self.max_prompt_tokens = max_prompt_tokens

    def __call__(self, request: RouteRequest) -> str:
        structured = isinstance(request.json_output, type)
        if request.tools or structured or request.prompt_tokens > self.max_prompt_tokens:
            return self.large
        return self.small


class RouterChatCompletionClientConfig(BaseModel):
    routes: dict[str, ComponentModel]
    small: str = "small"
    large: str = "large"
    max_prompt_tokens: int = 1000


class RouterChatCompletionClient(WrappingChatCompletionClient, Component[RouterChatCompletionClientConfig]):
    """Sends each request to one of several clients, chosen by ``policy(RouteRequest) -> route name``.

    The default policy is :class:`SimpleComplexPolicy` over the routes ``"small"`` and ``"large"``. ``model_info``
    and token counting are the large route's (the one that must handle tools). ``last_route`` and ``route_counts``
    say where requests went. Only the default policy is serializable.
    """

    component_provider_override = "accord.models.wrappers.RouterChatCompletionClient"
    component_config_schema = RouterChatCompletionClientConfig

    def __init__(
        self,
        routes: Mapping[str, ChatCompletionClient],
        *,
        policy: Callable[[RouteRequest], str] | None = None,
        small: str = "small",
        large: str = "large",
        max_prompt_tokens: int = 1000,
    ) -> None:
        if not routes:
            raise UsageError("RouterChatCompletionClient needs at least one route")
        self.routes = dict(routes)
        self._custom_policy = policy is not None
        self._default_policy = SimpleComplexPolicy(small=small, large=large, max_prompt_tokens=max_prompt_tokens)
        if policy is None:
            for name in (small, large):
                if name not in self.routes:
                    raise UsageError(f"The default routing policy needs a route named {name!r}; routes: {list(routes)}")
        self._policy: Callable[[RouteRequest], str] = policy or self._default_policy
        main = self.routes.get(large) or next(iter(self.routes.values()))
        super().__init__(main)
        self.last_route: str | None = None
        self.route_counts: dict[str, int] = dict.fromkeys(self.routes, 0)

    def choose(
        self,
        messages: Sequence[LLMMessage],
        tools: Sequence[ToolInput] = (),
        json_output: bool | type[BaseModel] | None = None,
    ) -> str:
        """The route name the policy picks for this request."""
        counter = self.routes.get(self._default_policy.small, self.inner)
        request = RouteRequest(messages, tools, json_output, counter.count_tokens(messages))
        route = self._policy(request)
        if route not in self.routes:
            raise UsageError(f"Routing policy chose {route!r}, which is not a route: {list(self.routes)}")
        self.last_route = route
        self.route_counts[route] += 1
        return route

    async def create(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> CreateResult:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        client = self.routes[self.choose(messages, tools, json_output)]
        return await call.create(client)

    async def create_stream(
        self,
        messages: Sequence[LLMMessage],
        *,
        tools: Sequence[ToolInput] = [],
        tool_choice: ToolChoice = "auto",
        json_output: bool | type[BaseModel] | None = None,
        extra_create_args: Mapping[str, Any] = {},
        cancellation_token: CancellationToken | None = None,
    ) -> AsyncGenerator[str | CreateResult, None]:
        call = ModelCall(messages, tools, tool_choice, json_output, extra_create_args, cancellation_token)
        client = self.routes[self.choose(messages, tools, json_output)]
        async for item in call.stream(client):
            yield item

    def actual_usage(self) -> RequestUsage:
        if self.last_route is None:
            return RequestUsage(0, 0)
        return self.routes[self.last_route].actual_usage()

    def total_usage(self) -> RequestUsage:
        usages = [c.total_usage() for c in self.routes.values()]
        return RequestUsage(sum(u.prompt_tokens for u in usages), sum(u.completion_tokens for u in usages))

    async def close(self) -> None:
        for client in self.routes.values():
            await client.close()

    def _to_config(self) -> RouterChatCompletionClientConfig:
        if self._custom_policy:
            raise TypeError("A router with a custom policy callable cannot be serialized")
        p = self._default_policy
        return RouterChatCompletionClientConfig(
            routes={name: c.dump_component() for name, c in self.routes.items()},
            small=p.small,
            large=p.large,
            max_prompt_tokens=p.max_prompt_tokens,
        )

    @classmethod
    def _from_config(cls, config: RouterChatCompletionClientConfig) -> Self:
        return cls(
            {name: ChatCompletionClient.load_component(c) for name, c in config.routes.items()},
            small=config.small,
            large=config.large,
            max_prompt_tokens=config.max_prompt_tokens,
        )
