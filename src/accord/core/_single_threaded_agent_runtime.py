"""The local, single-process actor runtime (``SingleThreadedAgentRuntime``, autogen-core's API).

How it is fast: once started, a ``send_message`` runs the recipient's handler directly in the caller's
task (no queue hop, no extra task), and a publish costs one task plus one per extra recipient. Before
``start()`` (manual stepping with ``process_next``) every message goes through a FIFO queue, as in
AutoGen, so tests stay deterministic.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import sys
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from .._errors import RunError, StateError
from ._agent import Agent, AgentMetadata
from ._agent_directory import AgentDirectory
from ._agent_id import AgentId, AgentType
from ._cancellation_token import CancellationToken
from ._constants import EVENT_LOGGER_NAME
from ._contexts import MessageHandlerContext
from ._envelope_events import EnvelopeEvent, EnvelopeKind, EnvelopeListener
from ._intervention import InterventionHandler, is_drop
from ._message_context import MessageContext
from ._serialization import MessageSerializer, SerializationRegistry, type_name
from ._subscription import Subscription
from ._subscription_manager import SubscriptionManager
from ._telemetry import RuntimeTracer
from ._topic import TopicId
from .exceptions import MessageDroppedException, RecipientNotFoundError
from .logging import (
    DeliveryStage,
    MessageDroppedEvent,
    MessageEvent,
    MessageHandlerExceptionEvent,
    MessageKind,
)

__all__ = ["SingleThreadedAgentRuntime"]

event_logger = logging.getLogger(EVENT_LOGGER_NAME)
logger = logging.getLogger("autogen_core")

T = TypeVar("T", bound=Agent)
_EAGER = sys.version_info >= (3, 12)


class _SendEnvelope:
    __slots__ = ("future", "message", "message_id", "recipient", "sender", "token")

    def __init__(
        self,
        message: Any,
        sender: AgentId | None,
        recipient: AgentId,
        future: asyncio.Future[Any],
        token: CancellationToken,
        message_id: str,
    ) -> None:
        self.message = message
        self.sender = sender
        self.recipient = recipient
        self.future = future
        self.token = token
        self.message_id = message_id


class _PublishEnvelope:
    __slots__ = ("message", "message_id", "sender", "token", "topic_id")

    def __init__(
        self, message: Any, sender: AgentId | None, topic_id: TopicId, token: CancellationToken, message_id: str
    ) -> None:
        self.message = message
        self.sender = sender
        self.topic_id = topic_id
        self.token = token
        self.message_id = message_id


class SingleThreadedAgentRuntime:
    """Runs agents in one asyncio event loop.

    Args:
        intervention_handlers: see every send, publish and response before delivery (may change or drop them).
        tracer_provider: an OpenTelemetry tracer provider for messaging spans (optional).
        ignore_unhandled_exceptions: when False, an exception raised by a handler of a published message is
            re-raised from the next ``process_next`` / ``stop_when_idle`` / ``stop``.
    """

    def __init__(
        self,
        *,
        intervention_handlers: list[InterventionHandler] | None = None,
        tracer_provider: Any | None = None,
        ignore_unhandled_exceptions: bool = True,
    ) -> None:
        self._interventions: list[InterventionHandler] = list(intervention_handlers or [])
        self._tracer = RuntimeTracer(tracer_provider, "SingleThreadedAgentRuntime")
        self._ignore_unhandled_exceptions = ignore_unhandled_exceptions
        self._directory = AgentDirectory()
        self._factories = self._directory.factories  # read on the hot path
        self._agents = self._directory.agents
        self._subscriptions = SubscriptionManager()
        self._serialization = SerializationRegistry()
        self._queue: deque[_SendEnvelope | _PublishEnvelope] = deque()
        self._running = False
        self._pending = 0
        self._idle: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._publishes: deque[_PublishEnvelope] = deque()
        self._drain_task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._listeners: list[EnvelopeListener] = []
        self._ids = itertools.count(1)
        self._id_prefix = os.urandom(6).hex()

    # ---------------------------------------------------------------- properties

    @property
    def unprocessed_messages_count(self) -> int:
        return len(self._queue)

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def _known_agent_names(self) -> set[str]:
        return set(self._factories)

    # ---------------------------------------------------------------- envelope events

    def add_envelope_listener(self, listener: EnvelopeListener) -> Callable[[], None]:
        """Call ``listener`` with every :class:`EnvelopeEvent`; returns a function that removes it."""
        self._listeners.append(listener)

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return remove

    def _emit(
        self,
        kind: EnvelopeKind,
        message_id: str,
        message: Any,
        sender: AgentId | None,
        recipient: AgentId | None,
        topic_id: TopicId | None,
        duration_s: float | None = None,
        error: BaseException | None = None,
    ) -> None:
        event = EnvelopeEvent(
            kind,
            message_id,
            message,
            type_name(message),
            sender,
            recipient,
            topic_id,
            time.time(),
            duration_s,
            None if error is None else f"{type(error).__name__}: {error}",
        )
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("Envelope listener %r failed", listener)

    # ---------------------------------------------------------------- bookkeeping

    def _new_message_id(self) -> str:
        return f"{self._id_prefix}-{next(self._ids)}"

    def _begin(self) -> None:
        self._pending += 1

    def _end(self) -> None:
        self._pending -= 1
        if self._pending == 0 and self._idle is not None:
            self._idle.set()

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        """Run ``coro`` in its own task (eagerly on Python 3.12+); the task removes itself from ``_tasks``."""
        if _EAGER:
            task: asyncio.Task[Any] = asyncio.Task(coro, eager_start=True)  # type: ignore[call-arg]
            if task.done():
                return
        else:
            task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)

    def _unknown_recipient(self, recipient: AgentId) -> RecipientNotFoundError:
        return self._directory.unknown(recipient)

    def _observe_entry(
        self, message: Any, message_id: str, sender: AgentId | None, destination: AgentId | TopicId
    ) -> None:
        """Report a message entering the runtime: envelope event, producer span, structured log event."""
        direct = isinstance(destination, AgentId)
        if self._listeners:
            if isinstance(destination, AgentId):
                self._emit("send", message_id, message, sender, destination, None)
            else:
                self._emit("publish", message_id, message, sender, None, destination)
        if self._tracer.enabled:
            with self._tracer.span("create", destination, attributes={"messaging.message.type": type_name(message)}):
                pass
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                MessageEvent(
                    payload=repr(message),
                    sender=sender,
                    receiver=destination,
                    kind=MessageKind.DIRECT if direct else MessageKind.PUBLISH,
                    delivery_stage=DeliveryStage.SEND,
                )
            )

    # ---------------------------------------------------------------- send

    async def send_message(
        self,
        message: Any,
        recipient: AgentId,
        *,
        sender: AgentId | None = None,
        cancellation_token: CancellationToken | None = None,
        message_id: str | None = None,
    ) -> Any:
        """Send ``message`` to ``recipient`` and wait for the handler's response."""
        if recipient.type not in self._factories:
            raise self._unknown_recipient(recipient)
        if message_id is None:
            message_id = self._new_message_id()
        if self._listeners or self._tracer.enabled or event_logger.isEnabledFor(logging.INFO):
            self._observe_entry(message, message_id, sender, recipient)
        if not self._running:
            token = cancellation_token if cancellation_token is not None else CancellationToken()
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            token.link_future(future)
            self._begin()
            self._queue.append(_SendEnvelope(message, sender, recipient, future, token, message_id))
            return await future
        self._begin()
        try:
            if cancellation_token is None:
                return await self._handle_send(message, sender, recipient, CancellationToken(), message_id)
            return await self._handle_send_cancellable(message, sender, recipient, cancellation_token, message_id)
        finally:
            self._end()

    async def _handle_send_cancellable(
        self, message: Any, sender: AgentId | None, recipient: AgentId, token: CancellationToken, message_id: str
    ) -> Any:
        if token.is_cancelled():
            raise asyncio.CancelledError()
        task = asyncio.current_task()
        assert task is not None
        fired = False

        def on_cancel() -> None:
            nonlocal fired
            fired = True
            task.cancel()

        token.add_callback(on_cancel)
        try:
            return await self._handle_send(message, sender, recipient, token, message_id)
        except asyncio.CancelledError:
            if fired:
                task.uncancel()
            raise
        finally:
            token.remove_callback(on_cancel)

    async def _handle_send(
        self, message: Any, sender: AgentId | None, recipient: AgentId, token: CancellationToken, message_id: str
    ) -> Any:
        ctx = MessageContext(sender, None, True, token, message_id)
        if self._interventions:
            message = await self._intervene_send(message, ctx, recipient)
        agent = self._agents.get(recipient)
        if agent is None:
            agent = await self._get_agent(recipient)
        started = time.perf_counter() if self._listeners else 0.0
        token_ctx = MessageHandlerContext._CONTEXT.set(recipient)
        try:
            if self._tracer.enabled:
                with self._tracer.span("process", recipient, attributes={"messaging.message.type": type_name(message)}):
                    response = await agent.on_message(message, ctx)
            else:
                response = await agent.on_message(message, ctx)
        except BaseException as e:
            if self._listeners:
                self._emit("error", message_id, message, sender, recipient, None, time.perf_counter() - started, e)
            if event_logger.isEnabledFor(logging.INFO) and isinstance(e, Exception):
                event_logger.info(
                    MessageHandlerExceptionEvent(payload=repr(message), handling_agent=recipient, exception=e)
                )
            raise
        finally:
            MessageHandlerContext._CONTEXT.reset(token_ctx)
        if self._interventions:
            response = await self._intervene_response(response, recipient, sender)
        if self._listeners:
            self._emit("response", message_id, response, recipient, sender, None, time.perf_counter() - started)
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(
                MessageEvent(
                    payload=repr(response),
                    sender=recipient,
                    receiver=sender,
                    kind=MessageKind.RESPOND,
                    delivery_stage=DeliveryStage.SEND,
                )
            )
        return response

    async def _intervene_send(self, message: Any, ctx: MessageContext, recipient: AgentId) -> Any:
        for handler in self._interventions:
            message = await handler.on_send(message, message_context=ctx, recipient=recipient)
            if is_drop(message):
                self._log_drop(ctx.message_id, message, ctx.sender, recipient, MessageKind.DIRECT)
                raise MessageDroppedException(f"Message to {recipient} dropped by intervention handler {handler!r}")
            if message is None:
                warnings.warn(
                    f"Intervention handler {handler!r} returned None from on_send; return the message or DropMessage",
                    RuntimeWarning,
                    stacklevel=2,
                )
        return message

    async def _intervene_response(self, response: Any, recipient: AgentId, sender: AgentId | None) -> Any:
        for handler in self._interventions:
            response = await handler.on_response(response, sender=recipient, recipient=sender)
            if is_drop(response):
                self._log_drop("", response, recipient, sender, MessageKind.RESPOND)
                raise MessageDroppedException(f"Response from {recipient} dropped by intervention handler {handler!r}")
            if response is None:
                warnings.warn(
                    f"Intervention handler {handler!r} returned None from on_response", RuntimeWarning, stacklevel=2
                )
        return response

    def _log_drop(
        self,
        message_id: str,
        message: Any,
        sender: AgentId | None,
        receiver: AgentId | TopicId | None,
        kind: MessageKind,
    ) -> None:
        if self._listeners:
            recipient = receiver if isinstance(receiver, AgentId) else None
            topic = receiver if isinstance(receiver, TopicId) else None
            self._emit("drop", message_id, message, sender, recipient, topic)
        if event_logger.isEnabledFor(logging.INFO):
            event_logger.info(MessageDroppedEvent(payload=repr(message), sender=sender, receiver=receiver, kind=kind))

    # ---------------------------------------------------------------- publish

    async def publish_message(
        self,
        message: Any,
        topic_id: TopicId,
        *,
        sender: AgentId | None = None,
        cancellation_token: CancellationToken | None = None,
        message_id: str | None = None,
    ) -> None:
        """Publish ``message`` to every agent subscribed to ``topic_id`` (except the sender); returns at once."""
        if cancellation_token is None:
            cancellation_token = CancellationToken()
        if message_id is None:
            message_id = self._new_message_id()
        if self._listeners or self._tracer.enabled or event_logger.isEnabledFor(logging.INFO):
            self._observe_entry(message, message_id, sender, topic_id)
        envelope = _PublishEnvelope(message, sender, topic_id, cancellation_token, message_id)
        self._begin()
        if self._running:
            self._publishes.append(envelope)
            if self._drain_task is None:
                self._drain_task = asyncio.get_running_loop().create_task(self._drain_publishes())
        else:
            self._queue.append(envelope)

    async def _drain_publishes(self) -> None:
        """Deliver queued publishes in order, letting each one's deliveries start before the next.

        One task drains them all, so publishing in a tight loop keeps a bounded number of live tasks.
        """
        try:
            while self._publishes:
                await self._deliver_publish(self._publishes.popleft())
                if self._publishes:
                    await asyncio.sleep(0)
        finally:
            self._drain_task = None

    async def _deliver_publish(self, envelope: _PublishEnvelope) -> None:
        try:
            message = envelope.message
            sender = envelope.sender
            ctx = MessageContext(sender, envelope.topic_id, False, envelope.token, envelope.message_id)
            if self._interventions:
                try:
                    for handler in self._interventions:
                        message = await handler.on_publish(message, message_context=ctx)
                        if is_drop(message):
                            self._log_drop(envelope.message_id, message, sender, envelope.topic_id, MessageKind.PUBLISH)
                            return
                        if message is None:
                            warnings.warn(
                                f"Intervention handler {handler!r} returned None from on_publish",
                                RuntimeWarning,
                                stacklevel=2,
                            )
                except Exception:
                    logger.exception("Intervention handler failed on publish; message discarded")
                    return
            recipients = self._subscriptions.recipients(envelope.topic_id)
            for recipient in recipients:
                if recipient != sender:
                    self._pending += 1
                    self._spawn(self._deliver_one(message, recipient, ctx))
        finally:
            self._end()

    async def _deliver_one(self, message: Any, recipient: AgentId, ctx: MessageContext) -> None:
        """Deliver a published message to one recipient, in its own task (counted in ``_pending``)."""
        try:
            if ctx.cancellation_token.is_cancelled():
                return
            agent = self._agents.get(recipient)
            if agent is None:
                agent = await self._get_agent(recipient)
            token_ctx = MessageHandlerContext._CONTEXT.set(recipient)
            try:
                if self._tracer.enabled:
                    with self._tracer.span(
                        "process", recipient, attributes={"messaging.message.type": type_name(message)}
                    ):
                        await agent.on_message(message, ctx)
                else:
                    await agent.on_message(message, ctx)
            finally:
                MessageHandlerContext._CONTEXT.reset(token_ctx)
        except asyncio.CancelledError:
            return
        except Exception as e:
            if self._listeners:
                self._emit("error", ctx.message_id, message, ctx.sender, recipient, ctx.topic_id, None, e)
            if event_logger.isEnabledFor(logging.INFO):
                event_logger.info(
                    MessageHandlerExceptionEvent(payload=repr(message), handling_agent=recipient, exception=e)
                )
            logger.error("Error processing publish message for %s", recipient, exc_info=e)
            if not self._ignore_unhandled_exceptions and self._error is None:
                self._error = e
        finally:
            self._end()
            self._tasks.discard(asyncio.current_task())  # type: ignore[arg-type]

    # ---------------------------------------------------------------- manual stepping and lifecycle

    async def process_next(self) -> None:
        """Process the next queued message (handlers run in background tasks). For deterministic tests."""
        self._raise_stored_error()
        if not self._queue:
            await asyncio.sleep(0)
            return
        envelope = self._queue.popleft()
        if isinstance(envelope, _SendEnvelope):
            self._spawn(self._process_queued_send(envelope))
        else:
            await self._deliver_publish(envelope)
        await asyncio.sleep(0)

    # AutoGen's name for process_next (its tests and extension code step the runtime with it).
    _process_next = process_next

    async def _process_queued_send(self, envelope: _SendEnvelope) -> None:
        try:
            if envelope.future.done():
                return
            try:
                result = await self._handle_send(
                    envelope.message, envelope.sender, envelope.recipient, envelope.token, envelope.message_id
                )
            except BaseException as e:
                if not envelope.future.done():
                    if isinstance(e, asyncio.CancelledError):
                        envelope.future.cancel()
                    else:
                        envelope.future.set_exception(e)
                return
            if not envelope.future.done():
                envelope.future.set_result(result)
        finally:
            self._end()
            self._tasks.discard(asyncio.current_task())  # type: ignore[arg-type]

    def start(self) -> None:
        """Start processing messages in the current event loop."""
        if self._running:
            raise RunError("Runtime is already started")
        self._running = True
        self._idle = asyncio.Event()
        if self._pending == 0:
            self._idle.set()
        while self._queue:
            envelope = self._queue.popleft()
            if isinstance(envelope, _SendEnvelope):
                self._spawn(self._process_queued_send(envelope))
            else:
                self._publishes.append(envelope)
        if self._publishes and self._drain_task is None:
            self._drain_task = asyncio.get_running_loop().create_task(self._drain_publishes())

    async def stop(self) -> None:
        """Stop now: messages being handled finish, queued ones are discarded. The runtime can be restarted."""
        if not self._running:
            raise RunError("Runtime is not started")
        self._running = False
        self._discard_queue()
        self._raise_stored_error()

    async def stop_when_idle(self) -> None:
        """Wait until every message (and everything it caused) has been handled, then stop."""
        if not self._running:
            raise RunError("Runtime is not started")
        while self._pending:
            assert self._idle is not None
            self._idle.clear()
            if self._pending == 0:
                break
            await self._idle.wait()
        self._running = False
        self._raise_stored_error()

    async def stop_when(self, condition: Callable[[], bool], check_period: float = 1.0) -> None:
        """Stop once ``condition()`` is true (checked every ``check_period`` seconds)."""
        if not self._running:
            raise RunError("Runtime is not started")
        while not condition():  # noqa: ASYNC110 - polling a user condition is the API
            await asyncio.sleep(check_period)
        await self.stop()

    async def close(self) -> None:
        """Stop if running and close every instantiated agent."""
        if self._running:
            self._running = False
            self._discard_queue()
        await self._directory.close_all()

    def _discard_queue(self) -> None:
        while self._queue:
            envelope = self._queue.popleft()
            if isinstance(envelope, _SendEnvelope):
                envelope.future.cancel()
            self._end()
        while self._publishes:
            self._publishes.popleft()
            self._end()

    def _raise_stored_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    # ---------------------------------------------------------------- registration

    async def register_factory(
        self,
        type: str | AgentType,
        agent_factory: Callable[[], T | Awaitable[T]],
        *,
        expected_class: type[T] | None = None,
    ) -> AgentType:
        """Register a factory that creates agents of ``type`` on first use."""
        name = type.type if isinstance(type, AgentType) else type
        return self._directory.register_factory(name, agent_factory, expected_class)

    async def register_agent_instance(self, agent_instance: Agent, agent_id: AgentId) -> AgentId:
        """Register an already-created agent under ``agent_id``."""
        return await self._directory.register_instance(agent_instance, agent_id, self)

    async def _get_agent(self, agent_id: AgentId) -> Agent:
        return await self._directory.get(agent_id, self)

    async def try_get_underlying_agent_instance(self, id: AgentId, type: type[T] = Agent) -> T:  # type: ignore[assignment]
        """The agent object behind ``id`` (created if needed); TypeError if it is not a ``type``."""
        if id.type not in self._factories:
            raise self._unknown_recipient(id)
        agent = await self._get_agent(id)
        if not isinstance(agent, type):
            raise TypeError(f"Agent {id} is a {agent.__class__.__name__}, not a {type.__name__}")
        return agent

    async def get(
        self, id_or_type: AgentId | AgentType | str, /, key: str = "default", *, lazy: bool = True
    ) -> AgentId:
        """The id of an agent of the given type and key (created now unless ``lazy``)."""
        agent_id = id_or_type if isinstance(id_or_type, AgentId) else AgentId(id_or_type, key)
        if agent_id.type not in self._factories:
            raise self._unknown_recipient(agent_id)
        if not lazy:
            await self._get_agent(agent_id)
        return agent_id

    async def agent_metadata(self, agent: AgentId) -> AgentMetadata:
        return (await self._get_agent(agent)).metadata

    async def agent_save_state(self, agent: AgentId) -> Mapping[str, Any]:
        return await (await self._get_agent(agent)).save_state()

    async def agent_load_state(self, agent: AgentId, state: Mapping[str, Any]) -> None:
        if not isinstance(state, Mapping):
            raise StateError(f"State for agent {agent} must be a mapping, got {type(state).__name__}")
        await (await self._get_agent(agent)).load_state(state)

    # ---------------------------------------------------------------- state

    async def save_state(self) -> Mapping[str, Any]:
        """JSON-able state of every instantiated agent: ``{"type/key": agent_state}``."""
        return await self._directory.save_state()

    async def load_state(self, state: Mapping[str, Any]) -> None:
        """Load what :meth:`save_state` returned. A malformed state changes nothing."""
        await self._directory.load_state(state, self)

    # ---------------------------------------------------------------- subscriptions and serializers

    async def add_subscription(self, subscription: Subscription) -> None:
        self._subscriptions.add_subscription(subscription)

    async def remove_subscription(self, id: str) -> None:
        self._subscriptions.remove_subscription(id)

    def add_message_serializer(self, serializer: MessageSerializer[Any] | Sequence[MessageSerializer[Any]]) -> None:
        self._serialization.add_serializer(serializer)

    @property
    def serialization_registry(self) -> SerializationRegistry:
        return self._serialization

    @property
    def subscriptions(self) -> list[Subscription]:
        return self._subscriptions.subscriptions
