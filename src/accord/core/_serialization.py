"""Message serialization: every message type that crosses a process boundary has a stable type name."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Generic,
    Protocol,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    runtime_checkable,
)

from .._errors import UsageError
from ._constants import JSON_DATA_CONTENT_TYPE, PROTOBUF_DATA_CONTENT_TYPE

if TYPE_CHECKING:
    from pydantic import BaseModel


def _is_pydantic_model_class(cls: Any) -> bool:
    """True for pydantic model classes, without importing pydantic when the program has not (nothing can be one)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)


__all__ = [
    "DataclassJsonMessageSerializer",
    "MessageSerializer",
    "ProtobufMessageSerializer",
    "PydanticJsonMessageSerializer",
    "SerializationRegistry",
    "UnknownPayload",
    "try_get_known_serializers_for_type",
    "type_name",
]

T = TypeVar("T")


@runtime_checkable
class MessageSerializer(Protocol[T]):
    @property
    def data_content_type(self) -> str: ...

    @property
    def type_name(self) -> str: ...

    def deserialize(self, payload: bytes) -> T: ...

    def serialize(self, message: T) -> bytes: ...


@dataclass
class UnknownPayload:
    """A payload whose type is not registered with the receiving runtime."""

    type_name: str
    data_content_type: str
    payload: bytes


def _is_union(t: Any) -> bool:
    import types

    return get_origin(t) in (Union, types.UnionType)


def _has_nested_model(t: Any) -> bool:
    if isinstance(t, type) and (is_dataclass(t) or _is_pydantic_model_class(t)):
        return True
    return any(_has_nested_model(a) for a in get_args(t))


class DataclassJsonMessageSerializer(Generic[T]):
    """JSON for flat dataclasses (no union fields, no nested dataclasses or models)."""

    def __init__(self, cls: type[T]) -> None:
        if not is_dataclass(cls):
            raise UsageError(f"{cls!r} is not a dataclass")
        hints = _type_hints(cls)
        for f in fields(cls):
            hint = hints.get(f.name, f.type)
            if _is_union(hint):
                raise UsageError(f"Dataclass {cls.__name__} has a union field {f.name!r}; use a pydantic model instead")
            if _has_nested_model(hint):
                raise UsageError(
                    f"Dataclass {cls.__name__} has a nested dataclass/model field {f.name!r}; use a pydantic model"
                )
        self.cls = cls

    @property
    def data_content_type(self) -> str:
        return JSON_DATA_CONTENT_TYPE

    @property
    def type_name(self) -> str:
        return type_name(self.cls)

    def deserialize(self, payload: bytes) -> T:
        return self.cls(**json.loads(payload))

    def serialize(self, message: T) -> bytes:
        return json.dumps(asdict(cast(Any, message))).encode()


def _type_hints(cls: type[Any]) -> dict[str, Any]:
    import typing

    try:
        return typing.get_type_hints(cls)
    except Exception:
        return {}


class PydanticJsonMessageSerializer(Generic[T]):
    """JSON for pydantic models."""

    def __init__(self, cls: type[T]) -> None:
        if not _is_pydantic_model_class(cls):
            raise UsageError(f"{cls!r} is not a pydantic model")
        self.cls = cls

    @property
    def data_content_type(self) -> str:
        return JSON_DATA_CONTENT_TYPE

    @property
    def type_name(self) -> str:
        return type_name(self.cls)

    def deserialize(self, payload: bytes) -> T:
        return cast(T, cast("type[BaseModel]", self.cls).model_validate_json(payload))

    def serialize(self, message: T) -> bytes:
        return cast("BaseModel", message).model_dump_json().encode()


class ProtobufMessageSerializer(Generic[T]):
    """Protocol buffers messages, packed into ``google.protobuf.Any``."""

    def __init__(self, cls: type[T]) -> None:
        self.cls = cls

    @property
    def data_content_type(self) -> str:
        return PROTOBUF_DATA_CONTENT_TYPE

    @property
    def type_name(self) -> str:
        return type_name(self.cls)

    def deserialize(self, payload: bytes) -> T:
        from google.protobuf import any_pb2

        any_proto = any_pb2.Any()
        any_proto.ParseFromString(payload)
        message = cast(Any, self.cls)()
        if not any_proto.Unpack(message):
            raise UsageError(f"Payload is not a {self.type_name}")
        return cast(T, message)

    def serialize(self, message: T) -> bytes:
        from google.protobuf import any_pb2

        any_proto = any_pb2.Any()
        any_proto.Pack(cast(Any, message))
        return cast(bytes, any_proto.SerializeToString())


def _is_protobuf(cls: type[Any]) -> bool:
    return hasattr(cls, "DESCRIPTOR") and hasattr(getattr(cls, "DESCRIPTOR", None), "full_name")


def type_name(cls: type[Any] | Any) -> str:
    """The stable type name of a message class (protobuf: its full name; otherwise the class name)."""
    if not isinstance(cls, type):
        cls = type(cls)
    if _is_protobuf(cls):
        return cast(str, cast(Any, cls).DESCRIPTOR.full_name)
    return cls.__name__


def try_get_known_serializers_for_type(cls: type[Any]) -> list[MessageSerializer[Any]]:
    """Serializers accord knows for ``cls``: pydantic, then dataclass, then protobuf; empty if none."""
    if _is_pydantic_model_class(cls):
        return [PydanticJsonMessageSerializer(cls)]
    if is_dataclass(cls):
        try:
            return [DataclassJsonMessageSerializer(cast(type[Any], cls))]
        except UsageError:
            return []
    if isinstance(cls, type) and _is_protobuf(cls):
        return [ProtobufMessageSerializer(cls)]
    return []


class SerializationRegistry:
    """Serializers keyed by ``(type_name, data_content_type)``."""

    _default_content_type: ClassVar[str] = JSON_DATA_CONTENT_TYPE

    def __init__(self) -> None:
        self._serializers: dict[tuple[str, str], MessageSerializer[Any]] = {}

    def add_serializer(self, serializer: MessageSerializer[Any] | Sequence[MessageSerializer[Any]]) -> None:
        if isinstance(serializer, Sequence):
            for s in serializer:
                self.add_serializer(s)
            return
        self._serializers[(serializer.type_name, serializer.data_content_type)] = serializer

    def deserialize(self, payload: bytes, *, type_name: str, data_content_type: str) -> Any:
        serializer = self._serializers.get((type_name, data_content_type))
        if serializer is None:
            return UnknownPayload(type_name, data_content_type, payload)
        return serializer.deserialize(payload)

    def serialize(self, message: Any, *, type_name: str, data_content_type: str) -> bytes:
        serializer = self._serializers.get((type_name, data_content_type))
        if serializer is None:
            raise UsageError(f"Unknown message type {type_name!r} with content type {data_content_type!r}")
        return serializer.serialize(message)

    def is_registered(self, type_name: str, data_content_type: str) -> bool:
        return (type_name, data_content_type) in self._serializers

    def type_name(self, message: Any) -> str:
        return type_name(message)
