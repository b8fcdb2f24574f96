"""AgentChat messages, events, factory, utils, base types and state models."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

import accord.base as base
import accord.messages as messages
import accord.state as state
from accord.core import FunctionCall, Image
from accord.messages import (
    HandoffMessage,
    MessageFactory,
    ModelClientStreamingChunkEvent,
    MultiModalMessage,
    StopMessage,
    StructuredMessage,
    StructuredMessageFactory,
    TextMessage,
    ThoughtEvent,
    ToolCallExecutionEvent,
    ToolCallRequestEvent,
    ToolCallSummaryMessage,
)
from accord.messages.utils import content_to_str, remove_images
from accord.models import FunctionExecutionResult, SystemMessage, UserMessage


class Weather(BaseModel):
    city: str
    degrees: int


def _image() -> Image:
    # a 1x1 PNG
    return Image.from_base64(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC"
    )


def test_public_names_are_pinned() -> None:
    assert set(messages.__all__) >= {
        "TextMessage",
        "MultiModalMessage",
        "StopMessage",
        "HandoffMessage",
        "ToolCallSummaryMessage",
        "StructuredMessage",
        "StructuredMessageFactory",
        "ToolCallRequestEvent",
        "ToolCallExecutionEvent",
        "ModelClientStreamingChunkEvent",
        "ThoughtEvent",
        "UserInputRequestedEvent",
        "MemoryQueryEvent",
        "SelectSpeakerEvent",
        "SelectorEvent",
        "CodeGenerationEvent",
        "CodeExecutionEvent",
        "MessageFactory",
        "ChatMessage",
        "AgentEvent",
        "BaseChatMessage",
        "BaseAgentEvent",
        "BaseTextChatMessage",
    }
    assert set(base.__all__) >= {
        "ChatAgent",
        "Response",
        "Team",
        "TaskResult",
        "TaskRunner",
        "Handoff",
        "TerminationCondition",
        "AndTerminationCondition",
        "OrTerminationCondition",
        "TerminatedException",
    }


def test_text_message_fields_and_model_message() -> None:
    m = TextMessage(content="hello", source="alice")
    assert m.type == "TextMessage"
    assert m.to_text() == m.to_model_text() == "hello"
    assert m.to_model_message() == UserMessage(content="hello", source="alice")
    d = m.dump()
    assert d["type"] == "TextMessage" and isinstance(d["created_at"], str)
    assert TextMessage.load(d) == m


def test_multimodal_message_text_forms() -> None:
    img = _image()
    m = MultiModalMessage(content=["look", img], source="u")
    assert m.to_text() == "look\n<image>"
    assert m.to_model_text() == "look [image]"
    assert m.to_model_text(image_placeholder=None) == f"look {img.to_base64()}"
    assert m.to_text(iterm=True).startswith("look\n\033]1337;File=inline=1:")
    assert m.to_model_message().content == ["look", img]
    again = MessageFactory().create(m.dump())
    assert isinstance(again, MultiModalMessage) and again.to_text() == "look\n<image>"


def test_structured_message_type_and_text() -> None:
    m = StructuredMessage[Weather](content=Weather(city="Oslo", degrees=3), source="a")
    assert m.type == "StructuredMessage[Weather]"
    assert m.to_text() == '{"city":"Oslo","degrees":3}'
    assert m.to_model_message().content == '{"city":"Oslo","degrees":3}'
    f = StructuredMessage[Weather](
        content=Weather(city="Oslo", degrees=3), source="a", format_string="{city}: {degrees}"
    )
    assert f.to_text() == f.to_model_text() == "Oslo: 3"
    assert f.dump()["type"] == "StructuredMessage[Weather]"


def test_structured_message_factory_round_trip() -> None:
    factory = StructuredMessageFactory(input_model=Weather, format_string="{city} {degrees}")
    msg = factory.StructuredMessage(content=Weather(city="Rome", degrees=20), source="x")
    assert msg.to_text() == '{"city":"Rome","degrees":20}'  # the factory does not apply its format by itself
    msg = factory.StructuredMessage(
        content=Weather(city="Rome", degrees=20), source="x", format_string="{city} {degrees}"
    )
    assert msg.to_text() == "Rome 20"
    model = factory.dump_component()
    assert model.provider == "autogen_agentchat.messages.StructuredMessageFactory"
    loaded = StructuredMessageFactory.load_component(model)
    assert loaded.ContentModel.__name__ == "Weather"
    content = loaded.ContentModel(city="Paris", degrees=15)
    m2 = loaded.StructuredMessage(content=content, source="y", format_string=loaded.format_string)
    assert m2.to_model_text() == "Paris 15"


def test_structured_message_factory_needs_a_model() -> None:
    with pytest.raises(ValueError, match="json_schema"):
        StructuredMessageFactory()


def test_handoff_and_summary_messages() -> None:
    h = HandoffMessage(content="go", target="bob", source="alice", context=[SystemMessage(content="x")])
    again = MessageFactory().create(h.dump())
    assert isinstance(again, HandoffMessage) and again.context == [SystemMessage(content="x")]
    call = FunctionCall(id="1", name="add", arguments="{}")
    res = FunctionExecutionResult(content="3", name="add", call_id="1", is_error=False)
    s = ToolCallSummaryMessage(content="3", tool_calls=[call], results=[res], source="a")
    assert MessageFactory().create(s.dump()) == s


def test_events_to_text() -> None:
    call = FunctionCall(id="1", name="add", arguments="{}")
    assert ToolCallRequestEvent(content=[call], source="a").to_text() == str([call])
    assert ThoughtEvent(content="hmm", source="a").to_text() == "hmm"
    chunk = ModelClientStreamingChunkEvent(content="he", source="a", full_message_id="m1")
    assert chunk.to_text() == "he" and chunk.full_message_id == "m1"
    res = FunctionExecutionResult(content="3", name="add", call_id="1")
    assert ToolCallExecutionEvent(content=[res], source="a").type == "ToolCallExecutionEvent"
    assert messages.UserInputRequestedEvent(request_id="r", source="u").to_text() == ""
    assert messages.SelectSpeakerEvent(content=["a"], source="m").to_text() == "['a']"


def test_code_events() -> None:
    from accord.messages._code_types import CodeBlock, CodeResult

    gen = messages.CodeGenerationEvent(
        retry_attempt=0,
        content="```python\nprint(1)```",
        code_blocks=[CodeBlock(code="print(1)", language="python")],
        source="c",
    )
    ex = messages.CodeExecutionEvent(retry_attempt=0, result=CodeResult(exit_code=0, output="1\n"), source="c")
    assert ex.to_text() == "1\n" and gen.to_text().startswith("```")
    f = MessageFactory()
    assert f.create(ex.dump()).to_text() == "1\n"
    assert isinstance(f.create(gen.dump()), messages.CodeGenerationEvent)


def test_message_factory_registration_errors() -> None:
    f = MessageFactory()
    for name in ("TextMessage", "StopMessage", "ThoughtEvent", "CodeExecutionEvent"):
        assert name in f._message_types
    assert not f.is_registered(StructuredMessage[Weather])
    f.register(StructuredMessage[Weather])
    m = StructuredMessage[Weather](content=Weather(city="A", degrees=1), source="s")
    assert f.create(m.dump()) == m
    with pytest.raises(ValueError, match="already registered"):
        f.register(StructuredMessage[Weather])
    with pytest.raises(ValueError, match="subclass"):
        f.register(dict)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'type' is required"):
        f.create({"content": "x"})
    with pytest.raises(ValueError, match="Unknown message type: 'Nope'"):
        f.create({"type": "Nope"})


def test_chat_message_union_validates() -> None:
    from pydantic import TypeAdapter

    ta: TypeAdapter[Any] = TypeAdapter(messages.ChatMessage)
    assert isinstance(ta.validate_python({"type": "StopMessage", "content": "x", "source": "s"}), StopMessage)


def test_utils() -> None:
    img = _image()
    assert content_to_str(["a", img]) == "a\n<image>"
    assert content_to_str("x") == "x"
    assert content_to_str(Weather(city="c", degrees=1)) == '{"city":"c","degrees":1}'
    msgs = [SystemMessage(content="s"), UserMessage(content=["hi", img], source="u")]
    out = remove_images(msgs)
    assert out[0] == msgs[0] and out[1] == UserMessage(content="hi\n<image>", source="u")


def test_response_and_task_result_serialize_subclasses() -> None:
    r = base.Response(chat_message=TextMessage(content="a", source="x"), inner_messages=[])
    assert r.inner_messages == []
    tr = base.TaskResult(messages=[TextMessage(content="a", source="x"), ThoughtEvent(content="t", source="x")])
    dumped = tr.model_dump()
    assert dumped["messages"][0]["content"] == "a" and dumped["messages"][1]["type"] == "ThoughtEvent"
    assert tr.stop_reason is None


def test_handoff_defaults_and_tool() -> None:
    h = base.Handoff(target="Planner")
    assert h.name == "transfer_to_planner"
    assert h.description == "Handoff to Planner."
    assert h.message == "Transferred to Planner, adopting the role of Planner immediately."
    tool = h.handoff_tool
    assert tool.name == "transfer_to_planner" and tool.schema.get("strict") is True
    with pytest.raises(ValueError, match="valid identifier"):
        base.Handoff(target="x", name="not valid")


def test_state_models_dump_their_type() -> None:
    assert state.BaseState().model_dump() == {"type": "BaseState", "version": "1.0.0"}
    s = state.AssistantAgentState()
    assert s.model_dump() == {"type": "AssistantAgentState", "version": "1.0.0", "llm_context": {"messages": []}}
    assert state.RoundRobinManagerState().model_dump()["next_speaker_index"] == 0
    assert state.TeamState(agent_states={"a": {}}).model_dump()["type"] == "TeamState"
    assert state.MagenticOneOrchestratorState().model_dump()["n_stalls"] == 0


def test_agentchat_logger_names() -> None:
    import accord.agentchat as ac

    assert ac.EVENT_LOGGER_NAME == "autogen_agentchat.events"
    assert ac.TRACE_LOGGER_NAME == "autogen_agentchat"


def test_message_ids_ignore_the_global_random_seed() -> None:
    import random
    import uuid

    random.seed(1)
    first = TextMessage(content="a", source="b").id
    random.seed(1)
    second = TextMessage(content="a", source="b").id
    assert first != second
    assert uuid.UUID(first).version == 4
