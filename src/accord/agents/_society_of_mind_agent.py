"""SocietyOfMindAgent: runs an inner team on the new messages and answers with a model summary of its work."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Self

from pydantic import BaseModel

from .._duck import CHAT_COMPLETION_CLIENT, quacks_like
from ..base import Response, TaskResult, Team
from ..core import CancellationToken, Component, ComponentModel
from ..messages import BaseAgentEvent, BaseChatMessage, HandoffMessage, ModelClientStreamingChunkEvent, TextMessage
from ..model_context import ChatCompletionContext, UnboundedChatCompletionContext
from ..models import ChatCompletionClient, LLMMessage, SystemMessage, UserMessage
from ..state import SocietyOfMindAgentState
from ._base_chat_agent import BaseChatAgent, validate_state
from ._errors import AgentArgumentTypeError

__all__ = ["SocietyOfMindAgent", "SocietyOfMindAgentConfig"]


class SocietyOfMindAgentConfig(BaseModel):
    name: str
    team: ComponentModel
    model_client: ComponentModel
    description: str | None = None
    instruction: str | None = None
    response_prompt: str | None = None
    model_context: ComponentModel | None = None


class SocietyOfMindAgent(BaseChatAgent, Component[SocietyOfMindAgentConfig]):
    """An agent backed by a team: the team works on the task, then a model writes one standalone answer.

    The inner team's messages are streamed (``on_messages_stream``/``run_stream``) but not kept in the Response;
    the team is reset after every answer, and earlier exchanges reach it as a HandoffMessage context.
    """

    component_config_schema = SocietyOfMindAgentConfig
    component_provider_override = "autogen_agentchat.agents.SocietyOfMindAgent"

    DEFAULT_INSTRUCTION = (
        "Earlier you were asked to fulfill a request. You and your team worked diligently to address that request. "
        "Here is a transcript of that conversation:"
    )
    DEFAULT_RESPONSE_PROMPT = (
        "Output a standalone response to the original request, without mentioning any of the intermediate discussion."
    )
    DEFAULT_DESCRIPTION = "An agent that uses an inner team of agents to generate responses."

    def __init__(
        self,
        name: str,
        team: Team,
        model_client: ChatCompletionClient,
        *,
        description: str = DEFAULT_DESCRIPTION,
        instruction: str = DEFAULT_INSTRUCTION,
        response_prompt: str = DEFAULT_RESPONSE_PROMPT,
        model_context: ChatCompletionContext | None = None,
    ) -> None:
        super().__init__(name=name, description=description)
        if not isinstance(team, Team):
            raise AgentArgumentTypeError(f"team must be a Team, got {team!r}")
        if not quacks_like(model_client, ChatCompletionClient, CHAT_COMPLETION_CLIENT):
            raise AgentArgumentTypeError(f"model_client must be a ChatCompletionClient, got {model_client!r}")
        self._team = team
        self._model_client = model_client
        self._instruction = instruction
        self._response_prompt = response_prompt
        self._model_context = model_context if model_context is not None else UnboundedChatCompletionContext()

    @property
    def produced_message_types(self) -> Sequence[type[BaseChatMessage]]:
        return (TextMessage,)

    @property
    def model_context(self) -> ChatCompletionContext:
        return self._model_context

    async def on_messages(self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken) -> Response:
        response: Response | None = None
        async for item in self.on_messages_stream(messages, cancellation_token):
            if isinstance(item, Response):
                response = item
        assert response is not None
        return response

    async def on_messages_stream(
        self, messages: Sequence[BaseChatMessage], cancellation_token: CancellationToken
    ) -> AsyncGenerator[BaseAgentEvent | BaseChatMessage | Response, None]:
        task_messages: list[BaseChatMessage] = list(messages)
        previous = await self._model_context.get_messages()
        if previous:
            task_messages.insert(
                0,
                HandoffMessage(content="relevant previous messages", source=self._name, target="", context=previous),
            )
        inner: list[BaseAgentEvent | BaseChatMessage] = []
        result: TaskResult | None = None
        async for item in self._team.run_stream(
            task=task_messages or None, cancellation_token=cancellation_token, output_task_messages=False
        ):
            if isinstance(item, TaskResult):
                result = item
            else:
                yield item
                if not isinstance(item, ModelClientStreamingChunkEvent):
                    inner.append(item)
        assert result is not None
        if not inner:
            yield Response(chat_message=TextMessage(source=self._name, content="No response."), inner_messages=[])
        else:
            system = bool(self._model_client.model_info.get("multiple_system_messages", False))

            def prompt(text: str) -> LLMMessage:
                return SystemMessage(content=text) if system else UserMessage(content=text, source="user")

            llm_messages: list[LLMMessage] = [prompt(self._instruction)]
            llm_messages.extend(m.to_model_message() for m in inner if isinstance(m, BaseChatMessage))
            llm_messages.append(prompt(self._response_prompt))
            completion = await self._model_client.create(messages=llm_messages, cancellation_token=cancellation_token)
            assert isinstance(completion.content, str)
            yield Response(
                chat_message=TextMessage(source=self._name, content=completion.content, models_usage=completion.usage),
                inner_messages=[],
            )
        for msg in messages:
            if isinstance(msg, HandoffMessage):
                for llm_msg in msg.context:
                    await self._model_context.add_message(llm_msg)
            await self._model_context.add_message(msg.to_model_message())
        await self._team.reset()

    async def on_reset(self, cancellation_token: CancellationToken) -> None:
        await self._team.reset()
        await self._model_context.clear()

    async def on_pause(self, cancellation_token: CancellationToken) -> None:
        await self._team.pause()

    async def on_resume(self, cancellation_token: CancellationToken) -> None:
        await self._team.resume()

    async def save_state(self) -> Mapping[str, Any]:
        return SocietyOfMindAgentState(inner_team_state=await self._team.save_state()).model_dump()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        parsed = validate_state(SocietyOfMindAgentState, state, self._name)
        await self._team.load_state(parsed.inner_team_state)

    def _to_config(self) -> SocietyOfMindAgentConfig:
        return SocietyOfMindAgentConfig(
            name=self._name,
            team=self._team.dump_component(),
            model_client=self._model_client.dump_component(),
            description=self._description,
            instruction=self._instruction,
            response_prompt=self._response_prompt,
            model_context=self._model_context.dump_component(),
        )

    @classmethod
    def _from_config(cls, config: SocietyOfMindAgentConfig) -> Self:
        return cls(
            name=config.name,
            team=Team.load_component(config.team),
            model_client=ChatCompletionClient.load_component(config.model_client),
            description=config.description or cls.DEFAULT_DESCRIPTION,
            instruction=config.instruction or cls.DEFAULT_INSTRUCTION,
            response_prompt=config.response_prompt or cls.DEFAULT_RESPONSE_PROMPT,
            model_context=ChatCompletionContext.load_component(config.model_context) if config.model_context else None,
        )
