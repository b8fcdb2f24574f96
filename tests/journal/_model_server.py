"""A scripted OpenAI-compatible chat-completions server for the crash tests (a real HTTP server on 127.0.0.1).

It answers from the request alone (``"<agent> reply to <n> messages"``, a tool call for an agent with tools), so an
interrupted run and an uninterrupted one get the same answers. It logs every request with whether its response was
sent, and can hold one request (by number) until released, so a test can kill the client while a call is in flight.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class ModelServer:
    def __init__(self) -> None:
        self.log: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.hold_at: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                request = json.loads(body)
                with server.lock:
                    entry = {"hash": hashlib.sha256(body).hexdigest(), "completed": False, "n": len(server.log) + 1}
                    server.log.append(entry)
                if server.hold_at == entry["n"]:
                    server.held.set()
                    server.release.wait(timeout=60)
                response = answer(request)
                if request.get("stream"):
                    payload = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in stream_chunks(response))
                    payload += b"data: [DONE]\n\n"
                    content_type = "text/event-stream"
                else:
                    payload, content_type = json.dumps(response).encode(), "application/json"
                try:
                    self.send_response(200)
                    self.send_header("content-type", content_type)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:
                    return  # the client died while the call was held
                if server.hold_at != entry["n"]:
                    entry["completed"] = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def completed(self) -> list[str]:
        with self.lock:
            return [e["hash"] for e in self.log if e["completed"]]

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def answer(request: dict[str, Any]) -> dict[str, Any]:
    messages = request["messages"]
    system = next((m["content"] for m in messages if m["role"] == "system"), "")
    found = re.search(r"You are (\w+)", system)
    agent = found.group(1) if found else "assistant"
    message: dict[str, Any]
    if request.get("tools") and messages[-1]["role"] != "tool":
        arguments = json.dumps({"city": "Oslo"})
        call = {"id": f"call_{len(messages)}", "type": "function", "function": {"name": "book", "arguments": arguments}}
        message, finish = {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
    elif messages[-1]["role"] == "tool":
        message, finish = {"role": "assistant", "content": f"{agent}: booked. DONE"}, "stop"
    else:
        message, finish = {"role": "assistant", "content": f"{agent} reply to {len(messages)} messages"}, "stop"
    prompt = sum(len(str(m.get("content") or "").split()) for m in messages)
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": request.get("model", "gpt-4o-mini"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": 5, "total_tokens": prompt + 5},
    }


def stream_chunks(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The response as chat.completion.chunk events: the text word by word (or the tool calls), then usage."""
    choice = response["choices"][0]
    message = choice["message"]
    base = {"id": response["id"], "object": "chat.completion.chunk", "created": 0, "model": response["model"]}
    chunks: list[dict[str, Any]] = []
    if message.get("tool_calls"):
        calls = [{"index": i, **call} for i, call in enumerate(message["tool_calls"])]
        chunks.append({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": calls}}]})
    else:
        words = str(message["content"]).split(" ")
        for i, word in enumerate(words):
            text = word if i == 0 else " " + word
            chunks.append({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}}]})
    chunks.append({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": choice["finish_reason"]}]})
    chunks.append({**base, "choices": [], "usage": response["usage"]})
    return chunks
