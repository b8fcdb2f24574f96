"""``NatsAgentRuntime``: the AgentRuntime API of the local runtime, over NATS JetStream, for many workers.

Direct messages are NATS request/reply to the worker that hosts the recipient; published messages go through a
JetStream stream with one durable consumer per subscribing agent type. See docs/distributed.md.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import time
import uuid
import warnings
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

from ..._errors import RunError, StateError, UsageError
from ...core import (
    Agent,
    AgentId,
    AgentMetadata,
    AgentType,
    CancellationToken,
    MessageContext,
    MessageSerializer,
    Subscription,
    TopicId,
)
from ...core._agent_directory import AgentDirectory
from ...core._contexts import MessageHandlerContext
from ...core._envelope_events import EnvelopeEvent, EnvelopeKind, EnvelopeListener
from ...core._intervention import InterventionHandler, is_drop
from ...core._serialization import SerializationRegistry, type_name
from ...core.exceptions import MessageDroppedException, NotAccessibleError, UndeliverableException
from ._activations import ActivationTable, Moved
from ._connection import connect, ensure_bucket, ensure_stream, redact
from ._membership import Member, Membership
from ._serving import Serving
from ._subscriptions import SubscriptionTable
from ._wire import (
    MessageTooLargeError,
    Subjects,
    agent_str,
    decode_frame,
    decode_payload,
    encode_frame,
    encode_payload,
    remote_error,
)

__all__ = ["NatsAgentRuntime"]

logger = logging.getLogger("accord.runtimes.nats")
T = TypeVar("T", bound=Agent)
_COUNTERS = ("rpc_sent", "rpc_handled", "published", "deliveries", "redeliveries", "duplicates_skipped", "forwards",
             "moved_retries", "handle_seconds", "rpc_seconds")  # fmt: skip


class _WorkerGone(UndeliverableException):
    """The worker a request went to left the deployment before it answered."""


class NatsAgentRuntime(Serving):
    """Runs agents on many workers (processes, machines) connected by NATS JetStream; the local runtime's API.

    Args:
        url: the NATS server (``nats://host:4222``); it must run JetStream.
        deployment: the name that separates deployments on one NATS (its KV bucket, stream and subjects).
        worker_id: this worker's name (default: random); unique within the deployment.
        connect_timeout: seconds to connect before failing with an error that names the URL.
        rpc_timeout: the deadline of a ``send_message`` to another worker (seconds, None: none); the remote handler
            is cancelled when it passes.
        heartbeat / lease_ttl: how often this worker announces itself, and after how long without one a worker is
            dead (its agent ids then re-activate elsewhere).
        max_unacked: published messages this worker holds unacknowledged at once (backpressure).
        handled_window: ids of handled published messages each agent remembers (de-duplication of redeliveries).
        intervention_handlers: run where a message enters the deployment (the sending worker) and on the response.
    """

    def __init__(
        self,
        url: str = "nats://127.0.0.1:4222",
        *,
        deployment: str = "default",
        worker_id: str | None = None,
        connect_timeout: float = 5.0,
        rpc_timeout: float | None = 300.0,
        publish_timeout: float = 30.0,
        heartbeat: float = 0.4,
        lease_ttl: float = 1.5,
        max_unacked: int = 512,
        ack_wait: float = 10.0,
        handled_window: int = 1024,
        intervention_handlers: list[InterventionHandler] | None = None,
        ignore_unhandled_exceptions: bool = True,
        nats_options: Mapping[str, Any] | None = None,
    ) -> None:
        if not deployment.replace("-", "").replace("_", "").isalnum():
            raise UsageError(f"Invalid deployment name {deployment!r}: use letters, digits, '-' and '_'")
        self._url = url
        self._deployment = deployment
        self._worker_id = worker_id or f"w{uuid.uuid4().hex[:12]}"
        if not self._worker_id.replace("-", "").replace("_", "").isalnum():
            raise UsageError(f"Invalid worker id {self._worker_id!r}: use letters, digits, '-' and '_'")
        self._connect_timeout = connect_timeout
        self._rpc_timeout = rpc_timeout
        self._publish_timeout = publish_timeout
        self._heartbeat = heartbeat
        self._lease_ttl = lease_ttl
        self._max_unacked = max_unacked
        self._ack_wait = ack_wait
        self._window = handled_window
        self._interventions = list(intervention_handlers or [])
        self._ignore_unhandled_exceptions = ignore_unhandled_exceptions
        self._nats_options = dict(nats_options or {})
        self._subjects = Subjects(deployment)
        self._directory = AgentDirectory()
        self._serialization = SerializationRegistry()
        self._subs = SubscriptionTable()
        self._listeners: list[EnvelopeListener] = []
        self._member = Member(self._worker_id)
        self._nc: Any = None
        self._js: Any = None
        self._kv: Any = None
        self._membership: Any = None
        self._acts: Any = None
        self._connect_lock: asyncio.Lock | None = None
        self._running = False
        self._joined = False
        self._inbox_subs: list[Any] = []
        self._waiting: dict[str, tuple[asyncio.Future[tuple[dict[str, Any], bytes]], str]] = {}
        self._mailboxes = {}
        self._serving = {}
        self._consumers = {}
        self._unacked = 0
        self._capacity = asyncio.Event()
        self._pending = 0
        self._idle = asyncio.Event()
        self._tasks = set()
        self._start_task: asyncio.Task[None] | None = None
        self._error: BaseException | None = None
        self._counters = dict.fromkeys(_COUNTERS, 0.0)
        self._ids = itertools.count(1)
        self._id_prefix = os.urandom(6).hex()

    # ---------------------------------------------------------------- properties

    @property
    def worker_id(self) -> str:
        return self._worker_id

    @property
    def url(self) -> str:
        return redact(self._url)

    @property
    def is_running(self) -> bool:
        return self._running

    @property
    def serialization_registry(self) -> SerializationRegistry:
        return self._serialization

    @property
    def subscriptions(self) -> list[Subscription]:
        return self._subs.subscriptions

    def metrics(self) -> dict[str, float]:
        """Counters of this worker: messages sent/handled/delivered, redeliveries, duplicates skipped, latency sums."""
        result = dict(self._counters)
        result["activations"] = float(len(self._acts.active)) if self._acts is not None else 0.0
        result["unacked"] = float(self._unacked)
        return result

    # ---------------------------------------------------------------- connection and membership

    async def _connect(self) -> None:
        if self._kv is not None:
            return
        if self._connect_lock is None:
            self._connect_lock = asyncio.Lock()
        async with self._connect_lock:
            if self._kv is not None:
                return
            nc = await connect(
                self._url, timeout=self._connect_timeout, name=f"accord-{self._worker_id}", **self._nats_options
            )
            try:
                js = nc.jetstream(timeout=self._connect_timeout)
                kv = await ensure_bucket(js, f"accord_{self._deployment}")
                await ensure_stream(js, self._subjects)
            except Exception as e:
                await nc.close()
                raise RunError(
                    f"NATS at {redact(self._url)} has no usable JetStream ({type(e).__name__}: {e}); start "
                    f"nats-server with -js"
                ) from e
            self._nc, self._js = nc, js
            self._membership = Membership(kv, self._member, heartbeat=self._heartbeat, lease_ttl=self._lease_ttl)
            self._membership.listeners.append(self._on_membership)
            self._acts = ActivationTable(
                kv, self._membership, self._create_agent, window=self._window, lease_wait=self._lease_ttl * 2 + 1.0
            )
            self._inbox_subs.append(await nc.subscribe(self._subjects.reply(self._worker_id), cb=self._on_reply))
            self._kv = kv

    async def _create_agent(self, agent_id: AgentId) -> Agent:
        return await self._directory.get(agent_id, self)

    def _on_membership(self, joined: set[str], left: set[str]) -> None:
        for cid, (future, worker) in list(self._waiting.items()):
            if worker in left and not future.done():
                future.set_exception(_WorkerGone(f"worker {worker} left the deployment before it answered"))
                self._waiting.pop(cid, None)
        if self._running and self._acts is not None:
            moved = [a for a in self._acts.active if self._membership.owner(a) != self._worker_id]
            for agent_id in moved:
                if not self._acts.active[agent_id].pinned:
                    self._spawn(self._acts.deactivate(agent_id, self._drop_agent))

    def _drop_agent(self, agent_id: AgentId) -> None:
        self._directory.agents.pop(agent_id, None)

    async def _start_async(self) -> None:
        await self._connect()
        subjects, nc = self._subjects, self._nc
        self._inbox_subs.append(await nc.subscribe(subjects.rpc(self._worker_id), cb=self._on_rpc))
        self._inbox_subs.append(await nc.subscribe(subjects.deliver(self._worker_id), cb=self._on_deliver))
        self._inbox_subs.append(await nc.subscribe(subjects.cancel(self._worker_id), cb=self._on_cancel))
        await self._subs.attach(self._kv)
        await self._membership.join()
        self._joined = True
        for agent_type in self._directory.factories:
            await self._start_consumer(agent_type)
        await nc.flush()

    async def _ready(self) -> None:
        if not self._running:
            raise RunError("NatsAgentRuntime is not started: call start() first")
        if self._start_task is not None:
            if not self._start_task.done():
                await asyncio.shield(self._start_task)
            elif self._start_task.exception() is not None:
                raise self._start_task.exception()  # type: ignore[misc]

    async def _announce(self) -> None:
        self._membership.refresh_me()
        if self._joined:
            await self._membership.beat()

    # ---------------------------------------------------------------- bookkeeping

    def _new_message_id(self) -> str:
        return f"{self._id_prefix}-{next(self._ids)}"

    def _begin(self) -> None:
        self._pending += 1

    def _end(self) -> None:
        self._pending -= 1
        if self._pending == 0:
            self._idle.set()

    def _record_error(self, e: BaseException) -> None:
        if not self._ignore_unhandled_exceptions and self._error is None:
            self._error = e

    def add_envelope_listener(self, listener: EnvelopeListener) -> Callable[[], None]:
        """Call ``listener`` with every :class:`EnvelopeEvent` of this worker; returns a function that removes it."""
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
        if not self._listeners:
            return
        event = EnvelopeEvent(
            kind, message_id, message, type_name(message), sender, recipient, topic_id, time.time(), duration_s,
            None if error is None else f"{type(error).__name__}: {error}",
        )  # fmt: skip
        for listener in tuple(self._listeners):
            try:
                listener(event)
            except Exception:
                logger.exception("Envelope listener %r failed", listener)

    # ---------------------------------------------------------------- requests to other workers

    async def _on_reply(self, msg: Any) -> None:
        try:
            meta, payload = decode_frame(msg.data)
        except Exception:
            return
        waiting = self._waiting.pop(str(meta.get("c")), None)
        if waiting is not None and not waiting[0].done():
            waiting[0].set_result((meta, payload))

    def _check_size(self, what: str, data: bytes) -> None:
        limit = int(getattr(self._nc, "max_payload", 0) or 0)
        if limit and len(data) > limit:
            raise MessageTooLargeError(
                f"{what} is {len(data)} bytes, larger than the NATS server's max payload of {limit} bytes; raise "
                f"max_payload in the server config or send a reference to the data instead"
            )

    async def _request(
        self, worker: str, subject: str, meta: dict[str, Any], payload: bytes, timeout: float | None
    ) -> tuple[dict[str, Any], bytes]:
        cid = self._new_message_id()
        meta = dict(meta, c=cid, w=self._worker_id)
        data = encode_frame(meta, payload)
        self._check_size(f"Message {meta.get('t', '')} to {meta.get('r')}", data)
        future: asyncio.Future[tuple[dict[str, Any], bytes]] = asyncio.get_running_loop().create_future()
        self._waiting[cid] = (future, worker)
        try:
            if not self._membership.is_live(worker):
                raise _WorkerGone(f"worker {worker} is not live")
            await self._nc.publish(subject, data, reply=self._subjects.reply(self._worker_id))
            if timeout is None:
                return await future
            async with asyncio.timeout(timeout):
                return await future
        except BaseException:
            self._waiting.pop(cid, None)
            answered = future.done() and not future.cancelled() and future.exception() is None
            future.cancel()
            if not answered and subject.endswith(".rpc") and "op" not in meta:
                await self._send_cancel(subject.rsplit(".", 1)[0] + ".cancel", cid)  # the handler stops too
            raise

    async def _send_cancel(self, subject: str, cid: str) -> None:
        try:
            await self._nc.publish(subject, encode_frame({"c": cid, "w": self._worker_id}, b""))
        except Exception:
            pass

    # ---------------------------------------------------------------- send

    def _unknown(self, agent_id: AgentId) -> UndeliverableException:
        known = sorted(set(self._directory.factories) | set(self._membership.known_types() if self._membership else []))
        error = self._directory.unknown(agent_id)
        return type(error)(
            f"Recipient not found: agent type {agent_id.type!r} is served by no live worker of deployment "
            f"{self._deployment!r} (types served: {', '.join(known) or 'none'})"
        )

    async def send_message(
        self,
        message: Any,
        recipient: AgentId,
        *,
        sender: AgentId | None = None,
        cancellation_token: CancellationToken | None = None,
        message_id: str | None = None,
    ) -> Any:
        """Send ``message`` to ``recipient`` (wherever it lives) and wait for the handler's response."""
        await self._ready()
        if recipient.type not in self._directory.factories and not self._membership.serves(recipient.type):
            raise self._unknown(recipient)
        if message_id is None:
            message_id = self._new_message_id()
        self._emit("send", message_id, message, sender, recipient, None)
        token = cancellation_token if cancellation_token is not None else CancellationToken()
        if self._interventions:
            ctx = MessageContext(sender, None, True, token, message_id)
            for handler in self._interventions:
                message = await handler.on_send(message, message_context=ctx, recipient=recipient)
                if is_drop(message):
                    self._emit("drop", message_id, message, sender, recipient, None)
                    raise MessageDroppedException(f"Message to {recipient} dropped by intervention handler {handler!r}")
        self._begin()
        try:
            response = await self._route_send(message, sender, recipient, token, message_id)
        finally:
            self._end()
        for handler in self._interventions:
            response = await handler.on_response(response, sender=recipient, recipient=sender)
            if is_drop(response):
                self._emit("drop", "", response, recipient, sender, None)
                raise MessageDroppedException(f"Response from {recipient} dropped by intervention handler {handler!r}")
        return response

    async def _route_send(
        self, message: Any, sender: AgentId | None, recipient: AgentId, token: CancellationToken, message_id: str
    ) -> Any:
        if token.is_cancelled():
            raise asyncio.CancelledError()
        deadline = None if self._rpc_timeout is None else time.time() + self._rpc_timeout
        payload: tuple[str, bytes] | None = None
        while True:
            owner = self._membership.owner(recipient)
            if owner is None and recipient not in self._acts.active:
                raise self._unknown(recipient)
            try:
                if owner == self._worker_id or recipient in self._acts.active:
                    return await self._local_send(message, sender, recipient, token, message_id)
                assert owner is not None
                if payload is None:
                    payload = encode_payload(self._serialization, message)
                return await self._remote_send(owner, payload, sender, recipient, token, message_id, deadline)
            except Moved:
                self._counters["moved_retries"] += 1
            except _WorkerGone as e:
                if not self._membership.idempotent(recipient.type):
                    raise UndeliverableException(
                        f"Worker {owner} hosting {recipient} stopped before answering message {message_id} ({e}); "
                        f"the handler may or may not have run. Register the type with idempotent=True to have such "
                        f"sends retried on the worker that takes over."
                    ) from None
                self._counters["moved_retries"] += 1
            if deadline is not None and time.time() > deadline:
                raise UndeliverableException(f"{recipient} found no worker to host it before the deadline")
            await asyncio.sleep(0.05)

    async def _local_send(
        self, message: Any, sender: AgentId | None, recipient: AgentId, token: CancellationToken, message_id: str
    ) -> Any:
        task = asyncio.current_task()
        assert task is not None
        fired = False

        def on_cancel() -> None:
            nonlocal fired
            fired = True
            task.cancel()

        token.add_callback(on_cancel)
        try:
            return await self._run_send(message, sender, recipient, token, message_id)
        except asyncio.CancelledError:
            if fired:
                task.uncancel()
            raise
        finally:
            token.remove_callback(on_cancel)

    async def _run_send(
        self, message: Any, sender: AgentId | None, recipient: AgentId, token: CancellationToken, message_id: str
    ) -> Any:
        act = await self._acts.get(recipient)
        ctx = MessageContext(sender, None, True, token, message_id)
        started = time.perf_counter()
        act.busy += 1
        token_ctx = MessageHandlerContext._CONTEXT.set(recipient)
        try:
            response = await act.agent.on_message(message, ctx)
        except BaseException as e:
            self._emit("error", message_id, message, sender, recipient, None, time.perf_counter() - started, e)
            raise
        finally:
            MessageHandlerContext._CONTEXT.reset(token_ctx)
            act.busy -= 1
        await self._acts.persist(recipient, act, handled_publish=False)
        self._emit("response", message_id, response, recipient, sender, None, time.perf_counter() - started)
        return response

    async def _remote_send(
        self,
        owner: str,
        payload: tuple[str, bytes],
        sender: AgentId | None,
        recipient: AgentId,
        token: CancellationToken,
        message_id: str,
        deadline: float | None,
    ) -> Any:
        name, body = payload
        meta = {"r": agent_str(recipient), "s": agent_str(sender), "id": message_id, "t": name, "dl": deadline}
        started = time.perf_counter()
        request = asyncio.ensure_future(
            self._request(owner, self._subjects.rpc(owner), meta, body, None if deadline is None else deadline - time.time())
        )  # fmt: skip

        def on_cancel() -> None:
            request.cancel()

        token.add_callback(on_cancel)
        try:
            reply, data = await request
        except TimeoutError:
            raise UndeliverableException(
                f"No answer from {recipient} on worker {owner} within the {self._rpc_timeout}s deadline "
                f"(message {message_id}); the remote handler was cancelled"
            ) from None
        finally:
            token.remove_callback(on_cancel)
        self._counters["rpc_sent"] += 1
        self._counters["rpc_seconds"] += time.perf_counter() - started
        status = reply.get("st")
        if status == "ok":
            return decode_payload(self._serialization, str(reply.get("t")), data)
        if status == "moved":
            raise Moved(f"{recipient} is not on {owner}")
        if status == "cancelled":
            raise asyncio.CancelledError()
        raise remote_error(reply, f"{recipient.type}/{recipient.key}", owner)

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
        """Publish ``message`` to every agent subscribed to ``topic_id`` (except the sender), on any worker.

        Returns once JetStream stored it (retrying with the same ``Nats-Msg-Id`` through a NATS reconnect).
        """
        await self._ready()
        if message_id is None:
            message_id = self._new_message_id()
        self._emit("publish", message_id, message, sender, None, topic_id)
        if self._interventions:
            ctx = MessageContext(sender, topic_id, False, cancellation_token or CancellationToken(), message_id)
            for handler in self._interventions:
                message = await handler.on_publish(message, message_context=ctx)
                if is_drop(message):
                    self._emit("drop", message_id, message, sender, None, topic_id)
                    return
        name, body = encode_payload(self._serialization, message)
        meta = {"id": message_id, "tt": topic_id.type, "ts": topic_id.source, "s": agent_str(sender), "t": name}
        data = encode_frame(meta, body)
        self._check_size(f"Published message {name}", data)
        subject = self._subjects.publish(topic_id.type)
        headers = {"Nats-Msg-Id": message_id}
        deadline = time.monotonic() + self._publish_timeout
        while True:
            try:
                await self._js.publish(subject, data, headers=headers, timeout=2.0)
                break
            except Exception as e:
                if time.monotonic() > deadline:
                    raise UndeliverableException(
                        f"Publish of {message_id} to {topic_id} not stored by JetStream within "
                        f"{self._publish_timeout:g}s: {type(e).__name__}: {e}"
                    ) from e
                await asyncio.sleep(0.1)
        self._counters["published"] += 1

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        """Start serving: connect, join the deployment, consume publishes. Errors surface at the next await."""
        if self._running:
            raise RunError("Runtime is already started")
        self._running = True
        self._idle = asyncio.Event()
        self._capacity = asyncio.Event()
        self._capacity.set()
        if self._pending == 0:
            self._idle.set()
        self._start_task = asyncio.get_running_loop().create_task(self._start_async())

    async def started(self) -> None:
        """Wait until :meth:`start` finished connecting (raises its error, e.g. NATS unreachable)."""
        await self._ready()

    async def stop(self) -> None:
        """Stop serving: leave the deployment (agent ids move to other workers with their saved state)."""
        if not self._running:
            raise RunError("Runtime is not started")
        try:
            await self._ready()
        except Exception:
            self._running = False
            raise
        self._running = False
        await self._stop_consumers()
        for sub in self._inbox_subs[1:]:
            try:
                await sub.unsubscribe()
            except Exception:
                pass
        del self._inbox_subs[1:]
        for _ in range(300):  # handlers already running finish (up to 3 s), then they are cancelled
            if not self._mailboxes and not self._serving:
                break
            await asyncio.sleep(0.01)
        for task, token in list(self._serving.values()):
            token.cancel()
            task.cancel()
        await self._membership.leave()
        await self._subs.detach()
        self._joined = False
        for agent_id in [a for a, act in self._acts.active.items() if not act.pinned]:
            await self._acts.deactivate(agent_id, self._drop_agent)
        self._raise_stored_error()

    async def stop_when_idle(self) -> None:
        """Wait until this worker and the deployment's publish consumers have nothing left to do, then stop."""
        await self._ready()
        quiet = 0
        while quiet < 2:
            if self._pending:
                self._idle.clear()
                if self._pending:
                    await self._idle.wait()
            quiet = quiet + 1 if await self._consumers_idle() and not self._pending else 0
            await asyncio.sleep(0.02)
        await self.stop()

    async def _consumers_idle(self) -> bool:
        try:
            infos = await self._js.consumers_info(self._subjects.stream)
        except Exception:
            return False
        for info in infos:
            served = info.config.description
            if served and not self._membership.serves(served):
                continue  # nobody serves this type any more: its backlog waits for a worker
            if (info.num_pending or 0) or (info.num_ack_pending or 0):
                return False
        return True

    async def stop_when(self, condition: Callable[[], bool], check_period: float = 1.0) -> None:
        while not condition():  # noqa: ASYNC110 - polling a user condition is the API
            await asyncio.sleep(check_period)
        await self.stop()

    async def close(self) -> None:
        """Stop if running, close every agent of this worker and the NATS connection."""
        if self._running:
            try:
                await self.stop()
            except Exception as e:
                logger.warning("Stopping the runtime failed: %s", e)
        await self._directory.close_all()
        if self._nc is not None:
            try:
                await self._nc.close()
            except Exception:
                pass
        self._nc = self._js = self._kv = None

    def _raise_stored_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    async def __aenter__(self) -> NatsAgentRuntime:
        self.start()
        await self.started()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # ---------------------------------------------------------------- registration

    async def register_factory(
        self,
        type: str | AgentType,
        agent_factory: Callable[[], T | Awaitable[T]],
        *,
        expected_class: type[T] | None = None,
        version: str | None = None,
        idempotent: bool = False,
    ) -> AgentType:
        """Serve agent ``type`` on this worker (ids are spread over every worker serving it).

        ``version``: the component version (default: ``expected_class.component_version`` if it has one); workers
        of one type must agree. ``idempotent``: a send whose worker died is retried on the one that takes over.
        """
        name = type.type if isinstance(type, AgentType) else type
        if version is None and expected_class is not None:
            found = getattr(expected_class, "component_version", None)
            version = None if found is None else str(found)
        spec = {"v": version, "idem": bool(idempotent)}
        await self._connect()
        if not self._joined:
            await self._membership._load_all()
        self._membership.check_versions({name: spec})
        result = self._directory.register_factory(name, agent_factory, expected_class)
        self._member.types[name] = spec
        await self._announce()
        if self._joined:
            await self._start_consumer(name)
        return result

    async def register_agent_instance(self, agent_instance: Agent, agent_id: AgentId) -> AgentId:
        """Register an agent object under ``agent_id``; it lives on this worker (its id is pinned here)."""
        await self._connect()
        result = await self._directory.register_instance(agent_instance, agent_id, self)
        self._acts.pin(agent_id, agent_instance)
        self._member.instances.setdefault(agent_id.type, []).append(agent_id.key)
        await self._announce()
        if self._joined:
            await self._start_consumer(agent_id.type)
        return result

    async def try_get_underlying_agent_instance(self, id: AgentId, type: type[T] = Agent) -> T:  # type: ignore[assignment]
        """The agent object behind ``id`` if it lives on this worker (NotAccessibleError if it lives elsewhere)."""
        await self._ready()
        owner = self._membership.owner(id)
        if owner is None:
            raise self._unknown(id)
        if owner != self._worker_id and id not in self._acts.active:
            raise NotAccessibleError(f"Agent {id} lives on worker {owner}, not on this worker ({self._worker_id})")
        agent = (await self._acts.get(id)).agent
        if not isinstance(agent, type):
            raise TypeError(f"Agent {id} is a {agent.__class__.__name__}, not a {type.__name__}")
        return agent

    async def get(
        self, id_or_type: AgentId | AgentType | str, /, key: str = "default", *, lazy: bool = True
    ) -> AgentId:
        agent_id = id_or_type if isinstance(id_or_type, AgentId) else AgentId(id_or_type, key)
        await self._ready()
        if agent_id.type not in self._directory.factories and not self._membership.serves(agent_id.type):
            raise self._unknown(agent_id)
        if not lazy:
            await self._on_owner("activate", agent_id, None)
        return agent_id

    # ---------------------------------------------------------------- per-agent operations, wherever the agent lives

    async def _on_owner(self, op: str, agent_id: AgentId, value: Any) -> Any:
        await self._ready()
        for _ in range(200):
            owner = self._membership.owner(agent_id)
            if owner is None and agent_id not in self._acts.active:
                raise self._unknown(agent_id)
            try:
                if owner == self._worker_id or agent_id in self._acts.active:
                    name, body = encode_payload(self._serialization, value)
                    return await self._control(op, agent_id, body if name != "accord.null" else b"")
                assert owner is not None
                name, body = encode_payload(self._serialization, value)
                meta = {"r": agent_str(agent_id), "op": op, "t": name}
                reply, data = await self._request(owner, self._subjects.rpc(owner), meta, body, self._rpc_timeout)
                if reply.get("st") == "ok":
                    return decode_payload(self._serialization, str(reply.get("t")), data)
                if reply.get("st") != "moved":
                    raise remote_error(reply, f"{agent_id.type}/{agent_id.key}", owner)
            except (Moved, _WorkerGone):
                pass
            await asyncio.sleep(0.05)
        raise UndeliverableException(f"{agent_id} found no worker to host it")

    async def _control(self, op: str, recipient: AgentId, payload: bytes) -> Any:
        act = await self._acts.get(recipient)
        if op == "activate":
            return None
        if op == "meta":
            meta = act.agent.metadata
            return {"type": meta["type"], "key": meta["key"], "description": meta["description"]}
        if op == "save":
            return dict(await act.agent.save_state())
        if op == "load":
            import json

            state = json.loads(payload) if payload else None
            if not isinstance(state, Mapping):
                raise StateError(f"State for agent {recipient} must be a mapping, got {state.__class__.__name__}")
            await act.agent.load_state(state)
            await self._acts.persist(recipient, act, handled_publish=False)
            return None
        raise UsageError(f"Unknown operation {op!r}")

    async def agent_metadata(self, agent: AgentId) -> AgentMetadata:
        result = await self._on_owner("meta", agent, None)
        return AgentMetadata(type=result["type"], key=result["key"], description=result["description"])

    async def agent_save_state(self, agent: AgentId) -> Mapping[str, Any]:
        return dict(await self._on_owner("save", agent, None))

    async def agent_load_state(self, agent: AgentId, state: Mapping[str, Any]) -> None:
        if not isinstance(state, Mapping):
            raise StateError(f"State for agent {agent} must be a mapping, got {type(state).__name__}")
        await self._on_owner("load", agent, dict(state))

    async def save_state(self) -> Mapping[str, Any]:
        """State of every agent activated on this worker: ``{"type/key": agent_state}``."""
        return {str(a): dict(await act.agent.save_state()) for a, act in list(self._acts.active.items())}

    async def load_state(self, state: Mapping[str, Any]) -> None:
        """Load each agent's state on the worker that hosts it."""
        if not isinstance(state, Mapping):
            raise StateError(f"Runtime state must be a mapping of 'type/key' to agent state, got {type(state).__name__}")
        for key, agent_state in state.items():
            try:
                agent_id = AgentId.from_str(key)
            except (ValueError, TypeError) as e:
                raise StateError(f"Runtime state key {key!r} is not an agent id 'type/key'") from e
            if isinstance(agent_state, Mapping) and (
                agent_id.type in self._directory.factories or self._membership.serves(agent_id.type)
            ):
                await self.agent_load_state(agent_id, agent_state)

    # ---------------------------------------------------------------- subscriptions and serializers

    async def add_subscription(self, subscription: Subscription) -> None:
        """Add a subscription for the whole deployment (type and prefix subscriptions; custom ones stay local)."""
        await self._connect()
        await self._subs.add(subscription)

    async def remove_subscription(self, id: str) -> None:
        await self._subs.remove(id)

    def add_message_serializer(self, serializer: MessageSerializer[Any] | Sequence[MessageSerializer[Any]]) -> None:
        self._serialization.add_serializer(serializer)

    async def process_next(self) -> None:
        """Not available: a distributed runtime cannot be stepped (use the local runtime for stepped tests)."""
        warnings.warn("NatsAgentRuntime cannot be stepped; start() it instead", RuntimeWarning, stacklevel=2)
        raise RunError("NatsAgentRuntime cannot be stepped with process_next(); call start() and stop_when_idle()")
