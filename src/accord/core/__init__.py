"""accord's Core: the actor runtime and the interfaces the higher layers implement (autogen_core 0.7 API)."""

from __future__ import annotations

from ._agent_id import AgentId, AgentType
from ._cache_store import CacheStore, InMemoryStore
from ._cancellation_token import CancellationToken
from ._component import (
    Component,
    ComponentBase,
    ComponentFromConfig,
    ComponentLoader,
    ComponentModel,
    ComponentSchemaType,
    ComponentToConfig,
    ComponentType,
    is_component_class,
    is_component_instance,
    load_component,
)
from ._component_registry import allow_providers, register_component
from ._constants import (
    EVENT_LOGGER_NAME,
    JSON_DATA_CONTENT_TYPE,
    PROTOBUF_DATA_CONTENT_TYPE,
    ROOT_LOGGER_NAME,
    TRACE_LOGGER_NAME,
)
from ._contexts import AgentInstantiationContext, MessageHandlerContext, SubscriptionInstantiationContext
from ._image import Image
from ._telemetry import trace_create_agent_span, trace_invoke_agent_span, trace_tool_span
from ._topic import DefaultTopicId, TopicId
from ._types import FunctionCall

__all__ = [
    "EVENT_LOGGER_NAME",
    "JSON_DATA_CONTENT_TYPE",
    "PROTOBUF_DATA_CONTENT_TYPE",
    "ROOT_LOGGER_NAME",
    "TRACE_LOGGER_NAME",
    "CacheStore",
    "InMemoryStore",
    "trace_create_agent_span",
    "trace_invoke_agent_span",
    "trace_tool_span",
    "AgentId",
    "AgentInstantiationContext",
    "AgentType",
    "CancellationToken",
    "Component",
    "ComponentBase",
    "ComponentFromConfig",
    "ComponentLoader",
    "ComponentModel",
    "ComponentSchemaType",
    "ComponentToConfig",
    "ComponentType",
    "DefaultTopicId",
    "FunctionCall",
    "Image",
    "MessageHandlerContext",
    "SubscriptionInstantiationContext",
    "TopicId",
    "allow_providers",
    "is_component_class",
    "is_component_instance",
    "load_component",
    "register_component",
]
