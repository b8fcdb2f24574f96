"""Build a pydantic model from a JSON Schema (for tool input schemas and structured output)."""

from __future__ import annotations

import datetime
import uuid
from ipaddress import IPv4Address, IPv6Address
from typing import Annotated, Any, Literal, Optional, Union, cast

from pydantic import (
    UUID1,
    UUID3,
    UUID4,
    UUID5,
    AnyUrl,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    Json,
    StringConstraints,
    create_model,
)

from ..._errors import UsageError

__all__ = [
    "FormatNotSupportedError",
    "ReferenceNotFoundError",
    "SchemaConversionError",
    "UnsupportedKeywordError",
    "schema_to_pydantic_model",
]


class SchemaConversionError(UsageError):
    """The JSON Schema cannot be converted to a pydantic model."""


class ReferenceNotFoundError(SchemaConversionError):
    """A ``$ref`` points to a definition that does not exist."""


class FormatNotSupportedError(SchemaConversionError):
    """A string ``format`` is not supported."""


class UnsupportedKeywordError(SchemaConversionError):
    """A schema keyword or type is not supported."""


_FORMATS: dict[str, Any] = {
    "date-time": datetime.datetime,
    "date": datetime.date,
    "time": datetime.time,
    "duration": datetime.timedelta,
    "uuid": Annotated[uuid.UUID, Field(description="a UUID")],
    "uuid1": UUID1,
    "uuid2": Annotated[uuid.UUID, Field(description="a version 2 UUID")],
    "uuid3": UUID3,
    "uuid4": UUID4,
    "uuid5": UUID5,
    "uri": AnyUrl,
    "email": EmailStr,
    "hostname": Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$")],
    "ipv4": IPv4Address,
    "ipv6": IPv6Address,
    "ipv4-network": IPv4Address,
    "ipv6-network": IPv6Address,
    "int32": Annotated[int, Field(ge=-(2**31), le=2**31 - 1)],
    "int64": Annotated[int, Field(ge=-(2**63), le=2**63 - 1)],
    "float": Annotated[float, Field(allow_inf_nan=False)],
    "double": float,
    "decimal": float,
    "binary": Annotated[bytes, Field(strict=False)],
    "byte": Annotated[bytes, Field(description="base64-encoded bytes")],
    "password": str,
    "path": str,
    "json": Json,
}
_SCALARS: dict[str, Any] = {"string": str, "integer": int, "number": float, "boolean": bool, "null": type(None)}
_CONSTRAINTS = {
    "minLength": "min_length",
    "maxLength": "max_length",
    "pattern": "pattern",
    "minimum": "ge",
    "maximum": "le",
    "exclusiveMinimum": "gt",
    "exclusiveMaximum": "lt",
    "multipleOf": "multiple_of",
    "minItems": "min_length",
    "maxItems": "max_length",
}


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() else "_" for c in name)
    return cleaned if cleaned and not cleaned[0].isdigit() else f"M_{cleaned}"


class _Converter:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root
        self.defs: dict[str, Any] = {**root.get("definitions", {}), **root.get("$defs", {})}
        self.models: dict[str, type[BaseModel]] = {}
        self.building: set[str] = set()

    def resolve_ref(self, ref: str) -> dict[str, Any]:
        name = ref.split("/")[-1]
        if not ref.startswith("#/") or name not in self.defs:
            raise ReferenceNotFoundError(f"Reference {ref!r} not found in the schema's definitions")
        return cast(dict[str, Any], self.defs[name])

    def model(self, schema: dict[str, Any], name: str) -> type[BaseModel]:
        if "allOf" in schema:
            schema = self.merge_all_of(schema)
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        fields: dict[str, Any] = {}
        for prop, prop_schema in properties.items():
            annotation = self.type_of(prop_schema, f"{name}_{prop}")
            kwargs = self.field_kwargs(prop_schema)
            if prop in required:
                default: Any = ...
            else:
                annotation = Optional[annotation]  # noqa: UP045 - typing.Union, as AutoGen builds it
                default = prop_schema.get("default")
            fields[prop] = (annotation, Field(default, **kwargs))
        extra: Literal["forbid", "ignore"] = "forbid" if schema.get("additionalProperties") is False else "ignore"
        model = create_model(_safe_name(name), __config__=ConfigDict(extra=extra), **fields)  # type: ignore[call-overload]
        return cast(type[BaseModel], model)

    def merge_all_of(self, schema: dict[str, Any]) -> dict[str, Any]:
        merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
        for part in schema["allOf"]:
            if "$ref" in part:
                part = self.resolve_ref(part["$ref"])
            if "allOf" in part:
                part = self.merge_all_of(part)
            merged["properties"].update(part.get("properties", {}))
            merged["required"].extend(r for r in part.get("required", []) if r not in merged["required"])
        merged["properties"].update(schema.get("properties", {}))
        merged["required"].extend(r for r in schema.get("required", []) if r not in merged["required"])
        return merged

    def field_kwargs(self, schema: dict[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if "description" in schema:
            kwargs["description"] = schema["description"]
        if "title" in schema:
            kwargs["title"] = schema["title"]
        for key, arg in _CONSTRAINTS.items():
            if key in schema:
                kwargs[arg] = schema[key]
        return kwargs

    def constrained(self, schema: dict[str, Any], name: str) -> Any:
        """The type of a union branch, with the branch's own constraints (a field carries the others)."""
        annotation = self.type_of(schema, name)
        constraints = {arg: schema[key] for key, arg in _CONSTRAINTS.items() if key in schema}
        return Annotated[annotation, Field(**constraints)] if constraints else annotation

    def type_of(self, schema: dict[str, Any], name: str) -> Any:
        if "$ref" in schema:
            ref_name = schema["$ref"].split("/")[-1]
            if ref_name in self.building:
                return _safe_name(ref_name)  # a recursive reference: resolved by model_rebuild below
            if ref_name not in self.models:
                target = self.resolve_ref(schema["$ref"])
                if (target.get("type", "object") == "object" and "properties" in target) or "allOf" in target:
                    self.building.add(ref_name)
                    try:
                        self.models[ref_name] = self.model(target, ref_name)
                    finally:
                        self.building.discard(ref_name)
                else:
                    return self.type_of(target, ref_name)
            return self.models[ref_name]
        if "enum" in schema:
            return Literal[tuple(schema["enum"])]
        if "const" in schema:
            return Literal[schema["const"]]
        for key in ("anyOf", "oneOf"):
            if key in schema:
                options = [self.constrained(s, f"{name}_{i}") for i, s in enumerate(schema[key])]
                union: Any = Union[tuple(options)]  # noqa: UP007 - built dynamically
                discriminator = schema.get("discriminator", {}).get("propertyName")
                if discriminator and all(isinstance(o, type) and issubclass(o, BaseModel) for o in options):
                    return Annotated[union, Field(discriminator=discriminator)]
                return union
        if "allOf" in schema:
            return self.model(schema, name)
        json_type = schema.get("type")
        if isinstance(json_type, list):
            return Union[tuple(self.type_of({**schema, "type": t}, name) for t in json_type)]  # noqa: UP007
        if json_type is None:
            return Any
        if json_type == "object":
            if "properties" in schema:
                return self.model(schema, name)
            additional = schema.get("additionalProperties")
            if isinstance(additional, dict):
                return dict[str, self.type_of(additional, f"{name}_value")]  # type: ignore[misc]
            return dict[str, Any]
        if json_type == "array":
            items = schema.get("items")
            return list[self.type_of(items, f"{name}_item") if isinstance(items, dict) else Any]  # type: ignore[misc]
        if json_type == "string" and "format" in schema:
            fmt = schema["format"]
            if fmt not in _FORMATS:
                if fmt in ("email", "idn-email", "hostname", "password", "byte", "binary"):
                    return str
                raise FormatNotSupportedError(f"String format {fmt!r} is not supported (supported: {sorted(_FORMATS)})")
            return _FORMATS[fmt]
        if json_type in _SCALARS:
            return _SCALARS[json_type]
        raise UnsupportedKeywordError(f"Unsupported JSON Schema type {json_type!r} in {name!r}")


def schema_to_pydantic_model(schema: dict[str, Any], model_name: str = "GeneratedModel") -> type[BaseModel]:
    """Convert a JSON Schema object to a pydantic model class named ``model_name``."""
    if not isinstance(schema, dict):
        raise SchemaConversionError(f"Expected a JSON Schema object, got {type(schema).__name__}")
    converter = _Converter(schema)
    if "$ref" in schema and "properties" not in schema:
        ref_name = schema["$ref"].split("/")[-1]
        converter.building.add(ref_name)
        root: type[BaseModel] = converter.model(converter.resolve_ref(schema["$ref"]), model_name)
        converter.building.discard(ref_name)
        converter.models[ref_name] = root
    else:
        root = converter.model(schema, model_name)
    namespace: dict[str, Any] = {_safe_name(name): model for name, model in converter.models.items()}
    for model in (*converter.models.values(), root):
        model.model_rebuild(_types_namespace=namespace)
    return root
