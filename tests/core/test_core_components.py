from __future__ import annotations

import json
import sys
from typing import Any, Self

import pytest
from pydantic import BaseModel, SecretStr

from accord.core import (
    Component,
    ComponentBase,
    ComponentModel,
    InMemoryStore,
    allow_providers,
    is_component_class,
    is_component_instance,
    load_component,
    register_component,
)
from accord.core._component_registry import _registered, _user_prefixes
from accord.errors import ComponentError, UntrustedProviderError


class GreeterConfig(BaseModel):
    greeting: str
    api_key: SecretStr | None = None


class Greeter(ComponentBase[GreeterConfig], Component[GreeterConfig]):
    """Says hello.

    Args:
        greeting: the text.
    """

    component_type = "tool"
    component_config_schema = GreeterConfig
    component_version = 2

    def __init__(self, greeting: str, api_key: str | None = None) -> None:
        self.greeting = greeting
        self.api_key = api_key

    def _to_config(self) -> GreeterConfig:
        return GreeterConfig(greeting=self.greeting, api_key=SecretStr(self.api_key) if self.api_key else None)

    @classmethod
    def _from_config(cls, config: GreeterConfig) -> Self:
        return cls(config.greeting, config.api_key.get_secret_value() if config.api_key else None)

    @classmethod
    def _from_config_past_version(cls, config: dict[str, Any], version: int) -> Self:
        return cls(config["text"])  # version 1 called the field "text"


@pytest.fixture(autouse=True)
def _clean_registry() -> Any:
    registered = dict(_registered)
    prefixes = list(_user_prefixes)
    yield
    _registered.clear()
    _registered.update(registered)
    _user_prefixes[:] = prefixes


def test_dump_component_fields() -> None:
    model = Greeter("hi").dump_component()
    assert model.provider == f"{__name__}.Greeter"
    assert model.component_type == "tool"
    assert model.version == model.component_version == 2
    assert model.description == "Says hello."
    assert model.label == "Greeter"
    assert model.config == {"greeting": "hi"}
    assert is_component_class(Greeter) and is_component_instance(Greeter("x"))


def test_untrusted_provider_is_refused_without_importing() -> None:
    spec = {"provider": "evil_module_that_must_not_load.Payload", "config": {}}
    with pytest.raises(UntrustedProviderError) as info:
        load_component(spec)
    text = str(info.value)
    assert "evil_module_that_must_not_load.Payload" in text
    assert "allow_providers" in text and "ACCORD_ALLOWED_PROVIDERS" in text
    assert "evil_module_that_must_not_load" not in sys.modules


def test_user_class_needs_explicit_registration() -> None:
    model = Greeter("hi").dump_component()
    with pytest.raises(UntrustedProviderError):
        Greeter.load_component(model)
    register_component(Greeter)
    loaded = Greeter.load_component(model)
    assert isinstance(loaded, Greeter) and loaded.greeting == "hi"


def test_allow_providers_by_module_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    model = Greeter("hi").dump_component()
    allow_providers([__name__.split(".")[0]])
    assert load_component(model).greeting == "hi"


def test_env_allowlist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_ALLOWED_PROVIDERS", __name__)
    assert load_component(Greeter("yo").dump_component().model_dump()).greeting == "yo"


def test_past_version_migration_and_schema_errors() -> None:
    register_component(Greeter)
    old = {"provider": f"{__name__}.Greeter", "component_version": 1, "config": {"text": "old"}}
    assert load_component(old).greeting == "old"
    with pytest.raises(ComponentError, match=r"Invalid config for component .*greeting"):
        load_component({"provider": f"{__name__}.Greeter", "component_version": 2, "config": {}})


def test_expected_type_is_checked() -> None:
    register_component(Greeter)
    with pytest.raises(TypeError, match="expected InMemoryStore"):
        load_component(Greeter("x").dump_component(), InMemoryStore)


def test_secrets_are_masked_in_json_unless_revealed() -> None:
    model = Greeter("hi", api_key="sk-secret").dump_component()
    assert "sk-secret" not in model.to_json()
    assert json.loads(model.to_json())["config"]["api_key"] == "**********"
    assert "sk-secret" in model.to_json(reveal_secrets=True)
    register_component(Greeter)
    loaded = load_component(json.loads(model.to_json(reveal_secrets=True)))
    assert loaded.api_key == "sk-secret"
    assert "greeting: hi" in model.to_yaml()


def test_builtin_component_loads_by_autogen_provider_string() -> None:
    store = load_component({"provider": "autogen_core.InMemoryStore", "config": {}})
    assert isinstance(store, InMemoryStore)
    assert InMemoryStore().dump_component().provider == "autogen_core.InMemoryStore"
    from accord.memory import ListMemory, MemoryContent, MemoryMimeType

    memory = ListMemory(name="m", memory_contents=[MemoryContent(content="x", mime_type=MemoryMimeType.TEXT)])
    dumped = memory.dump_component()
    assert dumped.provider == "autogen_core.memory.ListMemory"
    again = load_component(dumped.model_dump())
    assert isinstance(again, ListMemory) and again.content[0].content == "x"


def test_invalid_component_model_and_non_component_provider() -> None:
    with pytest.raises(ComponentError, match="Invalid component model"):
        load_component({"config": {}})
    with pytest.raises(ComponentError, match="not a component"):
        load_component({"provider": "accord.core.AgentId", "config": {}})
    with pytest.raises(UntrustedProviderError, match="has no attribute"):
        load_component({"provider": "autogen_core.DoesNotExist", "config": {}})


def test_component_model_from_json_text() -> None:
    text = ComponentModel(provider="autogen_core.InMemoryStore", config={}).model_dump_json()
    assert isinstance(load_component(text), InMemoryStore)


def test_subclass_does_not_take_over_its_parents_provider() -> None:
    from accord.core._component_registry import resolve_provider

    class Child(InMemoryStore[int]):
        pass

    register_component(Child)
    assert resolve_provider("autogen_core.InMemoryStore") is InMemoryStore
    assert resolve_provider(f"{__name__}.{Child.__qualname__}") is Child
