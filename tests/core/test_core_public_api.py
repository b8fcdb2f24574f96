"""Pins the public names of accord.core: a change here is an API change."""

from __future__ import annotations

import accord.core

EXPECTED = {
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
    "redact_component",
    "message_handler",
    "register_component",
    "rpc",
    "subscription_factory",
    "trace_create_agent_span",
    "trace_invoke_agent_span",
    "trace_tool_span",
    "try_get_known_serializers_for_type",
    "type_subscription",
}

# autogen_core 0.7's public names that accord.core must provide (reference §1).
AUTOGEN_CORE_NAMES = {
    "Agent",
    "AgentId",
    "AgentProxy",
    "AgentMetadata",
    "AgentRuntime",
    "BaseAgent",
    "CacheStore",
    "InMemoryStore",
    "CancellationToken",
    "AgentInstantiationContext",
    "TopicId",
    "Subscription",
    "MessageContext",
    "AgentType",
    "SubscriptionInstantiationContext",
    "MessageHandlerContext",
    "MessageSerializer",
    "try_get_known_serializers_for_type",
    "UnknownPayload",
    "Image",
    "RoutedAgent",
    "ClosureAgent",
    "ClosureContext",
    "message_handler",
    "event",
    "rpc",
    "FunctionCall",
    "TypeSubscription",
    "DefaultSubscription",
    "DefaultTopicId",
    "default_subscription",
    "type_subscription",
    "TypePrefixSubscription",
    "JSON_DATA_CONTENT_TYPE",
    "PROTOBUF_DATA_CONTENT_TYPE",
    "SingleThreadedAgentRuntime",
    "ROOT_LOGGER_NAME",
    "EVENT_LOGGER_NAME",
    "TRACE_LOGGER_NAME",
    "Component",
    "ComponentBase",
    "ComponentFromConfig",
    "ComponentLoader",
    "ComponentModel",
    "ComponentSchemaType",
    "ComponentToConfig",
    "ComponentType",
    "is_component_class",
    "is_component_instance",
    "DropMessage",
    "InterventionHandler",
    "DefaultInterventionHandler",
    "trace_create_agent_span",
    "trace_invoke_agent_span",
    "trace_tool_span",
}


def test_public_names_are_pinned() -> None:
    assert set(accord.core.__all__) == EXPECTED
    for name in accord.core.__all__:
        assert getattr(accord.core, name) is not None


def test_every_autogen_core_name_is_served() -> None:
    assert AUTOGEN_CORE_NAMES <= set(accord.core.__all__)


def test_exceptions_share_one_root() -> None:
    from accord.core import exceptions
    from accord.errors import AccordError

    for name in exceptions.__all__:
        assert issubclass(getattr(exceptions, name), AccordError)
