"""PythonCodeExecutionTool, the Docker executor's safety checks, and create_default_code_executor."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.code_executors import ALLOW_CONFIG_ENV, CodeBlock, allow_work_roots, create_default_code_executor
from accord.code_executors.local import LocalCommandLineCodeExecutor
from accord.code_executors.tool import CodeExecutionResult, PythonCodeExecutionTool
from accord.core import CancellationToken, load_component
from accord.errors import ComponentError, UsageError


async def test_tool_runs_code_in_the_sandbox(tmp_path: Path) -> None:
    async with LocalCommandLineCodeExecutor(work_dir=tmp_path) as ex:
        tool = PythonCodeExecutionTool(ex)
        assert tool.name == "CodeExecutor"
        assert tool.schema["parameters"]["required"] == ["code"]
        result = await tool.run_json({"code": "print(2 + 2)"}, CancellationToken())
        assert isinstance(result, CodeExecutionResult)
        assert result.success and result.output == "4\n"
        assert tool.return_value_as_string(result) == "4\n"
        failed = await tool.run_json({"code": "raise ValueError('boom')"}, CancellationToken())
        assert not failed.success and "ValueError: boom" in failed.output


def test_tool_config_round_trip(tmp_path: Path) -> None:
    tool = PythonCodeExecutionTool(LocalCommandLineCodeExecutor(work_dir=tmp_path))
    model = tool.dump_component()
    assert model.provider == "autogen_ext.tools.code_execution.PythonCodeExecutionTool"
    with allow_work_roots(tmp_path):  # the executor's work_dir in the config: only inside a work root
        loaded = load_component(model, expected=PythonCodeExecutionTool)
    assert loaded.name == "CodeExecutor"


def test_default_executor_without_docker_engine_is_sandboxed_local(tmp_path: Path) -> None:
    ex = create_default_code_executor(str(tmp_path))
    assert isinstance(ex, LocalCommandLineCodeExecutor)
    assert "scrubbed_env" in ex.protections


# -- Docker: no Docker engine runs on these machines, so argument building and error paths are tested. ------
docker = pytest.importorskip("docker", reason="the docker extra (docker SDK) is not installed")

from accord.code_executors.docker import DockerCommandLineCodeExecutor  # noqa: E402


def test_docker_defaults_are_locked_down(tmp_path: Path) -> None:
    ex = DockerCommandLineCodeExecutor(work_dir=tmp_path)
    kwargs = ex.create_kwargs()
    assert kwargs["network_mode"] == "none"
    assert kwargs["cap_drop"] == ["ALL"]
    assert "no-new-privileges" in kwargs["security_opt"]
    assert kwargs["pids_limit"] > 0 and kwargs["mem_limit"] and kwargs["nano_cpus"] > 0
    assert kwargs["volumes"] == {str(tmp_path.resolve()): {"bind": "/workspace", "mode": "rw"}}
    assert kwargs["privileged"] is False


def test_docker_network_can_be_allowed(tmp_path: Path) -> None:
    kwargs = DockerCommandLineCodeExecutor(work_dir=tmp_path, allow_network=True).create_kwargs()
    assert "network_mode" not in kwargs


@pytest.mark.parametrize("socket_path", ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock"])
def test_docker_socket_mount_is_refused(tmp_path: Path, socket_path: str) -> None:
    with pytest.raises(UsageError, match="socket"):
        DockerCommandLineCodeExecutor(work_dir=tmp_path, extra_volumes={socket_path: {"bind": "/s", "mode": "rw"}})


def test_docker_mounts_only_inside_work_dir(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    ok = DockerCommandLineCodeExecutor(
        work_dir=tmp_path, extra_volumes={str(tmp_path / "data"): {"bind": "/data", "mode": "ro"}}
    )
    assert str(tmp_path / "data") in ok.create_kwargs()["volumes"]
    with pytest.raises(UsageError, match="outside"):
        DockerCommandLineCodeExecutor(work_dir=tmp_path, extra_volumes={"/etc": {"bind": "/etc2", "mode": "ro"}})
    with pytest.raises(UsageError, match="bind_dir"):
        DockerCommandLineCodeExecutor(work_dir=tmp_path, bind_dir="/")
    with pytest.raises(UsageError, match="extra_hosts"):
        DockerCommandLineCodeExecutor(work_dir=tmp_path, extra_hosts={"h": "1.2.3.4"})


def test_docker_config_cannot_mount_the_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = {
        "provider": "autogen_ext.code_executors.docker.DockerCommandLineCodeExecutor",
        "config": {"work_dir": str(tmp_path), "extra_volumes": {"/var/run/docker.sock": {"bind": "/s", "mode": "rw"}}},
    }
    with pytest.raises(ComponentError, match="extra_volumes"), allow_work_roots(tmp_path):
        load_component(config)
    # Even with the user's opt-in for extra volumes, a container-engine socket is never mounted.
    monkeypatch.setenv(ALLOW_CONFIG_ENV, "extra_volumes")
    with pytest.raises(UsageError, match="socket"), allow_work_roots(tmp_path):
        load_component(config)


def test_docker_config_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ex = DockerCommandLineCodeExecutor(image="python:3.12-slim", work_dir=tmp_path, timeout=5)
    model = ex.dump_component()
    assert model.provider == "autogen_ext.code_executors.docker.DockerCommandLineCodeExecutor"
    with pytest.raises(ComponentError, match="image"), allow_work_roots(tmp_path):
        load_component(model)  # what runs is the user's choice: a config's image needs the opt-in
    monkeypatch.setenv(ALLOW_CONFIG_ENV, "image")
    with allow_work_roots(tmp_path):
        loaded = load_component(model, expected=DockerCommandLineCodeExecutor)
    assert loaded.timeout == 5 and loaded.create_kwargs()["image"] == "python:3.12-slim"


async def test_docker_without_engine_fails_clearly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    ex = DockerCommandLineCodeExecutor(work_dir=tmp_path)
    with pytest.raises(RuntimeError, match="Failed to connect to Docker"):
        await ex.start()
    with pytest.raises(RuntimeError, match="Container is not running"):
        await ex.execute_code_blocks([CodeBlock("print(1)", "python")], CancellationToken())


@pytest.mark.skip(reason="no Docker engine runs on these machines; running code in a container cannot be tested here")
async def test_docker_runs_code_in_container(tmp_path: Path) -> None:  # pragma: no cover
    async with DockerCommandLineCodeExecutor(work_dir=tmp_path) as ex:
        result = await ex.execute_code_blocks([CodeBlock("print(1)", "python")], CancellationToken())
        assert result.output == "1\n"
