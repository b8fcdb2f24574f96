"""The Magentic-One preset team (serves ``autogen_ext.teams.magentic_one``).

``MagenticOne(client)`` is a :class:`~accord.teams.MagenticOneGroupChat` with a coder and a computer terminal (and a
human in ``hil_mode``). AutoGen's preset also has a FileSurfer and a MultimodalWebSurfer; accord adds them when
``accord.agents`` provides them and otherwise warns that the team runs without them.
"""

from __future__ import annotations

import warnings
from typing import Any

from .. import agents as _agents
from ..agents import AssistantAgent
from ..base import ChatAgent
from ..models import ChatCompletionClient
from ._magentic_one import MagenticOneGroupChat

__all__ = ["CODER_DESCRIPTION", "CODER_SYSTEM_MESSAGE", "MagenticOne"]

CODER_DESCRIPTION = (
    "A helpful and general-purpose AI assistant that has strong language skills, Python skills, and Linux "
    "command line skills."
)

CODER_SYSTEM_MESSAGE = """You are a careful programmer who solves tasks with code and reasoning.
- When the task needs computation, data processing or files, write a complete program in one fenced code block:
  ```python for Python or ```sh for shell commands. The ComputerTerminal runs it and shows you the output.
- Write code that prints its results; do not ask the user to edit or run anything by hand.
- If the output shows an error, fix the code and send the whole corrected program.
- Check that the answer is right before you say so, and explain it in a few sentences.
- When the task is complete, reply with the answer and the word TERMINATE."""


class MagenticOne(MagenticOneGroupChat):
    """The Magentic-One team: orchestrator, Coder, ComputerTerminal (and User when ``hil_mode``).

    Args:
        client: the model of the orchestrator and the coder (it should support function calling and JSON output).
        hil_mode: add a ``User`` (UserProxyAgent) the orchestrator can ask.
        input_func: how the ``User`` reads input.
        code_executor: where the terminal runs code; without one, ``create_default_code_executor()`` is used
            (Docker when an engine answers, else accord's sandboxed local executor) with a DeprecationWarning.
        approval_func: approves each code execution (see CodeExecutorAgent).
    """

    def __init__(
        self,
        client: ChatCompletionClient,
        hil_mode: bool = False,
        input_func: Any | None = None,
        code_executor: Any | None = None,
        approval_func: Any | None = None,
    ) -> None:
        from ..code_executors._default import create_default_code_executor

        info = client.model_info
        if not info.get("function_calling", False) or not info.get("json_output", False):
            warnings.warn(
                "MagenticOne works best with a model that supports function calling and JSON output; "
                f"this client's model_info has function_calling={info.get('function_calling')}, "
                f"json_output={info.get('json_output')}.",
                UserWarning,
                stacklevel=2,
            )
        if code_executor is None:
            warnings.warn(
                "Pass a code_executor to MagenticOne; without one it uses create_default_code_executor().",
                DeprecationWarning,
                stacklevel=2,
            )
            code_executor = create_default_code_executor()
        participants: list[ChatAgent] = []
        missing: list[str] = []
        for class_name, agent_name in (("FileSurfer", "FileSurfer"), ("MultimodalWebSurfer", "WebSurfer")):
            cls = getattr(_agents, class_name, None)
            if cls is None:
                missing.append(class_name)
            else:
                participants.append(cls(agent_name, model_client=client))
        if missing:
            warnings.warn(
                f"accord does not provide {', '.join(missing)} yet; MagenticOne runs without them "
                "(orchestrator, Coder, ComputerTerminal).",
                UserWarning,
                stacklevel=2,
            )
        participants.append(
            AssistantAgent(
                "Coder", model_client=client, description=CODER_DESCRIPTION, system_message=CODER_SYSTEM_MESSAGE
            )
        )
        participants.append(_agents.CodeExecutorAgent("ComputerTerminal", code_executor, approval_func=approval_func))
        if hil_mode:
            participants.append(_agents.UserProxyAgent("User", input_func=input_func))
        super().__init__(participants, model_client=client)
