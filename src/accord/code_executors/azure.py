"""Azure Container Apps dynamic sessions (serves ``autogen_ext.code_executors.azure``); needs ``accord[azure]``."""

from __future__ import annotations

from ._aca import ACADynamicSessionsCodeExecutor, TokenProvider

__all__ = ["ACADynamicSessionsCodeExecutor", "TokenProvider"]
