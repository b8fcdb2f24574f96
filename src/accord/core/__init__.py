"""accord's Core: the actor runtime and the interfaces the higher layers implement (autogen_core 0.7 API)."""

from __future__ import annotations

from ._agent_id import AgentId, AgentType
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
from ._contexts import AgentInstantiationContext, MessageHandlerContext, SubscriptionInstantiationContext
from ._image import Image
from ._topic import DefaultTopicId, TopicId
from ._types import FunctionCall

__all__ = [
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
