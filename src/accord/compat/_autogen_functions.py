"""AutoGen 0.7.5's ``autogen_core._function_utils`` helpers, over accord's signature handling
(:mod:`accord.tools._signature`)."""

from __future__ import annotations

import inspect
import logging
import typing
from collections.abc import Callable
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import BaseModel, Field, create_model

from ..tools._signature import typed_signature

__all__: list[str] = []

T = TypeVar("T")
logger = logging.getLogger("autogen_core")


def get_typed_signature(call: Callable[..., Any]) -> inspect.Signature:
    """The signature of ``call`` with its string annotations resolved."""
    return typed_signature(call)


def get_typed_return_annotation(call: Callable[..., Any]) -> Any:
    annotation = typed_signature(call).return_annotation
    return None if annotation is inspect.Signature.empty else annotation


def get_param_annotations(typed_signature: inspect.Signature) -> dict[str, Any]:
    return {
        k: v.annotation for k, v in typed_signature.parameters.items() if v.annotation is not inspect.Signature.empty
    }


def get_required_params(typed_signature: inspect.Signature) -> list[str]:
    return [k for k, v in typed_signature.parameters.items() if v.default is inspect.Signature.empty]


def get_default_values(typed_signature: inspect.Signature) -> dict[str, Any]:
    return {k: v.default for k, v in typed_signature.parameters.items() if v.default is not inspect.Signature.empty}


def get_missing_annotations(typed_signature: inspect.Signature, required: list[str]) -> tuple[set[str], set[str]]:
    """``(required parameters without annotation, optional parameters without annotation)``."""
    missing = {k for k, v in typed_signature.parameters.items() if v.annotation is inspect.Signature.empty}
    return missing & set(required), missing - set(required)


def type2description(k: str, v: Any) -> str:
    if get_origin(v) is Annotated:
        for meta in get_args(v)[1:]:
            if isinstance(meta, str):
                return meta
    return k


def normalize_annotated_type(type_hint: Any) -> Any:
    """``Annotated[T, ...]`` -> ``T``; other hints unchanged."""
    if get_origin(type_hint) is Annotated:
        return get_args(type_hint)[0]
    return type_hint


def args_base_model_from_signature(name: str, sig: inspect.Signature) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for param_name, param in sig.parameters.items():
        if param_name == "cancellation_token":
            continue
        if param.annotation is inspect.Parameter.empty:
            raise ValueError("No annotation")
        annotation = normalize_annotated_type(param.annotation)
        description = type2description(param_name, param.annotation)
        default = param.default if param.default is not inspect.Parameter.empty else ...
        fields[param_name] = (annotation, Field(default=default, description=description))
    return typing.cast(type[BaseModel], create_model(name, **fields))
