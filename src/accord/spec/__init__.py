"""Declarative specs: AutoGen component JSON as it is, and a friendlier YAML form for agents and teams.

``load_spec(path)`` reads a spec (errors name the file, line and field path), ``build_spec`` turns it into the
component model of an agent or team (model references such as ``openai:gpt-4.1-mini``, ``anthropic:…``,
``ollama:…``, ``local`` resolve through the component registry only), and ``spec_json_schema()`` is the JSON schema
of the YAML form for editors.
"""

from __future__ import annotations

from pathlib import Path

from ._build import BuiltSpec, ExecutorFiles, build_spec, validate_document
from ._errors import NoModelAvailableError, SpecError, UnknownModelError
from ._models import (
    PROVIDERS,
    ProviderStatus,
    ResolvedModel,
    allow_env,
    default_model_reference,
    known_models,
    no_model_instructions,
    provider_statuses,
    resolve_model,
)
from ._schema import (
    AgentSpec,
    EdgeSpec,
    ExecutorSpec,
    HandoffSpec,
    McpServerSpec,
    ModelSpec,
    SpecDocument,
    TeamSpec,
    TerminationSpec,
    spec_json_schema,
)
from ._source import SpecSource, parse_spec_text, read_spec_file

__all__ = [
    "PROVIDERS",
    "AgentSpec",
    "BuiltSpec",
    "EdgeSpec",
    "ExecutorFiles",
    "ExecutorSpec",
    "HandoffSpec",
    "McpServerSpec",
    "ModelSpec",
    "NoModelAvailableError",
    "ProviderStatus",
    "ResolvedModel",
    "SpecDocument",
    "SpecError",
    "SpecSource",
    "TeamSpec",
    "TerminationSpec",
    "UnknownModelError",
    "allow_env",
    "build_spec",
    "default_model_reference",
    "known_models",
    "load_spec",
    "no_model_instructions",
    "parse_spec_text",
    "provider_statuses",
    "read_spec_file",
    "resolve_model",
    "spec_json_schema",
    "validate_document",
]


def load_spec(path: str | Path, *, model: str | None = None, check_credentials: bool = True) -> BuiltSpec:
    """Read, validate and build the spec at ``path`` (``model`` overrides every agent's model)."""
    return build_spec(read_spec_file(path), model=model, check_credentials=check_credentials)
