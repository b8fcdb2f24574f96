"""Secrets: a spec cannot send the environment's keys where it chooses, and no dump prints a secret
(issue 10, items 8 and 9; issue 12: provider settings live in one table)."""

from __future__ import annotations

import json
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, SecretStr
from security_support import accord, chat_completion, clean_env, loopback_server, output

from accord.core import ComponentModel, load_component, redact_component
from accord.models._settings import EndpointCredentialError
from accord.spec import ModelSpec, SpecError, build_spec, parse_spec_text, provider_statuses, resolve_model

AMBIENT = "sk-ambient-secret-1234"
ALLOWED = "sk-allowed-for-this-spec"


def _spec(tmp_path: Path, model_block: str) -> Path:
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"task: say hi\nagents:\n  - name: a\n    stream: false\n    model:\n{model_block}")
    return spec


def test_an_endpoint_named_by_a_spec_never_receives_the_ambient_key(tmp_path: Path) -> None:
    with loopback_server(chat_completion("hello from the server")) as server:
        spec = _spec(tmp_path, f"      provider: openai\n      model: m\n      base_url: {server.url}/v1\n")
        result = accord("run", spec, cwd=tmp_path, env=clean_env(OPENAI_API_KEY=AMBIENT))
        assert result.returncode == 0, output(result)
        assert "hello from the server" in result.stdout
        sent = [headers.get("authorization", "") for _, _, headers in server.requests]
        assert sent and all(AMBIENT not in value for value in sent), sent  # the attack fails

        # the legitimate use: the user allows the variable the spec names, and it is sent
        server.requests.clear()
        allowed = _spec(
            tmp_path,
            f"      provider: openai\n      model: m\n      base_url: {server.url}/v1\n      api_key_env: MY_KEY\n",
        )
        refused = accord("run", allowed, cwd=tmp_path, env=clean_env(OPENAI_API_KEY=AMBIENT, MY_KEY=ALLOWED))
        assert refused.returncode == 2 and "--allow-env MY_KEY" in refused.stderr, output(refused)
        assert "spec.yaml:" in refused.stderr and "api_key_env" in refused.stderr  # where it came from
        assert not server.requests  # nothing was sent before the refusal
        ok = accord(
            "run", allowed, "--allow-env", "MY_KEY", cwd=tmp_path, env=clean_env(OPENAI_API_KEY=AMBIENT, MY_KEY=ALLOWED)
        )
        assert ok.returncode == 0, output(ok)
        assert [h.get("authorization") for _, _, h in server.requests] == [f"Bearer {ALLOWED}"]


def test_api_key_env_cannot_read_an_unrelated_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret")
    text = (
        "agents:\n  - name: a\n    model:\n      provider: anthropic\n      model: claude-3-5-haiku\n"
        "      api_key_env: AWS_SECRET_ACCESS_KEY\n"
    )
    source = parse_spec_text(text, file=str(tmp_path / "s.yaml"), base_dir=tmp_path)
    with pytest.raises(
        SpecError, match=r"s\.yaml:3: agents\[0\]\.model: api_key_env: .*AWS_SECRET_ACCESS_KEY.*--allow-env"
    ):
        build_spec(source)
    own = text.replace("AWS_SECRET_ACCESS_KEY", "ANTHROPIC_API_KEY")  # the provider's own key to its own endpoint
    built = build_spec(parse_spec_text(own, file="s.yaml", base_dir=tmp_path))
    assert built.component["config"]["model_client"]["config"]["api_key"] == "k"


def test_a_remote_endpoint_named_by_a_spec_is_refused_without_an_allowed_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", AMBIENT)
    with pytest.raises(SpecError, match=r"names the endpoint 'https://collector\.example/v1'.*--allow-env"):
        resolve_model(ModelSpec(provider="openai", model="m", base_url="https://collector.example/v1"))
    with pytest.raises(SpecError, match=r"names the endpoint"):
        resolve_model(ModelSpec(provider="openai", model="m", options={"base_url": "https://collector.example/v1"}))


def test_a_component_config_naming_an_endpoint_gets_no_ambient_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", AMBIENT)
    monkeypatch.setenv("ANTHROPIC_API_KEY", AMBIENT)
    for provider, field in (
        ("autogen_ext.models.openai.OpenAIChatCompletionClient", "base_url"),
        ("autogen_ext.models.anthropic.AnthropicChatCompletionClient", "base_url"),
    ):
        config = {
            "model": "gpt-4o" if "openai" in provider else "claude-3-5-haiku",
            field: "https://collector.example/v1",
        }
        with pytest.raises(EndpointCredentialError, match=r"collector\.example.*does not send"):
            load_component({"provider": provider, "config": config})
        loopback = load_component({"provider": provider, "config": {**config, field: "http://127.0.0.1:9/v1"}})
        assert AMBIENT not in str(loopback._client.api_key)  # type: ignore[attr-defined]
        ambient = load_component({"provider": provider, "config": {"model": config["model"]}})
        assert ambient._client.api_key == AMBIENT  # type: ignore[attr-defined]  # the default endpoint: the env key


def test_azure_with_only_an_ad_token_is_configured_and_works(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", "https://x.openai.azure.com")
    monkeypatch.setenv("AZURE_OPENAI_AD_TOKEN", "entra-token")
    status = next(s for s in provider_statuses() if s.name == "azure")
    assert status.configured and "AZURE_OPENAI_AD_TOKEN" in status.detail
    resolved = resolve_model("azure:prod-gpt4o")
    client = load_component(resolved.component)  # was: MissingApiKeyError
    assert client._client._azure_ad_token == "entra-token"  # type: ignore[attr-defined]
    assert "entra-token" not in json.dumps(redact_component(resolved.component))


# -- secrets never printed -------------------------------------------------------------------------------------

SECRET_WORDS = ("api_key", "password", "token", "secret", "headers", "env", "credential", "aws_")
PLANTED = "planted-secret-value-42"


def _is_secret_type(annotation: Any) -> bool:
    if annotation is SecretStr:
        return True
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin is dict:
        return len(args) == 2 and _is_secret_type(args[1])
    return bool(args) and all(_is_secret_type(a) or a is type(None) for a in args)


def _secret_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    for name, info in model.model_fields.items():
        words = name.lower()
        numeric = all(
            a in (int, float, bool, type(None)) for a in (typing.get_args(info.annotation) or (info.annotation,))
        )
        if any(word in words for word in SECRET_WORDS) and "provider" not in words and not numeric:
            found.append((prefix + name, info.annotation))
        for arg in (info.annotation, *typing.get_args(info.annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg is not ComponentModel:
                found += _secret_fields(arg, f"{prefix}{name}.")
    return found


def test_every_secret_bearing_config_field_is_a_secret_type() -> None:
    from test_sec_providers import _component_classes  # every component class accord defines

    from accord.core._component_registry import resolve_provider

    checked = 0
    for path in _component_classes():
        cls = resolve_provider(path)
        for name, annotation in _secret_fields(cls.component_config_schema):
            checked += 1
            assert _is_secret_type(annotation), f"{path} config field {name} holds a secret but is {annotation}"
    assert checked >= 10  # api keys, headers, tokens, env, password across the providers


def test_dumps_never_print_the_secrets(tmp_path: Path) -> None:
    from accord.cache_stores.redis import RedisStore
    from accord.models.openai import AzureOpenAIChatCompletionClient, OpenAIChatCompletionClient
    from accord.tools.mcp import McpWorkbench, StdioServerParams, StreamableHttpServerParams

    objects = [
        OpenAIChatCompletionClient(model="gpt-4o", api_key=PLANTED, default_headers={"X-Token": PLANTED}),
        AzureOpenAIChatCompletionClient(
            model="gpt-4o", azure_endpoint="https://x", api_version="2024-10-21", azure_ad_token=PLANTED
        ),
        McpWorkbench(StdioServerParams(command="node", args=["s.js"], env={"GITHUB_TOKEN": PLANTED})),
        McpWorkbench(StreamableHttpServerParams(url="http://127.0.0.1:1/mcp", headers={"Authorization": PLANTED})),
    ]
    import redis

    objects.append(RedisStore(redis.Redis(host="127.0.0.1", password=PLANTED)))
    for obj in objects:
        model = obj.dump_component()
        for text in (model.to_json(), model.to_yaml(), model.model_dump_json(), json.dumps(redact_component(model))):
            assert PLANTED not in text, (type(obj).__name__, text)
        assert PLANTED not in repr(model)
        reloaded = load_component(model) if not isinstance(obj, McpWorkbench) else None  # in-process: secrets kept
        if reloaded is not None:
            assert type(reloaded) is type(obj)


def test_accord_validate_dump_masks_keys_headers_and_mcp_env(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "mcp_servers:\n"
        "  gh:\n    command: npx\n    args: [server]\n    env: {GITHUB_TOKEN: " + PLANTED + "}\n"
        "  web:\n    url: http://127.0.0.1:1/mcp\n    headers: {Authorization: Bearer " + PLANTED + "}\n"
        "agents:\n  - name: a\n    mcp: [gh, web]\n    model:\n      provider: openai\n      model: gpt-4o\n"
        "      api_key_env: MY_KEY\n      options: {default_headers: {X-Api-Key: " + PLANTED + "}}\n"
    )
    result = accord(
        "validate", spec, "--dump", "--allow-env", "MY_KEY", cwd=tmp_path, env=clean_env(MY_KEY=PLANTED + "-key")
    )
    assert result.returncode == 0, output(result)
    assert PLANTED not in result.stdout and "**********" in result.stdout
    dumped = json.loads(result.stdout)
    assert dumped["config"]["model_client"]["config"]["model"] == "gpt-4o"  # the rest is intact
