"""Declarative components: dump an object to a ``ComponentModel`` (JSON/YAML) and load it back.

Compatible with AutoGen's component format (``provider``, ``component_type``, ``version``,
``component_version``, ``description``, ``label``, ``config``). Unlike AutoGen, loading resolves
providers only through accord's registry (:mod:`accord.core._component_registry`): no arbitrary
import, no ``exec``.
"""

from __future__ import annotations

import contextvars
import inspect
import json
import warnings
from collections.abc import Iterator
from typing import Any, ClassVar, Generic, Literal, Self, TypeGuard, TypeVar, overload

from pydantic import BaseModel, SecretStr, ValidationError

from .._errors import ComponentError, ComponentTypeError
from ._component_registry import register_component, resolve_provider

__all__ = [
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
    "redact_component",
]

ComponentType = Literal["model", "agent", "tool", "termination", "token_provider", "workbench"] | str
ConfigT = TypeVar("ConfigT", bound=BaseModel)
T = TypeVar("T")


class _MissingComponentAttribute(ComponentError, TypeError, AttributeError):
    """A component class lacks a required class attribute (AutoGen raised AttributeError, accord TypeError)."""


class ComponentModel(BaseModel):
    """The serialized form of a component."""

    provider: str
    component_type: ComponentType | None = None
    version: int | None = None
    component_version: int | None = None
    description: str | None = None
    label: str | None = None
    config: dict[str, Any]

    def to_json(self, *, indent: int | None = 2, reveal_secrets: bool = False) -> str:
        """JSON text of this model; secrets stay masked (:func:`redact_component`) unless ``reveal_secrets``."""
        return json.dumps(self._plain(reveal_secrets), indent=indent)

    def to_yaml(self, *, reveal_secrets: bool = False) -> str:
        import yaml

        return str(yaml.safe_dump(self._plain(reveal_secrets), sort_keys=False))

    def _plain(self, reveal: bool) -> Any:
        data = self.model_dump(exclude_none=True)
        return _jsonable(data, True) if reveal else redact_component(data)


def _jsonable(value: Any, reveal: bool) -> Any:
    if isinstance(value, SecretStr):
        return value.get_secret_value() if reveal else "**********"
    if isinstance(value, BaseModel):
        return _jsonable(value.model_dump(exclude_none=True), reveal)
    if isinstance(value, dict):
        return {k: _jsonable(v, reveal) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v, reveal) for v in value]
    return value


_MASK = "**********"
_SECRET_NAME = ("key", "token", "secret", "password", "headers", "env", "credential")


def _mask_secret_names(value: Any) -> Any:
    """Fallback for a config no schema validates: mask fields whose name says they hold a secret."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            secret = isinstance(k, str) and any(part in k.lower() for part in _SECRET_NAME) and v is not None
            if secret and isinstance(v, dict):
                out[k] = dict.fromkeys(v, _MASK)
            elif secret and not isinstance(v, bool | int | float | list):
                out[k] = _MASK
            else:
                out[k] = _mask_secret_names(v)
        return out
    if isinstance(value, list):
        return [_mask_secret_names(v) for v in value]
    if isinstance(value, SecretStr):
        return _MASK
    return value


def redact_component(value: Any) -> Any:
    """A JSON-able copy of component data (dicts, lists, ``ComponentModel``) with every secret masked.

    Which fields are secret is said by each component's config schema (``SecretStr`` fields, and maps of them:
    API keys, passwords, tokens, headers, environments); a config the schema does not accept is masked by field
    names instead. This is what ``accord validate --dump`` prints.
    """
    if isinstance(value, ComponentModel):
        value = value.model_dump(exclude_none=True)
    if isinstance(value, SecretStr):
        return _MASK
    if isinstance(value, list | tuple):
        return [redact_component(v) for v in value]
    if not isinstance(value, dict):
        return value
    out = dict(value)
    if isinstance(value.get("provider"), str) and isinstance(value.get("config"), dict):
        out["config"] = _redact_config(value["provider"], value["config"])
    return {k: redact_component(v) for k, v in out.items()}


def _redact_config(provider: str, config: dict[str, Any]) -> Any:
    try:
        cls = resolve_provider(provider)
    except ComponentError:
        cls = None
    if cls is None or not is_component_class(cls):
        return _mask_secret_names(config)
    try:
        validated = cls.component_config_schema.model_validate(config)
    except ValidationError:
        return _mask_secret_names(config)
    # JSON mode writes SecretStr as the mask; nested component models come back as dicts and are redacted again
    return validated.model_dump(mode="json", exclude_unset=True)


def format_validation_error(error: ValidationError, prefix: str = "") -> str:
    """One line per problem, each naming the field path (``config.tools[0].name: Field required``)."""
    parts: list[str] = []
    for item in error.errors():
        path = prefix
        for loc in item["loc"]:
            path += f"[{loc}]" if isinstance(loc, int) else (f".{loc}" if path else str(loc))
        parts.append(f"{path or '<root>'}: {item['msg']}")
    return "; ".join(parts)


def _docstring_summary(cls: type[Any]) -> str | None:
    doc = cls.__doc__
    if not doc:
        return None
    lines: list[str] = []
    for line in doc.strip().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("Args:"):
            break
        lines.append(stripped)
    return " ".join(lines) or None


class ComponentToConfig(Generic[ConfigT]):
    """Mixin for classes that can be dumped to a :class:`ComponentModel`."""

    component_type: ClassVar[ComponentType]
    component_version: ClassVar[int] = 1
    component_provider_override: ClassVar[str | None] = None
    component_description: ClassVar[str | None] = None
    component_label: ClassVar[str | None] = None

    def _to_config(self) -> ConfigT:
        raise NotImplementedError(f"{type(self).__name__} cannot be dumped: it does not implement _to_config()")

    def dump_component(self) -> ComponentModel:
        cls = type(self)
        provider = cls.component_provider_override
        if provider is None:
            if "<locals>" in cls.__qualname__:
                raise TypeError(f"Cannot dump component {cls.__qualname__}: classes defined in a function have no path")
            provider = f"{cls.__module__}.{cls.__qualname__}"
            if "._" in provider and not provider.startswith("accord."):
                warnings.warn(
                    f"Component provider {provider!r} points into a private module; set component_provider_override",
                    stacklevel=2,
                )
        component_type = getattr(cls, "component_type", None)
        if component_type is None:
            raise _MissingComponentAttribute(f"{cls.__name__} has no component_type: it cannot be dumped")
        config = self._to_config()
        return ComponentModel(
            provider=provider,
            component_type=component_type,
            version=cls.component_version,
            component_version=cls.component_version,
            description=cls.component_description or _docstring_summary(cls),
            label=cls.component_label or cls.__name__,
            config=config.model_dump(exclude_none=True),
        )


class ComponentFromConfig(Generic[ConfigT]):
    """Mixin for classes that can be created from a config."""

    @classmethod
    def _from_config(cls, config: ConfigT) -> Self:
        raise NotImplementedError(f"{cls.__name__} cannot be loaded: it does not implement _from_config()")

    @classmethod
    def _from_config_past_version(cls, config: dict[str, Any], version: int) -> Self:
        raise NotImplementedError(
            f"{cls.__name__} cannot load config version {version} (current: {getattr(cls, 'component_version', 1)})"
        )


class ComponentSchemaType(Generic[ConfigT]):
    """Mixin that declares the pydantic config schema of a component class."""

    component_config_schema: type[ConfigT]
    required_class_vars: ClassVar[list[str]] = ["component_config_schema", "component_type"]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__.startswith("accord.") and hasattr(cls, "component_type") and is_component_class(cls):
            register_component(cls)
        elif "Component" in globals() and is_component_class(cls) and not inspect.isabstract(cls):
            missing = [var for var in cls.required_class_vars if not hasattr(cls, var)]
            if missing:
                warnings.warn(
                    f"Class {cls.__name__} is a component but does not set {', '.join(missing)}: it cannot be "
                    "dumped or loaded",
                    stacklevel=2,
                )


class ComponentLoader:
    """Mixin giving ``load_component`` to interface classes (``ChatCompletionClient.load_component``)."""

    @overload
    @classmethod
    def load_component(cls, model: ComponentModel | dict[str, Any], expected: None = None) -> Self: ...

    @overload
    @classmethod
    def load_component(cls, model: ComponentModel | dict[str, Any], expected: type[T]) -> T: ...

    @classmethod
    def load_component(cls, model: ComponentModel | dict[str, Any], expected: type[T] | None = None) -> Self | T:
        result: Self | T = load_component(model, expected if expected is not None else cls)
        return result


_preflighted: contextvars.ContextVar[bool] = contextvars.ContextVar("accord_component_preflighted", default=False)


def _component_model(spec: ComponentModel | dict[str, Any] | str) -> ComponentModel:
    if isinstance(spec, ComponentModel):
        return spec
    if isinstance(spec, str):
        from .._data import parse_json_text

        spec = parse_json_text(spec, source="<component JSON>")
    try:
        return ComponentModel.model_validate(spec)
    except ValidationError as e:
        raise ComponentError(f"Invalid component model: {format_validation_error(e)}") from e


def _component_class(model: ComponentModel, expected: type[Any] | None, where: str = "") -> type[Component[Any]]:
    """The class ``model`` names, checked to be a component of the ``expected`` type before anything is built."""
    component_cls: Any = resolve_provider(model.provider)
    if not is_component_class(component_cls):
        raise ComponentError(
            f"{where}Component provider {model.provider!r} resolves to {component_cls!r}, not a component"
        )
    if expected is not None and not issubclass(component_cls, expected):
        raise ComponentTypeError(
            f"{where}Component {model.provider!r} is a {component_cls.__name__}, expected {expected.__name__}; "
            f"nothing was built"
        )
    return component_cls


def _validated_config(component_cls: type[Component[Any]], model: ComponentModel, where: str = "") -> BaseModel:
    try:
        config: BaseModel = component_cls.component_config_schema.model_validate(model.config)
        return config
    except ValidationError as e:
        raise ComponentError(
            f"{where}Invalid config for component {model.provider!r}: {format_validation_error(e, 'config')}"
        ) from e


def _nested_components(value: Any, path: str) -> Iterator[tuple[str, ComponentModel]]:
    if isinstance(value, ComponentModel):
        yield path, value
        value = value.config
        path += ".config"
    elif isinstance(value, dict) and isinstance(value.get("provider"), str) and isinstance(value.get("config"), dict):
        try:
            yield path, ComponentModel.model_validate(value)
        except ValidationError:
            pass
        value = value["config"]
        path += ".config"
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _nested_components(child, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            yield from _nested_components(child, f"{path}[{index}]")


def _preflight(component_cls: type[Component[Any]], model: ComponentModel) -> None:
    """Check every component nested in ``model`` (provider, type, config, the class's own data checks) before
    anything is built, so a refusal deep inside a team leaves nothing half-made."""
    _check_data(component_cls, model, "")
    for path, nested in _nested_components(model.config, "config"):
        where = f"{path}: "
        _check_data(_component_class(nested, None, where), nested, where)


def _check_data(component_cls: type[Component[Any]], model: ComponentModel, where: str) -> None:
    if (model.component_version or model.version or 1) < getattr(component_cls, "component_version", 1):
        return  # an old config: its own _from_config_past_version decides
    check = getattr(component_cls, "_check_config", None)
    if check is not None:
        check(_validated_config(component_cls, model, where))


def load_component(spec: ComponentModel | dict[str, Any] | str, expected: type[Any] | None = None) -> Any:
    """Create an object from its component model (a ComponentModel, a dict or JSON text).

    The provider is resolved through the registry and checked against ``expected`` before anything is built; the
    whole tree of nested components is checked first (providers, configs, data checks such as the MCP allowlist).
    """
    model = _component_model(spec)
    component_cls = _component_class(model, expected)
    if not _preflighted.get():
        _preflight(component_cls, model)
        reset = _preflighted.set(True)
        try:
            return _build(component_cls, model, expected)
        finally:
            _preflighted.reset(reset)
    return _build(component_cls, model, expected)


def _build(component_cls: type[Component[Any]], model: ComponentModel, expected: type[Any] | None) -> Any:
    cls_version: int = getattr(component_cls, "component_version", 1)
    loaded_version = model.component_version or model.version or 1
    if loaded_version < cls_version:
        instance = component_cls._from_config_past_version(model.config, loaded_version)
    else:
        instance = component_cls._from_config(_validated_config(component_cls, model))
    if expected is not None and not isinstance(instance, expected):
        raise ComponentTypeError(
            f"Component {model.provider!r} loaded a {type(instance).__name__}, expected {expected.__name__}"
        )
    return instance


class ComponentBase(ComponentToConfig[ConfigT], ComponentLoader, Generic[ConfigT]):
    """Base for component interfaces (``ChatCompletionClient``, ``Workbench``...)."""


class Component(ComponentFromConfig[ConfigT], ComponentSchemaType[ConfigT], Generic[ConfigT]):
    """Base for concrete components: ``class X(SomeInterface, Component[XConfig])``."""


def is_component_class(cls: type[Any]) -> TypeGuard[type[Component[Any]]]:
    return (
        isinstance(cls, type)
        and issubclass(cls, ComponentToConfig)
        and issubclass(cls, ComponentSchemaType)
        and issubclass(cls, ComponentFromConfig)
    )


def is_component_instance(obj: Any) -> TypeGuard[Component[Any]]:
    return is_component_class(type(obj))
