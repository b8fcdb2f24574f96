"""accord's Core: the actor runtime and the interfaces the higher layers implement (autogen_core 0.7 API).

Names are loaded on first use (PEP 562), so ``import accord.core`` (and ``import autogen_core`` through the compat
layer) costs almost nothing, and a program pays only for the parts it uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
        redact_component,
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

_LAZY: dict[str, str] = {
    "Agent": "._agent",
    "AgentMetadata": "._agent",
    "AgentProxy": "._agent",
    "AgentId": "._agent_id",
    "AgentType": "._agent_id",
    "BaseAgent": "._base_agent",
    "handles": "._base_agent",
    "subscription_factory": "._base_agent",
    "CacheStore": "._cache_store",
    "InMemoryStore": "._cache_store",
    "CancellationToken": "._cancellation_token",
    "ClosureAgent": "._closure_agent",
    "ClosureContext": "._closure_agent",
    "Component": "._component",
    "ComponentBase": "._component",
    "ComponentFromConfig": "._component",
    "ComponentLoader": "._component",
    "ComponentModel": "._component",
    "ComponentSchemaType": "._component",
    "ComponentToConfig": "._component",
    "ComponentType": "._component",
    "is_component_class": "._component",
    "is_component_instance": "._component",
    "load_component": "._component",
    "redact_component": "._component",
    "allow_providers": "._component_registry",
    "register_component": "._component_registry",
    "EVENT_LOGGER_NAME": "._constants",
    "JSON_DATA_CONTENT_TYPE": "._constants",
    "PROTOBUF_DATA_CONTENT_TYPE": "._constants",
    "ROOT_LOGGER_NAME": "._constants",
    "TRACE_LOGGER_NAME": "._constants",
    "AgentInstantiationContext": "._contexts",
    "MessageHandlerContext": "._contexts",
    "SubscriptionInstantiationContext": "._contexts",
    "EnvelopeEvent": "._envelope_events",
    "EnvelopeKind": "._envelope_events",
    "EnvelopeListener": "._envelope_events",
    "Image": "._image",
    "DefaultInterventionHandler": "._intervention",
    "DropMessage": "._intervention",
    "InterventionHandler": "._intervention",
    "MessageContext": "._message_context",
    "MessageHandler": "._routed_agent",
    "RoutedAgent": "._routed_agent",
    "event": "._routed_agent",
    "message_handler": "._routed_agent",
    "rpc": "._routed_agent",
    "AgentRuntime": "._runtime_protocol",
    "DataclassJsonMessageSerializer": "._serialization",
    "MessageSerializer": "._serialization",
    "ProtobufMessageSerializer": "._serialization",
    "PydanticJsonMessageSerializer": "._serialization",
    "UnknownPayload": "._serialization",
    "try_get_known_serializers_for_type": "._serialization",
    "SingleThreadedAgentRuntime": "._single_threaded_agent_runtime",
    "DefaultSubscription": "._subscription",
    "Subscription": "._subscription",
    "TypePrefixSubscription": "._subscription",
    "TypeSubscription": "._subscription",
    "UnboundSubscription": "._subscription",
    "default_subscription": "._subscription",
    "type_subscription": "._subscription",
    "trace_create_agent_span": "._telemetry",
    "trace_invoke_agent_span": "._telemetry",
    "trace_tool_span": "._telemetry",
    "DefaultTopicId": "._topic",
    "TopicId": "._topic",
    "FunctionCall": "._types",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


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
    "redact_component",
    "register_component",
    "rpc",
    "subscription_factory",
    "trace_create_agent_span",
    "trace_invoke_agent_span",
    "trace_tool_span",
    "try_get_known_serializers_for_type",
    "type_subscription",
]
