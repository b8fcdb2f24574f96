from __future__ import annotations

import pytest

from accord.core import AgentId, AgentType, DefaultTopicId, TopicId
from accord.errors import AccordError, UsageError


def test_agent_id_str_repr_eq_hash() -> None:
    a = AgentId("writer", "k1")
    assert str(a) == "writer/k1"
    assert repr(a) == 'AgentId(type="writer", key="k1")'
    assert a == AgentId(AgentType("writer"), "k1")
    assert hash(a) == hash(AgentId("writer", "k1"))
    assert a != AgentId("writer", "k2")
    assert AgentId.from_str("a.b-c/key/with/slashes") == AgentId("a.b-c", "key/with/slashes")


@pytest.mark.parametrize("bad", ["has space", "slash/type", "", "ünïcode?", "colon:x"])
def test_invalid_agent_type_names_the_value_and_pattern(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        AgentId(bad, "k")
    assert repr(bad) in str(info.value)
    assert "must match" in str(info.value)
    assert isinstance(info.value, AccordError)


def test_topic_id_allows_colon_and_equals_but_not_spaces() -> None:
    t = TopicId("a:b=c.d-e_f", "src")
    assert str(t) == "a:b=c.d-e_f/src"
    assert TopicId.from_str("x/y/z") == TopicId("x", "y/z")
    with pytest.raises(UsageError, match="Invalid topic type 'bad topic'"):
        TopicId("bad topic", "s")


def test_default_topic_id_outside_handler_uses_default_source() -> None:
    assert DefaultTopicId() == TopicId("default", "default")
    assert DefaultTopicId("news") == TopicId("news", "default")
    assert DefaultTopicId(source="s1") == TopicId("default", "s1")
