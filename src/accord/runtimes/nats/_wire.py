"""What crosses NATS: subjects, the frame (routing metadata + payload), payload codecs, remote errors, KV keys."""

from __future__ import annotations

import base64
import builtins
import json
import struct
from typing import Any

from ..._errors import AccordError, DeliveryError, RunError, StateError, UsageError
from ...core import AgentId, TopicId
from ...core._constants import JSON_DATA_CONTENT_TYPE
from ...core._serialization import SerializationRegistry, try_get_known_serializers_for_type, type_name
from ...core.exceptions import (
    CantHandleException,
    MessageDroppedException,
    NotAccessibleError,
    RecipientNotFoundError,
    UndeliverableException,
)

__all__ = [
    "NULL_TYPE",
    "JSON_TYPE",
    "MessageTooLargeError",
    "NoSerializerError",
    "RemoteHandlerError",
    "Subjects",
    "decode_frame",
    "decode_payload",
    "encode_frame",
    "encode_payload",
    "kv_id",
    "parse_kv_id",
    "remote_error",
]

NULL_TYPE = "accord.null"
JSON_TYPE = "accord.json"
_JSON_SCALARS = (str, int, float, bool, list, dict)
_LEN = struct.Struct(">I")


class Subjects:
    """The subjects of one deployment (``prefix``): per-worker inboxes and the publish subjects."""

    __slots__ = ("prefix", "publish_all", "stream")

    def __init__(self, deployment: str) -> None:
        self.prefix = f"accord.{deployment}"
        self.publish_all = f"{self.prefix}.pub.>"
        self.stream = f"ACCORD_{deployment}".replace("-", "_")

    def rpc(self, worker: str) -> str:
        return f"{self.prefix}.w.{worker}.rpc"

    def deliver(self, worker: str) -> str:
        return f"{self.prefix}.w.{worker}.dlv"

    def cancel(self, worker: str) -> str:
        return f"{self.prefix}.w.{worker}.cancel"

    def reply(self, worker: str) -> str:
        return f"{self.prefix}.w.{worker}.reply"

    def publish(self, topic_type: str) -> str:
        # A topic type is [\w\-.:=]+; '.' separates subject tokens, so it is escaped ('%' never occurs in a topic type).
        return f"{self.prefix}.pub.{topic_type.replace('.', '%2E')}"


class NoSerializerError(UsageError):
    """A message crossing NATS has a type with no serializer (the message names the type)."""


class MessageTooLargeError(DeliveryError, ValueError):
    """A message is larger than the NATS server's max payload (the message names both sizes)."""


class RemoteHandlerError(DeliveryError):
    """A handler on another worker raised. ``error_type`` and ``error_message`` are the original's.

    When the original derived from a builtin exception or an accord exception, the raised error also derives from that
    class (``except ValueError`` still works); nothing else in the data decides what is instantiated.
    """

    def __init__(self, message: str, *, error_type: str, error_message: str, recipient: str, worker: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.error_message = error_message
        self.recipient = recipient
        self.worker = worker


# The only classes a remote error may take on: builtins exceptions (looked up by name, never imported) and these.
_ACCORD_ERRORS: dict[str, type[Exception]] = {
    cls.__name__: cls
    for cls in (
        AccordError,
        UsageError,
        StateError,
        DeliveryError,
        RunError,
        CantHandleException,
        UndeliverableException,
        RecipientNotFoundError,
        MessageDroppedException,
        NotAccessibleError,
    )
}
_remote_classes: dict[str, type[RemoteHandlerError]] = {}


def error_bases(exc: BaseException) -> list[str]:
    """The names of the classes in ``exc``'s MRO that a caller may re-create (most specific first)."""
    names = []
    for cls in type(exc).__mro__:
        if cls.__name__ in _ACCORD_ERRORS and _ACCORD_ERRORS[cls.__name__] is cls:
            names.append(cls.__name__)
        elif cls.__module__ == "builtins" and issubclass(cls, Exception) and cls is not Exception:
            names.append(cls.__name__)
    return names


def _remote_class(bases: list[str]) -> type[RemoteHandlerError]:
    for name in bases:
        cached = _remote_classes.get(name)
        if cached is not None:
            return cached
        base = _ACCORD_ERRORS.get(name)
        if base is None:
            candidate = getattr(builtins, name, None)
            if isinstance(candidate, type) and issubclass(candidate, Exception):
                base = candidate
        if base is None:
            continue
        if issubclass(RemoteHandlerError, base):
            return RemoteHandlerError
        try:
            cls = type(f"Remote{name}", (RemoteHandlerError, base), {"__module__": __name__})
        except TypeError:  # a builtin with its own C layout (OSError...): no common subclass
            continue
        _remote_classes[name] = cls
        return cls
    return RemoteHandlerError


def remote_error(meta: dict[str, Any], recipient: str, worker: str) -> RemoteHandlerError:
    error_type = str(meta.get("et", "Exception"))
    error_message = str(meta.get("em", ""))
    bases = [str(b) for b in meta.get("eb", [])][:16]
    cls = _remote_class(bases)
    return cls(
        f"{error_type}: {error_message} (raised by {recipient} on worker {worker})",
        error_type=error_type,
        error_message=error_message,
        recipient=recipient,
        worker=worker,
    )


# ---------------------------------------------------------------- frame


def encode_frame(meta: dict[str, Any], payload: bytes) -> bytes:
    head = json.dumps(meta, separators=(",", ":")).encode()
    return _LEN.pack(len(head)) + head + payload


def decode_frame(data: bytes) -> tuple[dict[str, Any], bytes]:
    if len(data) < 4:
        raise DeliveryError(f"Malformed accord frame ({len(data)} bytes)")
    (n,) = _LEN.unpack_from(data)
    meta = json.loads(data[4 : 4 + n])
    if not isinstance(meta, dict):
        raise DeliveryError("Malformed accord frame: metadata is not an object")
    return meta, data[4 + n :]


# ---------------------------------------------------------------- payloads


def encode_payload(registry: SerializationRegistry, value: Any) -> tuple[str, bytes]:
    """``(type name, bytes)`` for ``value``: None, a registered (or known: pydantic, flat dataclass) type, or JSON."""
    if value is None:
        return NULL_TYPE, b""
    name = type_name(value)
    if registry.is_registered(name, JSON_DATA_CONTENT_TYPE):
        return name, registry.serialize(value, type_name=name, data_content_type=JSON_DATA_CONTENT_TYPE)
    known = try_get_known_serializers_for_type(type(value))
    if known:
        registry.add_serializer(known)
        serializer = known[0]
        if serializer.data_content_type == JSON_DATA_CONTENT_TYPE:
            return name, serializer.serialize(value)
    if type(value) in _JSON_SCALARS:
        try:
            return JSON_TYPE, json.dumps(value, separators=(",", ":")).encode()
        except (TypeError, ValueError) as e:
            raise NoSerializerError(f"Value of type {name} is not JSON-serializable for NATS: {e}") from e
    raise NoSerializerError(
        f"Message type {type(value).__module__}.{type(value).__qualname__} has no serializer, so it cannot cross "
        f"NATS. Register one with runtime.add_message_serializer(...) (pydantic models and flat dataclasses get one "
        f"automatically)."
    )


def decode_payload(registry: SerializationRegistry, name: str, payload: bytes) -> Any:
    if name == NULL_TYPE:
        return None
    if name == JSON_TYPE:
        return json.loads(payload)
    return registry.deserialize(payload, type_name=name, data_content_type=JSON_DATA_CONTENT_TYPE)


def agent_str(agent: AgentId | None) -> str | None:
    return None if agent is None else f"{agent.type}/{agent.key}"


def parse_agent(value: Any) -> AgentId | None:
    if value is None:
        return None
    return AgentId.from_str(str(value))


def topic_of(meta: dict[str, Any]) -> TopicId:
    return TopicId(str(meta["tt"]), str(meta["ts"]))


# ---------------------------------------------------------------- KV keys


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=") or "_"


def _unb64(token: str) -> str:
    if token == "_":
        return ""
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()


def kv_id(agent: AgentId) -> str:
    """An agent id as KV key tokens (KV keys allow ``[-/_=.a-zA-Z0-9]``; both parts are base64url)."""
    return f"{_b64(agent.type)}.{_b64(agent.key)}"


def parse_kv_id(token: str) -> AgentId:
    agent_type, key = token.split(".", 1)
    return AgentId(_unb64(agent_type), _unb64(key))
