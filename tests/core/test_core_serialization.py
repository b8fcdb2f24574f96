from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydantic import BaseModel

from accord.core import (
    JSON_DATA_CONTENT_TYPE,
    DataclassJsonMessageSerializer,
    Image,
    PydanticJsonMessageSerializer,
    UnknownPayload,
    try_get_known_serializers_for_type,
)
from accord.core._serialization import SerializationRegistry


@dataclass
class Flat:
    a: int
    b: str


@dataclass
class WithUnion:
    a: int | str


@dataclass
class Nested:
    inner: Flat


class Model(BaseModel):
    x: int
    tags: list[str] = []


def test_dataclass_round_trip() -> None:
    s = DataclassJsonMessageSerializer(Flat)
    assert s.type_name == "Flat" and s.data_content_type == JSON_DATA_CONTENT_TYPE
    assert s.deserialize(s.serialize(Flat(1, "x"))) == Flat(1, "x")


def test_dataclass_restrictions() -> None:
    with pytest.raises(ValueError, match="union field 'a'"):
        DataclassJsonMessageSerializer(WithUnion)
    with pytest.raises(ValueError, match="nested dataclass/model field 'inner'"):
        DataclassJsonMessageSerializer(Nested)
    assert try_get_known_serializers_for_type(Nested) == []


def test_pydantic_round_trip_and_known_serializers() -> None:
    s = PydanticJsonMessageSerializer(Model)
    assert s.deserialize(s.serialize(Model(x=1, tags=["a"]))) == Model(x=1, tags=["a"])
    known = try_get_known_serializers_for_type(Model)
    assert len(known) == 1 and isinstance(known[0], PydanticJsonMessageSerializer)
    assert try_get_known_serializers_for_type(int) == []


def test_registry_unknown_payload_and_unknown_type() -> None:
    registry = SerializationRegistry()
    registry.add_serializer(try_get_known_serializers_for_type(Flat))
    data = registry.serialize(Flat(1, "b"), type_name="Flat", data_content_type=JSON_DATA_CONTENT_TYPE)
    assert registry.deserialize(data, type_name="Flat", data_content_type=JSON_DATA_CONTENT_TYPE) == Flat(1, "b")
    unknown = registry.deserialize(b"{}", type_name="Other", data_content_type=JSON_DATA_CONTENT_TYPE)
    assert unknown == UnknownPayload("Other", JSON_DATA_CONTENT_TYPE, b"{}")
    with pytest.raises(ValueError, match="Unknown message type 'Other'"):
        registry.serialize(Flat(1, "b"), type_name="Other", data_content_type=JSON_DATA_CONTENT_TYPE)


class WithImage(BaseModel):
    image: Image


def test_image_serializes_as_base64_and_round_trips() -> None:
    from PIL import Image as PILImage

    img = Image.from_pil(PILImage.new("RGB", (4, 3), color=(255, 0, 0)))
    dumped = WithImage(image=img).model_dump()
    assert set(dumped["image"]) == {"data"}
    back = WithImage.model_validate(dumped)
    assert back.image == img
    assert back.image.image.size == (4, 3)
    assert Image.from_uri(img.data_uri) == img
    assert img.to_openai_format()["image_url"]["url"].startswith("data:image/png;base64,")
    with pytest.raises(ValueError, match="Unsupported image URI"):
        Image.from_uri("http://example.com/x.png")
