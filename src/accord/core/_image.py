from __future__ import annotations

import base64
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from .._errors import UsageError

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = ["Image"]

_DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,(.+)$", re.DOTALL)


def _pil() -> Any:
    try:
        from PIL import Image as PILModule
    except ImportError as e:  # pragma: no cover - pillow is a base dependency
        raise ImportError("Image needs pillow: pip install pillow") from e
    return PILModule


class Image:
    """An image passed to or from a model. Held as PNG bytes; converted to PIL lazily.

    Serializes (pydantic) as ``{"data": <base64 PNG>}``, like AutoGen's ``Image``.
    """

    __slots__ = ("_pil_image", "_png")

    def __init__(self, image: PILImage) -> None:
        self._pil_image: PILImage | None = image.convert("RGB")
        self._png: bytes | None = None

    @classmethod
    def _from_png_bytes(cls, data: bytes) -> Image:
        self = cls.__new__(cls)
        self._pil_image = None
        self._png = data
        return self

    @classmethod
    def from_pil(cls, pil_image: PILImage) -> Image:
        return cls(pil_image)

    @classmethod
    def from_uri(cls, uri: str) -> Image:
        match = _DATA_URI.match(uri)
        if match is None:
            raise UsageError(f"Unsupported image URI {uri[:40]!r}: expected data:image/png|jpeg;base64,...")
        return cls.from_base64(match.group(2))

    @classmethod
    def from_base64(cls, base64_str: str) -> Image:
        raw = base64.b64decode(base64_str)
        if raw.startswith(b"\x89PNG\r\n\x1a\n"):
            return cls._from_png_bytes(raw)
        return cls(_pil().open(io.BytesIO(raw)))

    @classmethod
    def from_file(cls, file_path: Path | str) -> Image:
        return cls(_pil().open(file_path))

    @property
    def image(self) -> PILImage:
        if self._pil_image is None:
            assert self._png is not None
            self._pil_image = _pil().open(io.BytesIO(self._png)).convert("RGB")
        return self._pil_image

    def _png_bytes(self) -> bytes:
        if self._png is None:
            buffer = io.BytesIO()
            self.image.save(buffer, format="PNG")
            self._png = buffer.getvalue()
        return self._png

    def to_base64(self) -> str:
        return base64.b64encode(self._png_bytes()).decode("ascii")

    @property
    def data_uri(self) -> str:
        return f"data:image/png;base64,{self.to_base64()}"

    def to_openai_format(self, detail: Literal["auto", "low", "high"] = "auto") -> dict[str, Any]:
        return {"type": "image_url", "image_url": {"url": self.data_uri, "detail": detail}}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Image) and self._png_bytes() == other._png_bytes()

    def __hash__(self) -> int:
        return hash(self._png_bytes())

    def __repr__(self) -> str:
        return f"Image(size={len(self._png_bytes())} bytes)"

    @classmethod
    def __get_pydantic_core_schema__(cls, source_type: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def validate(value: Any) -> Image:
            if isinstance(value, Image):
                return value
            if isinstance(value, dict) and isinstance(value.get("data"), str):
                return cls.from_base64(value["data"])
            if isinstance(value, str):
                return cls.from_uri(value) if value.startswith("data:") else cls.from_base64(value)
            raise ValueError(f"Expected an Image or {{'data': base64}}, got {type(value).__name__}")

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(lambda img: {"data": img.to_base64()}),
        )
