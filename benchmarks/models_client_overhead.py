"""Model client overhead: accord vs the raw openai SDK vs AutoGen 0.7.5's OpenAIChatCompletionClient.

Workload (the same for every client): against a real llama.cpp server (SmolLM2, started here on a free port),
1. ``create()`` with a 2-message prompt, ``max_tokens=1``, temperature 0: wall time per call (median);
2. ``create_stream()``: time to the first text chunk (median);
and, to isolate the client's own cost from the server's, 3. ``create()`` over an in-process httpx transport that
returns a canned completion (no network, no model): client CPU time per call.
Rounds interleave the clients so machine load affects them alike.

Run: ``.venv/bin/python benchmarks/models_client_overhead.py`` (AutoGen runs as a subprocess in
``.bench/autogen-venv`` when that exists).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AUTOGEN_PY = ROOT / ".bench" / "autogen-venv" / "bin" / "python"
PROMPT = [
    {"role": "system", "content": "You are brief."},
    {"role": "user", "content": "Say hello."},
]
ROUNDS = int(os.environ.get("MODELS_BENCH_ROUNDS", "40"))
CANNED = {
    "id": "c",
    "object": "chat.completion",
    "created": 0,
    "model": "smollm2",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hello!"}, "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 20, "completion_tokens": 2, "total_tokens": 22},
}
INFO = {"vision": False, "function_calling": True, "json_output": True, "family": "unknown", "structured_output": True}


def _httpx() -> Any:
    """The HTTP library the installed openai SDK runs on (openai 3.x: httpx2; earlier: httpx)."""
    import importlib

    import openai._base_client as base

    return importlib.import_module("httpx2" if "httpx2" in vars(base) else "httpx")


def _canned_transport() -> Any:
    httpx = _httpx()
    body = json.dumps(CANNED).encode()
    return httpx.MockTransport(
        lambda request: httpx.Response(200, content=body, headers={"content-type": "application/json"})
    )


Call = Callable[[], Awaitable[Any]]


def make_calls(kind: str, base_url: str) -> dict[str, Call]:
    """create / first-chunk / canned calls for one client kind: raw, accord or autogen."""
    httpx = _httpx()

    args = {"max_tokens": 1, "temperature": 0.0, "seed": 1}
    if kind == "raw":
        import openai

        sdk = openai.AsyncOpenAI(api_key="x", base_url=base_url, max_retries=0)
        canned = openai.AsyncOpenAI(
            api_key="x", base_url=base_url, max_retries=0, http_client=httpx.AsyncClient(transport=_canned_transport())
        )

        async def create() -> Any:
            return await sdk.chat.completions.create(model="smollm2", messages=PROMPT, **args)  # type: ignore[arg-type]

        async def first_chunk() -> float:
            start = time.perf_counter()
            first = 0.0
            stream = await sdk.chat.completions.create(
                model="smollm2",
                messages=PROMPT,
                stream=True,
                max_tokens=8,
                temperature=0.0,
                seed=1,  # type: ignore[arg-type]
            )
            async for chunk in stream:
                if not first and chunk.choices and chunk.choices[0].delta.content:
                    first = time.perf_counter() - start
            return first

        async def canned_create() -> Any:
            response = await canned.chat.completions.create(model="smollm2", messages=PROMPT, **args)  # type: ignore[arg-type]
            return response.choices[0].message.content

        return {"create": create, "first_chunk": first_chunk, "canned": canned_create}

    if kind == "accord":
        from accord.models import SystemMessage, UserMessage
        from accord.models.openai import OpenAIChatCompletionClient as Client
    else:
        from autogen_core.models import SystemMessage, UserMessage  # type: ignore[no-redef]
        from autogen_ext.models.openai import OpenAIChatCompletionClient as Client  # type: ignore[no-redef]

    messages = [SystemMessage(content="You are brief."), UserMessage(content="Say hello.", source="user")]
    client = Client(model="smollm2", base_url=base_url, api_key="x", model_info=INFO, max_retries=0, **args)
    stream_client = Client(
        model="smollm2", base_url=base_url, api_key="x", model_info=INFO, max_retries=0, max_tokens=8, temperature=0.0
    )
    if kind == "accord":
        canned = Client(
            model="smollm2",
            base_url=base_url,
            api_key="x",
            model_info=INFO,
            max_retries=0,
            http_client=httpx.AsyncClient(transport=_canned_transport()),
            **args,
        )
    else:
        import openai
        from autogen_ext.models.openai import BaseOpenAIChatCompletionClient

        sdk = openai.AsyncOpenAI(
            api_key="x", base_url=base_url, max_retries=0, http_client=httpx.AsyncClient(transport=_canned_transport())
        )
        canned = BaseOpenAIChatCompletionClient(  # type: ignore[call-arg]
            client=sdk,
            create_args={"model": "smollm2", **args},
            model_info=INFO,  # type: ignore[arg-type]
        )

    async def create() -> Any:
        return await client.create(messages)

    async def first_chunk() -> float:
        start = time.perf_counter()
        first = 0.0
        async for item in stream_client.create_stream(messages):
            if not first and isinstance(item, str) and item:
                first = time.perf_counter() - start
        return first

    async def canned_create() -> Any:
        return (await canned.create(messages)).content

    return {"create": create, "first_chunk": first_chunk, "canned": canned_create}


async def measure(kinds: list[str], base_url: str, rounds: int) -> dict[str, dict[str, float]]:
    calls = {kind: make_calls(kind, base_url) for kind in kinds}
    samples: dict[str, dict[str, list[float]]] = {k: {"create": [], "first_chunk": [], "canned": []} for k in kinds}
    for kind in kinds:  # warm-up: connections, imports, server caches
        for name in ("create", "first_chunk", "canned"):
            for _ in range(3):
                await calls[kind][name]()
    # phases apart (a stream's tail must not slow the next create); clients interleaved within each phase, in
    # alternating order so that neither always follows the other
    for phase in ("create", "first_chunk", "canned"):
        for i in range(rounds):
            for kind in kinds if i % 2 == 0 else kinds[::-1]:
                if phase == "create":
                    start = time.perf_counter()
                    await calls[kind]["create"]()
                    samples[kind]["create"].append(time.perf_counter() - start)
                elif phase == "first_chunk":
                    samples[kind]["first_chunk"].append(await calls[kind]["first_chunk"]())
                else:
                    start = time.process_time()
                    for _ in range(20):
                        await calls[kind]["canned"]()
                    samples[kind]["canned"].append((time.process_time() - start) / 20)
    return {k: {name: statistics.median(v) for name, v in per.items()} for k, per in samples.items()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str]:
    sys.path.insert(0, str(ROOT / "src"))
    from accord.models._local_model import default_model_path

    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(default_model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_threads",
            "1",
            "--n_ctx",
            "2048",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OMP_WAIT_POLICY": "PASSIVE"},
    )
    deadline = time.monotonic() + 120
    while True:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise SystemExit("llama_cpp.server did not start")
        time.sleep(0.1)
    return process, f"http://127.0.0.1:{port}/v1"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--autogen", action="store_true", help="measure AutoGen only (run inside its venv)")
    parser.add_argument("--base-url")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    ns = parser.parse_args()
    if ns.autogen:
        print(json.dumps(asyncio.run(measure(["raw", "autogen"], ns.base_url, ns.rounds))))
        return
    process, base_url = start_server()
    try:
        results = asyncio.run(measure(["raw", "accord"], base_url, ns.rounds))
        if AUTOGEN_PY.exists():
            out = subprocess.run(
                [str(AUTOGEN_PY), __file__, "--autogen", "--base-url", base_url, "--rounds", str(ns.rounds)],
                capture_output=True,
                text=True,
                check=False,
            )
            if out.returncode == 0:
                theirs = json.loads(out.stdout.strip().splitlines()[-1])
                results["autogen"], results["raw_in_autogen_run"] = theirs["autogen"], theirs["raw"]
            else:
                print("AutoGen run failed:", out.stderr[-2000:], file=sys.stderr)
    finally:
        process.terminate()
        process.wait(timeout=10)
    raw, accord = results["raw"], results["accord"]
    autogen, raw2 = results.get("autogen"), results.get("raw_in_autogen_run")
    print(f"rounds: {ns.rounds} (medians). Run 1: raw SDK and accord interleaved; run 2 (AutoGen's venv): raw SDK and")
    print("AutoGen interleaved. Machine load differs between runs, so compare each client to the raw SDK of its run.")
    header = f"{'':30}{'raw(1)':>9}{'accord':>9}{'raw(2)':>9}{'AutoGen':>9}{'accord/raw':>12}{'AutoGen/raw':>13}"
    print(header)
    for name, label, scale, unit in [
        ("create", "create() wall, server", 1e3, "ms"),
        ("first_chunk", "time to first chunk", 1e3, "ms"),
        ("canned", "client CPU per create()", 1e6, "us"),
    ]:
        row = f"{label + ' (' + unit + ')':30}{raw[name] * scale:9.2f}{accord[name] * scale:9.2f}"
        if autogen and raw2:
            row += f"{raw2[name] * scale:9.2f}{autogen[name] * scale:9.2f}"
        else:
            row += f"{'-':>9}{'-':>9}"
        row += f"{accord[name] / raw[name]:12.3f}"
        row += f"{autogen[name] / raw2[name]:13.3f}" if autogen and raw2 else ""
        print(row)
    overhead = (accord["create"] - raw["create"]) / raw["create"] * 100
    print(f"accord overhead per create() over the raw SDK against the local server: {overhead:+.1f}%")
    cpu = (accord["canned"] - raw["canned"]) * 1e6
    print(f"accord client CPU over the raw SDK per create(): {cpu:+.0f} us")


if __name__ == "__main__":
    main()
