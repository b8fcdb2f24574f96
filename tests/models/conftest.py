"""Fixtures shared by the model tests (real servers live in models_servers.py)."""

from __future__ import annotations

from models_servers import llama_server

__all__ = ["llama_server"]
