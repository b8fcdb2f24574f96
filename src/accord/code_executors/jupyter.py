"""The Jupyter kernel executor (serves ``autogen_ext.code_executors.jupyter``); needs ``accord[jupyter]``."""

from __future__ import annotations

from ._jupyter import JupyterCodeExecutor, JupyterCodeExecutorConfig, JupyterCodeResult

__all__ = ["JupyterCodeExecutor", "JupyterCodeExecutorConfig", "JupyterCodeResult"]
