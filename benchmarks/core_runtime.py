"""Core runtime benchmark: accord vs autogen-core 0.7.5, same workloads, same run.

Each workload is written once against the autogen_core API. The driver runs it in fresh
subprocesses: accord through ``accord.compat.autogen`` (this repo's .venv) and AutoGen from a
separate virtualenv (``make bench-venv`` creates .bench/autogen-venv), alternating, and prints
medians and the ratio.

    python benchmarks/core_runtime.py                # both implementations, all workloads
    python benchmarks/core_runtime.py --impl accord  # one implementation (prints JSON)
"""

import argparse
import asyncio
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACCORD_PY = os.environ.get("ACCORD_PYTHON", str(ROOT / ".venv" / "bin" / "python"))
AUTOGEN_PY = os.environ.get("AUTOGEN_PYTHON", str(ROOT / ".bench" / "autogen-venv" / "bin" / "python"))


def _load_api(impl: str) -> Any:
    if impl == "accord":
        import accord.compat.autogen  # noqa: F401
    import autogen_core

    return autogen_core


@dataclass
class Ping:
    n: int


def workloads(ac: Any) -> dict[str, Any]:
    MessageContext = ac.MessageContext

    class Echo(ac.RoutedAgent):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__("echo")
            self.count = 0

        @ac.message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> Ping:  # type: ignore[valid-type]
            self.count += 1
            return message

    class Sink(ac.RoutedAgent):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__("sink")
            self.count = 0

        @ac.message_handler
        async def on_ping(self, message: Ping, ctx: MessageContext) -> None:  # type: ignore[valid-type]
            self.count += 1

    async def round_trips(n: int = 20_000) -> dict[str, float]:
        rt = ac.SingleThreadedAgentRuntime()
        await Echo.register(rt, "echo", Echo)
        rt.start()
        target = ac.AgentId("echo", "k")
        msg = Ping(1)
        await rt.send_message(msg, target)
        t0 = time.perf_counter()
        for _ in range(n):
            await rt.send_message(msg, target)
        dt = time.perf_counter() - t0
        await rt.stop_when_idle()
        return {"us_per_round_trip": dt / n * 1e6, "round_trips_per_s": n / dt}

    async def concurrent(senders: int = 100, per_sender: int = 200, keys: int = 100) -> dict[str, float]:
        rt = ac.SingleThreadedAgentRuntime()
        await Echo.register(rt, "echo", Echo)
        rt.start()
        targets = [ac.AgentId("echo", f"k{i}") for i in range(keys)]
        for t in targets:
            await rt.send_message(Ping(0), t)

        async def sender(i: int) -> None:
            target = targets[i % keys]
            msg = Ping(i)
            for _ in range(per_sender):
                await rt.send_message(msg, target)

        t0 = time.perf_counter()
        await asyncio.gather(*(sender(i) for i in range(senders)))
        dt = time.perf_counter() - t0
        await rt.stop_when_idle()
        total = senders * per_sender
        return {"us_per_message": dt / total * 1e6, "messages_per_s": total / dt}

    async def fan_out(publishes: int = 2_000, agents: int = 100) -> dict[str, float]:
        rt = ac.SingleThreadedAgentRuntime()
        for i in range(agents):
            await Sink.register(rt, f"sink{i}", Sink, skip_class_subscriptions=True)
            await rt.add_subscription(ac.TypeSubscription(topic_type="all", agent_type=f"sink{i}"))
        topic = ac.TopicId("all", "default")
        rt.start()
        await rt.publish_message(Ping(0), topic)
        await rt.stop_when_idle()
        rt.start()
        msg = Ping(1)
        t0 = time.perf_counter()
        for _ in range(publishes):
            await rt.publish_message(msg, topic)
        await rt.stop_when_idle()
        dt = time.perf_counter() - t0
        deliveries = publishes * agents
        return {"us_per_delivery": dt / deliveries * 1e6, "deliveries_per_s": deliveries / dt}

    async def new_keys(n: int = 10_000) -> dict[str, float]:
        rt = ac.SingleThreadedAgentRuntime()
        await Echo.register(rt, "echo", Echo)
        rt.start()
        msg = Ping(1)
        await rt.send_message(msg, ac.AgentId("echo", "warm"))
        ids = [ac.AgentId("echo", f"key-{i}") for i in range(n)]
        t0 = time.perf_counter()
        for agent_id in ids:
            await rt.send_message(msg, agent_id)
        dt = time.perf_counter() - t0
        await rt.stop_when_idle()
        # memory: a fresh runtime, measured with tracemalloc (not timed)
        rt2 = ac.SingleThreadedAgentRuntime()
        await Echo.register(rt2, "echo", Echo)
        rt2.start()
        await rt2.send_message(msg, ac.AgentId("echo", "warm"))
        ids2 = [ac.AgentId("echo", f"key-{i}") for i in range(n)]
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        for agent_id in ids2:
            await rt2.send_message(msg, agent_id)
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        await rt2.stop_when_idle()
        return {"us_per_new_agent": dt / n * 1e6, "bytes_per_agent": grown / n}

    return {"round_trips": round_trips, "concurrent": concurrent, "fan_out": fan_out, "new_keys": new_keys}


def run_impl(impl: str, names: list[str]) -> dict[str, Any]:
    ac = _load_api(impl)
    results: dict[str, Any] = {}
    table = workloads(ac)
    for name in names:
        gc.collect()
        results[name] = asyncio.run(table[name]())
    return results


TYPICAL_IMPORT = (
    "from autogen_core import AgentId, DefaultTopicId, MessageContext, RoutedAgent, SingleThreadedAgentRuntime, "
    "TopicId, default_subscription, message_handler"
)


def import_time(python: str, impl: str, statement: str = "import autogen_core") -> float:
    code = (
        "import time; t=time.perf_counter(); "
        + ("import accord.compat.autogen; " if impl == "accord" else "")
        + statement
        + "; print(time.perf_counter()-t)"
    )
    out = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip()) * 1000


METRICS = [
    ("round_trips", "us_per_round_trip", "(a) send round trip, µs"),
    ("concurrent", "us_per_message", "(b) 100 senders x 200 → 100 keys, µs/msg"),
    ("fan_out", "us_per_delivery", "(c) publish fan-out to 100 agents, µs/delivery"),
    ("new_keys", "us_per_new_agent", "(d) first message to a new key, µs/agent"),
    ("new_keys", "bytes_per_agent", "(d) memory per agent, bytes"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--impl", choices=["accord", "autogen"])
    parser.add_argument("--workloads", default="round_trips,concurrent,fan_out,new_keys")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    names = args.workloads.split(",")
    if args.impl:
        print(json.dumps(run_impl(args.impl, names)))
        return
    if not Path(AUTOGEN_PY).exists():
        sys.exit(f"AutoGen virtualenv not found at {AUTOGEN_PY}; run `make bench-venv` first")
    runs: dict[str, list[dict[str, Any]]] = {"accord": [], "autogen": []}
    imports: dict[str, list[float]] = {"accord": [], "autogen": []}
    typical: dict[str, list[float]] = {"accord": [], "autogen": []}
    for _ in range(args.repeats):
        for impl, python in (("autogen", AUTOGEN_PY), ("accord", ACCORD_PY)):
            out = subprocess.run(
                [python, __file__, "--impl", impl, "--workloads", args.workloads],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[impl].append(json.loads(out.stdout.strip().splitlines()[-1]))
            imports[impl].append(import_time(python, impl))
            typical[impl].append(import_time(python, impl, TYPICAL_IMPORT))
    print(f"{'workload':<52} {'autogen':>12} {'accord':>12} {'speedup':>9}")
    for workload, metric, label in METRICS:
        if workload not in names:
            continue
        ag = statistics.median(r[workload][metric] for r in runs["autogen"])
        acc = statistics.median(r[workload][metric] for r in runs["accord"])
        print(f"{label:<52} {ag:>12.2f} {acc:>12.2f} {ag / acc:>8.1f}x")
    ag_i, acc_i = statistics.median(imports["autogen"]), statistics.median(imports["accord"])
    print(f"{'(e) import autogen_core, ms':<52} {ag_i:>12.1f} {acc_i:>12.1f} {ag_i / acc_i:>8.1f}x")
    ag_t, acc_t = statistics.median(typical["autogen"]), statistics.median(typical["accord"])
    label = "(e) from autogen_core import <runtime names>, ms"
    print(f"{label:<52} {ag_t:>12.1f} {acc_t:>12.1f} {ag_t / acc_t:>8.1f}x")


if __name__ == "__main__":
    main()
