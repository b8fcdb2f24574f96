from __future__ import annotations

import warnings

import pytest
from pydantic import TypeAdapter

import accord.models as models
from accord.core import FunctionCall
from accord.models import (
    AssistantMessage,
    CreateResult,
    FunctionExecutionResult,
    FunctionExecutionResultMessage,
    LLMMessage,
    ModelFamily,
    ModelInfo,
    RequestUsage,
    SystemMessage,
    UserMessage,
    validate_model_info,
)


def test_messages_round_trip_through_discriminator() -> None:
    adapter: TypeAdapter[list[LLMMessage]] = TypeAdapter(list[LLMMessage])
    messages: list[LLMMessage] = [
        SystemMessage(content="be brief"),
        UserMessage(content="hi", source="user"),
        AssistantMessage(content=[FunctionCall(id="1", arguments="{}", name="f")], thought="t", source="a"),
        FunctionExecutionResultMessage(content=[FunctionExecutionResult(content="ok", name="f", call_id="1")]),
    ]
    dumped = adapter.dump_python(messages)
    assert [m["type"] for m in dumped] == [
        "SystemMessage",
        "UserMessage",
        "AssistantMessage",
        "FunctionExecutionResultMessage",
    ]
    assert adapter.validate_python(dumped) == messages


def test_create_result_holds_usage_dataclass() -> None:
    result = CreateResult(finish_reason="stop", content="x", usage=RequestUsage(1, 2), cached=False)
    assert result.usage.completion_tokens == 2
    assert CreateResult.model_validate(result.model_dump()) == result


def test_model_family_is_a_namespace() -> None:
    with pytest.raises(TypeError):
        ModelFamily()
    assert ModelFamily.is_claude(ModelFamily.CLAUDE_3_5_SONNET)
    assert ModelFamily.is_openai("gpt-4o")
    assert not ModelFamily.is_gemini("gpt-4o")
    assert ModelFamily.is_mistral("mistral") and ModelFamily.is_llama("llama-4-scout")


def test_validate_model_info_required_and_warned_fields() -> None:
    with pytest.raises(ValueError, match="Missing required field 'family'"):
        validate_model_info({"vision": False, "function_calling": False, "json_output": False})  # type: ignore[typeddict-item]
    with pytest.warns(UserWarning, match="structured_output"):
        validate_model_info({"vision": False, "function_calling": False, "json_output": False, "family": "x"})  # type: ignore[typeddict-item]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        validate_model_info(
            ModelInfo(vision=False, function_calling=True, json_output=False, family="x", structured_output=False)
        )


def test_public_names() -> None:
    assert set(models.__all__) >= {
        "SystemMessage",
        "UserMessage",
        "AssistantMessage",
        "FunctionExecutionResult",
        "FunctionExecutionResultMessage",
        "LLMMessage",
        "CreateResult",
        "RequestUsage",
        "FinishReasons",
        "TopLogprob",
        "ChatCompletionTokenLogprob",
        "ModelInfo",
        "ModelFamily",
        "ModelCapabilities",
        "validate_model_info",
        "ChatCompletionClient",
    }
