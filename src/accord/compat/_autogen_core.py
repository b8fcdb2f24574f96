"""AutoGen 0.7.5's small private helpers that its tests and extension code import from autogen-core's private
modules, as thin functions over accord's own (served at AutoGen's paths by :mod:`accord.compat.autogen`)."""

from __future__ import annotations

import base64
import logging
import dataclasses
import re
import types
from typing import Any, List, ParamSpec, Protocol, TypeVar, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel

from ..core._constants import EVENT_LOGGER_NAME
from ..code_executors._functions import import_to_str, to_code
from ..core._serialization import type_name
from ..core.utils._json_schema import _FORMATS, _SCALARS, schema_to_pydantic_model
from ..tools._static_workbench import StaticWorkbenchState

__all__: list[str] = []

T = TypeVar("T")
V = TypeVar("V")
DataclassT = TypeVar("DataclassT")
PydanticT = TypeVar("PydanticT", bound=BaseModel)
ProtobufT = TypeVar("ProtobufT")
ExpectedType = TypeVar("ExpectedType")
FromConfigT = TypeVar("FromConfigT", bound=BaseModel, contravariant=True)
ToConfigT = TypeVar("ToConfigT", bound=BaseModel, covariant=True)
ClosureAgentType = TypeVar("ClosureAgentType")
BaseAgentType = TypeVar("BaseAgentType")
P = ParamSpec("P")
A = ParamSpec("A")
event_logger = logging.getLogger(EVENT_LOGGER_NAME)
NAMESPACE = "autogen"

# AutoGen's misspelt alias of the static workbench's state.
StateicWorkbenchState = StaticWorkbenchState
_type_name = type_name
_import_to_str = import_to_str
_to_code = to_code

_TOPIC_TYPE = re.compile(r"^[\w\-\.\:\=]+\Z")


class AnyType:
    """AutoGen's marker for a handler that returns ``Any`` (what :func:`get_types` gives for ``Any``)."""


class IsDataclass(Protocol):
    __dataclass_fields__: dict[str, Any]


def is_union(t: object) -> bool:
    return get_origin(t) in (Union, types.UnionType)


def is_optional(t: object) -> bool:
    return is_union(t) and type(None) in get_args(t)


def get_types(t: object) -> tuple[Any, ...] | None:
    """The types a handler's annotation accepts (a union expanded), or None when it is not a type."""
    if is_union(t):
        return tuple(type(None) if a is None else a for a in get_args(t))
    if t is None:
        return (type(None),)
    if t is Any:
        return (AnyType,)
    if isinstance(t, type) or get_origin(t) is not None:
        return (t,)
    return None


def has_nested_base_model_in_type(tp: Any) -> bool:
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return True
    return any(has_nested_base_model_in_type(arg) for arg in get_args(tp))


def has_nested_base_model(cls: Any) -> bool:
    """Whether a dataclass has a field whose type is or contains a pydantic model."""
    if not dataclasses.is_dataclass(cls):
        return False
    hints = get_type_hints(cls)
    return any(has_nested_base_model_in_type(hints.get(f.name, f.type)) for f in dataclasses.fields(cls))


def has_nested_dataclass(cls: Any) -> bool:
    hints = get_type_hints(cls)
    return any(dataclasses.is_dataclass(hints.get(f.name, f.type)) for f in dataclasses.fields(cls))


def contains_a_union(cls: Any) -> bool:
    hints = get_type_hints(cls)
    return any(is_union(hints.get(f.name, f.type)) for f in dataclasses.fields(cls))


def is_valid_topic_type(value: str) -> bool:
    return bool(_TOPIC_TYPE.match(value))


def _type_to_provider_str(t: type) -> str:
    return f"{t.__module__}.{t.__qualname__}"


_MAGIC = ((b"\x89PNG", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF8", "image/gif"), (b"RIFF", "image/webp"))


def _convert_base64_to_data_uri(base64_image: str) -> str:
    head = base64.b64decode(base64_image[:32] + "=" * (-len(base64_image[:32]) % 4), validate=False)
    mime = next((m for magic, m in _MAGIC if head.startswith(magic)), "image/jpeg")
    return f"data:{mime};base64,{base64_image}"


TYPE_MAPPING: dict[str, Any] = {**_SCALARS, "array": List, "object": dict}  # noqa: UP006 - AutoGen's values
FORMAT_MAPPING: dict[str, Any] = dict(_FORMATS)


class _JSONSchemaToPydantic:
    """AutoGen's JSON Schema -> pydantic converter, over accord's :func:`schema_to_pydantic_model`."""

    def json_schema_to_pydantic(self, schema: dict[str, Any], model_name: str = "GeneratedModel") -> type[BaseModel]:
        return schema_to_pydantic_model(schema, model_name)
