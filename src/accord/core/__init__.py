"""accord's Core: the actor runtime and the interfaces the higher layers implement (autogen_core 0.7 API)."""

from __future__ import annotations

from ._agent import Agent, AgentMetadata, AgentProxy
from ._agent_id import AgentId, AgentType
from ._base_agent import BaseAgent, handles, subscription_factory
from ._cache_store import CacheStore, InMemoryStore
from ._cancellation_token import CancellationToken
from ._closure_agent import ClosureAgent, ClosureContext
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
from ._envelope_events import EnvelopeEvent, EnvelopeKind, EnvelopeListener
from ._image import Image
from ._intervention import DefaultInterventionHandler, DropMessage, InterventionHandler
from ._message_context import MessageContext
from ._routed_agent import MessageHandler, RoutedAgent, event, message_handler, rpc
from ._runtime_protocol import AgentRuntime
from ._serialization import (
    DataclassJsonMessageSerializer,
    MessageSerializer,
    ProtobufMessageSerializer,
    PydanticJsonMessageSerializer,
    UnknownPayload,
    try_get_known_serializers_for_type,
)
from ._single_threaded_agent_runtime import SingleThreadedAgentRuntime
from ._subscription import (
    DefaultSubscription,
    Subscription,
    TypePrefixSubscription,
    TypeSubscription,
    UnboundSubscription,
    default_subscription,
    type_subscription,
)
from ._telemetry import trace_create_agent_span, trace_invoke_agent_span, trace_tool_span
from ._topic import DefaultTopicId, TopicId
from ._types import FunctionCall

__all__ = [
    "EVENT_LOGGER_NAME",
    "JSON_DATA_CONTENT_TYPE",
    "PROTOBUF_DATA_CONTENT_TYPE",
    "ROOT_LOGGER_NAME",
    "TRACE_LOGGER_NAME",
    "Agent",
    "AgentId",
    "AgentInstantiationContext",
    "AgentMetadata",
    "AgentProxy",
    "AgentRuntime",
    "AgentType",
    "BaseAgent",
    "CacheStore",
    "CancellationToken",
    "ClosureAgent",
    "ClosureContext",
    "Component",
    "ComponentBase",
    "ComponentFromConfig",
    "ComponentLoader",
    "ComponentModel",
    "ComponentSchemaType",
    "ComponentToConfig",
    "ComponentType",
    "DataclassJsonMessageSerializer",
    "DefaultInterventionHandler",
    "DefaultSubscription",
    "DefaultTopicId",
    "DropMessage",
    "EnvelopeEvent",
    "EnvelopeKind",
    "EnvelopeListener",
    "FunctionCall",
    "Image",
    "InMemoryStore",
    "InterventionHandler",
    "MessageContext",
    "MessageHandler",
    "MessageHandlerContext",
    "MessageSerializer",
    "ProtobufMessageSerializer",
    "PydanticJsonMessageSerializer",
    "RoutedAgent",
    "SingleThreadedAgentRuntime",
    "Subscription",
    "SubscriptionInstantiationContext",
    "TopicId",
    "TypePrefixSubscription",
    "TypeSubscription",
    "UnboundSubscription",
    "UnknownPayload",
    "allow_providers",
    "default_subscription",
    "event",
    "handles",
    "is_component_class",
    "is_component_instance",
    "load_component",
    "message_handler",
    "register_component",
    "rpc",
    "subscription_factory",
    "trace_create_agent_span",
    "trace_invoke_agent_span",
    "trace_tool_span",
    "try_get_known_serializers_for_type",
    "type_subscription",
]
