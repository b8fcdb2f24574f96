"""Utilities served as ``autogen_core.utils``."""

from __future__ import annotations

from ._json_extract import extract_json_from_str
from ._json_schema import (
    FormatNotSupportedError,
    ReferenceNotFoundError,
    SchemaConversionError,
    UnsupportedKeywordError,
    schema_to_pydantic_model,
)

__all__ = [
    "FormatNotSupportedError",
    "ReferenceNotFoundError",
    "SchemaConversionError",
    "UnsupportedKeywordError",
    "extract_json_from_str",
    "schema_to_pydantic_model",
]
