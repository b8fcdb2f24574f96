"""The worker side of :class:`NatsAgentRuntime`: requests from other workers, publish consumers, agent mailboxes.

Kept apart from the public API (``_runtime.py``); the runtime class inherits it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any

from ...core import AgentId, CancellationToken, MessageContext, TopicId
from ...core._contexts import MessageHandlerContext
from ._activations import Moved
from ._wire import (
    decode_frame,
    decode_payload,
    encode_frame,
    encode_payload,
    error_bases,
    parse_agent,
)

__all__ = ["Serving"]

logger = logging.getLogger("accord.runtimes.nats")


class _Mailbox:
    """Published messages for one agent id, handled one at a time in arrival order."""

    __slots__ = ("items", "running")

    def __init__(self) -> None:
        self.items: deque[tuple[Any, MessageContext, asyncio.Future[None]]] = deque()
        self.running = False


class Serving:
    """Mixin: everything a worker does for messages that arrive over NATS. State lives on the runtime."""

    # Attributes set by NatsAgentRuntime.__init__ / _connect (declared for mypy).
    _nc: Any
    _js: Any
    _acts: Any
    _membership: Any
    _subjects: Any
    _subs: Any
    _serialization: Any
    _worker_id: str
    _running: bool
    _window: int
    _max_unacked: int
    _ack_wait: float
    _mailboxes: dict[AgentId, _Mailbox]
    _serving: dict[tuple[str, str], tuple[asyncio.Task[Any], CancellationToken]]
    _consumers: dict[str, tuple[Any, asyncio.Task[None]]]
    _unacked: int
    _capacity: asyncio.Event
    _pending: int
    _idle: asyncio.Event
    _counters: dict[str, float]
    _tasks: set[asyncio.Task[Any]]

    # ---------------------------------------------------------------- bookkeeping hooks (defined by the runtime)

    def _begin(self) -> None:
        raise NotImplementedError

    def _end(self) -> None:
        raise NotImplementedError

    def _emit(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError

    async def _run_send(
        self, message: Any, sender: AgentId | None, recipient: AgentId, token: CancellationToken, message_id: str
    ) -> Any:
        raise NotImplementedError

    async def _control(self, op: str, recipient: AgentId, payload: bytes) -> Any:
        raise NotImplementedError

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ---------------------------------------------------------------- replies

    async def _reply(self, reply_to: str | None, meta: dict[str, Any], payload: bytes = b"") -> None:
        if not reply_to or self._nc is None:
            return
        try:
            await self._nc.publish(reply_to, encode_frame(meta, payload))
        except Exception as e:
            logger.warning("Reply to %s lost: %s", reply_to, e)

    @staticmethod
    def _error_meta(cid: Any, e: BaseException) -> dict[str, Any]:
        return {"c": cid, "st": "err", "et": type(e).__name__, "em": str(e), "eb": error_bases(e)}

    # ---------------------------------------------------------------- direct messages (send_message from elsewhere)

    async def _on_rpc(self, msg: Any) -> None:
        self._begin()
        self._spawn(self._serve_rpc(msg))

    async def _serve_rpc(self, msg: Any) -> None:
        cid: Any = None
        try:
            meta, payload = decode_frame(msg.data)
            cid = meta.get("c")
            recipient = parse_agent(meta["r"])
            assert recipient is not None
            op = meta.get("op", "send")
            if not self._running:
                await self._reply(msg.reply, {"c": cid, "st": "moved"})
                return
            if op != "send":
                result = await self._control(op, recipient, payload)
                name, body = encode_payload(self._serialization, result)
                await self._reply(msg.reply, {"c": cid, "st": "ok", "t": name}, body)
                return
            if recipient not in self._acts.active and self._membership.owner(recipient) != self._worker_id:
                await self._reply(msg.reply, {"c": cid, "st": "moved"})
                return
            message = decode_payload(self._serialization, str(meta.get("t")), payload)
            token = CancellationToken()
            key = (str(meta.get("w")), str(cid))
            task = asyncio.current_task()
            assert task is not None
            self._serving[key] = (task, token)
            deadline = meta.get("dl")
            try:
                coro = self._run_send(message, parse_agent(meta.get("s")), recipient, token, str(meta.get("id")))
                if deadline is not None:
                    remaining = max(0.001, float(deadline) - time.time())
                    async with asyncio.timeout(remaining):
                        response = await coro
                else:
                    response = await coro
            finally:
                self._serving.pop(key, None)
            name, body = encode_payload(self._serialization, response)
            self._counters["rpc_handled"] += 1
            await self._reply(msg.reply, {"c": cid, "st": "ok", "t": name}, body)
        except Moved:
            await self._reply(msg.reply, {"c": cid, "st": "moved"})
        except asyncio.CancelledError:
            await self._reply(msg.reply, {"c": cid, "st": "cancelled"})
        except TimeoutError as e:
            await self._reply(msg.reply, self._error_meta(cid, e))
        except Exception as e:
            await self._reply(msg.reply, self._error_meta(cid, e))
        finally:
            self._end()

    async def _on_cancel(self, msg: Any) -> None:
        try:
            meta, _ = decode_frame(msg.data)
        except Exception:
            return
        entry = self._serving.get((str(meta.get("w")), str(meta.get("c"))))
        if entry is not None:
            task, token = entry
            token.cancel()
            task.cancel()

    # ---------------------------------------------------------------- published messages

    async def _start_consumer(self, agent_type: str) -> None:
        if agent_type in self._consumers or self._js is None:
            return
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        durable = _durable_name(agent_type)
        config = ConsumerConfig(
            durable_name=durable,
            description=agent_type,
            deliver_policy=DeliverPolicy.NEW,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self._ack_wait,
            max_ack_pending=max(self._max_unacked * 4, 1024),
            inactive_threshold=3600.0,
            filter_subject=self._subjects.publish_all,
        )
        psub = await self._js.pull_subscribe(
            self._subjects.publish_all, durable=durable, stream=self._subjects.stream, config=config
        )
        task = asyncio.get_running_loop().create_task(self._consume(agent_type, psub))
        self._consumers[agent_type] = (psub, task)

    async def _stop_consumers(self) -> None:
        consumers, self._consumers = self._consumers, {}
        for psub, task in consumers.values():
            task.cancel()
            try:
                await task
            except BaseException:
                pass
            try:
                await psub.unsubscribe()
            except Exception:
                pass

    async def _consume(self, agent_type: str, psub: Any) -> None:
        while self._running:
            free = self._max_unacked - self._unacked
            if free <= 0:
                self._capacity.clear()
                await self._capacity.wait()
                continue
            try:
                msgs = await psub.fetch(batch=min(free, 256), timeout=0.5)
            except asyncio.CancelledError:
                raise
            except TimeoutError:
                continue
            except Exception as e:
                logger.debug("Fetch for %s failed: %s", agent_type, e)
                await asyncio.sleep(0.1)
                continue
            for msg in msgs:
                self._unacked += 1
                self._begin()
                self._spawn(self._process_published(agent_type, msg))

    async def _process_published(self, agent_type: str, msg: Any) -> None:
        keepalive: asyncio.Task[None] | None = None
        try:
            meta, payload = decode_frame(msg.data)
            topic = TopicId(str(meta["tt"]), str(meta["ts"]))
            sender = parse_agent(meta.get("s"))
            recipients = [r for r in self._subs.recipients(topic) if r.type == agent_type and r != sender]
            if msg.metadata.num_delivered > 1:
                self._counters["redeliveries"] += 1
            if not recipients:
                await msg.ack()
                return
            waits: list[Any] = []
            for recipient in recipients:
                owner = self._membership.owner(recipient)
                if owner == self._worker_id or recipient in self._acts.active:
                    waits.append(self._enqueue(recipient, meta, payload, topic, sender))
                elif owner is not None:
                    waits.append(self._forward(owner, recipient, meta, payload))
            keepalive = asyncio.get_running_loop().create_task(self._keep_alive(msg))
            results = await asyncio.gather(*waits, return_exceptions=True)
            failed = [r for r in results if isinstance(r, BaseException)]
            if failed:
                logger.debug("Redelivering %s: %s", meta.get("id"), failed[0])
                await msg.nak(delay=0.2)
            else:
                await msg.ack()
        except Exception as e:
            logger.warning("Published message not processed (will be redelivered): %s", e)
        finally:
            if keepalive is not None:
                keepalive.cancel()
            self._unacked -= 1
            if self._unacked < self._max_unacked:
                self._capacity.set()
            self._end()

    async def _keep_alive(self, msg: Any) -> None:
        while True:
            await asyncio.sleep(self._ack_wait / 2)
            try:
                await msg.in_progress()
            except Exception:
                pass

    def _enqueue(
        self, recipient: AgentId, meta: dict[str, Any], payload: bytes, topic: TopicId, sender: AgentId | None
    ) -> asyncio.Future[None]:
        message = decode_payload(self._serialization, str(meta.get("t")), payload)
        ctx = MessageContext(sender, topic, False, CancellationToken(), str(meta["id"]))
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        box = self._mailboxes.get(recipient)
        if box is None:
            box = self._mailboxes[recipient] = _Mailbox()
        box.items.append((message, ctx, future))
        if not box.running:
            box.running = True
            self._begin()
            self._spawn(self._drain(recipient, box))
        return future

    async def _drain(self, recipient: AgentId, box: _Mailbox) -> None:
        try:
            while box.items:
                message, ctx, future = box.items[0]
                try:
                    await self._handle_published(recipient, message, ctx)
                except BaseException as e:
                    for _, _, f in box.items:
                        if not f.done():
                            f.set_exception(e if isinstance(e, Exception) else Moved("stopping"))
                            f.exception()
                    box.items.clear()
                    if not isinstance(e, Exception):
                        raise
                    break
                if not future.done():
                    future.set_result(None)
                box.items.popleft()
        finally:
            box.running = False
            if not box.items:
                self._mailboxes.pop(recipient, None)
            self._end()

    async def _handle_published(self, recipient: AgentId, message: Any, ctx: MessageContext) -> None:
        act = await self._acts.get(recipient)
        if ctx.message_id in act.handled:
            self._counters["duplicates_skipped"] += 1
            return
        act.busy += 1
        started = time.perf_counter()
        token_ctx = MessageHandlerContext._CONTEXT.set(recipient)
        try:
            await act.agent.on_message(message, ctx)
        except Exception as e:  # as locally: a publish handler's error is logged, not retried
            self._emit("error", ctx.message_id, message, ctx.sender, recipient, ctx.topic_id, None, e)
            logger.error("Error processing publish message for %s", recipient, exc_info=e)
            self._record_error(e)
        finally:
            MessageHandlerContext._CONTEXT.reset(token_ctx)
            act.busy -= 1
        self._counters["deliveries"] += 1
        self._counters["handle_seconds"] += time.perf_counter() - started
        act.remember(ctx.message_id, self._window)
        await self._acts.persist(recipient, act, handled_publish=True)

    def _record_error(self, e: BaseException) -> None:
        raise NotImplementedError

    async def _forward(self, owner: str, recipient: AgentId, meta: dict[str, Any], payload: bytes) -> None:
        forwarded = dict(meta, r=f"{recipient.type}/{recipient.key}")
        reply_meta, _ = await self._request(owner, self._subjects.deliver(owner), forwarded, payload, None)
        status = reply_meta.get("st")
        if status != "ok":
            raise Moved(f"delivery of {meta.get('id')} to {recipient} on {owner}: {status}")
        self._counters["forwards"] += 1

    async def _request(
        self, worker: str, subject: str, meta: dict[str, Any], payload: bytes, timeout: float | None
    ) -> tuple[dict[str, Any], bytes]:
        raise NotImplementedError

    async def _on_deliver(self, msg: Any) -> None:
        self._begin()
        self._spawn(self._serve_deliver(msg))

    async def _serve_deliver(self, msg: Any) -> None:
        cid: Any = None
        try:
            meta, payload = decode_frame(msg.data)
            cid = meta.get("c")
            recipient = parse_agent(meta["r"])
            assert recipient is not None
            if not self._running or (
                recipient not in self._acts.active and self._membership.owner(recipient) != self._worker_id
            ):
                await self._reply(msg.reply, {"c": cid, "st": "moved"})
                return
            topic = TopicId(str(meta["tt"]), str(meta["ts"]))
            await self._enqueue(recipient, meta, payload, topic, parse_agent(meta.get("s")))
            await self._reply(msg.reply, {"c": cid, "st": "ok"})
        except Moved:
            await self._reply(msg.reply, {"c": cid, "st": "moved"})
        except Exception as e:
            await self._reply(msg.reply, self._error_meta(cid, e))
        finally:
            self._end()


def _durable_name(agent_type: str) -> str:
    import hashlib

    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in agent_type)[:48]
    digest = hashlib.blake2b(agent_type.encode(), digest_size=4).hexdigest()
    return f"t_{safe}_{digest}"
